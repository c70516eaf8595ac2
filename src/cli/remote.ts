import WebSocket from 'ws';
import { ERROR_CATALOGUE, type ErrorCode, HyperdeployError } from '../core/errors.ts';
import type { JournalEntry } from '../core/events.ts';
import { isTerminal } from '../core/status.ts';
import type { Deployment } from '../core/view.ts';

/** A small client of a running `hyperdeploy serve`: the CLI's `--server URL` mode. */
export class RemoteClient {
  private readonly base: string;
  private readonly token: string | undefined;

  constructor(url: string, token = process.env.HYPERDEPLOY_API_TOKEN?.trim() || undefined) {
    this.base = url.replace(/\/+$/, '');
    this.token = token;
  }

  async request<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method: init.method ?? 'GET',
        headers: {
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    } catch (error) {
      throw new HyperdeployError(
        'RPC_UNAVAILABLE',
        `Cannot reach the hyperdeploy server at ${this.base}: ${(error as Error).message}.`,
        {
          step: 'config',
          hint: 'Check --server and that `hyperdeploy serve` is running.',
        },
      );
    }
    const body = (await response.json().catch(() => null)) as {
      error?: { code: string; message: string; hint?: string };
    } | null;
    if (!response.ok) {
      const error = body?.error;
      const code = error?.code && isKnownCode(error.code) ? error.code : 'INTERNAL';
      throw new HyperdeployError(code, error?.message ?? `HTTP ${response.status}`, {
        step: 'input',
        ...(error?.hint ? { hint: error.hint } : {}),
      });
    }
    return body as T;
  }

  /** Follows a deployment's journal from the start until it is finished. */
  follow(
    id: string,
    onEvent: (entry: JournalEntry, deployment: Deployment) => void,
  ): Promise<Deployment> {
    const url = `${this.base.replace(/^http/, 'ws')}/v1/stream?deploymentId=${encodeURIComponent(id)}&after=0${this.token ? `&token=${encodeURIComponent(this.token)}` : ''}`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as {
          type: string;
          event?: JournalEntry;
          deployment?: Deployment;
        };
        if (message.type !== 'event' || !message.event || !message.deployment) return;
        onEvent(message.event, message.deployment);
        if (isTerminal(message.deployment.status)) {
          socket.close();
          resolve(message.deployment);
        }
      });
      socket.on('error', reject);
      socket.on('close', (code) => {
        if (code !== 1000 && code !== 1005)
          reject(new HyperdeployError('RPC_UNAVAILABLE', `The stream closed (${code}).`));
      });
    });
  }
}

const isKnownCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CATALOGUE, code);
