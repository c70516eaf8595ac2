import pg from 'pg';
import type { JournalNotification } from '../../../ports/store.ts';
import { EVENTS_CHANNEL, parseNotification, types } from './sql.ts';

/** Waits before reconnecting a lost LISTEN connection: doubling from 0.5 s up to 15 s. */
const reconnectDelayMs = (attempt: number) => Math.min(500 * 2 ** attempt, 15_000);

/**
 * A LISTEN connection to the journal's channel that reconnects when it drops (server restart,
 * network). Notifications sent while it was down are lost: subscribers read the journal from
 * their own cursor, so a later notification — or a client's replay — covers them.
 */
export class JournalListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onNotification: (notification: JournalNotification) => void,
    private readonly onError: (error: Error) => void,
  ) {}

  /** The first connection must succeed; later ones are retried in the background. */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.config, types });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost || this.stopped) return;
      lost = true;
      if (error) this.onError(error);
      void client.end().catch(() => undefined);
      this.reconnect(0);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      const notification = message.channel === EVENTS_CHANNEL && parseNotification(message.payload);
      if (notification) this.onNotification(notification);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (error) {
      lost = true; // not yet listening: the caller decides (start throws, reconnect retries)
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  private reconnect(attempt: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.connect().catch((error: Error) => {
        this.onError(error);
        this.reconnect(attempt + 1);
      });
    }, reconnectDelayMs(attempt));
  }
}
