import type { WebSocket } from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { JournalEntry } from '../../core/events.ts';
import { reduce } from '../../core/reduce.ts';
import type { DeploymentState } from '../../core/state.ts';
import { type Deployment, toDeployment } from '../../core/view.ts';
import type { Hyperdeploy } from '../../hyperdeploy.ts';
import { streamQuery } from '../schemas.ts';

/** A socket that has this much unsent data is too slow: drop it, not the server. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Each entry is serialized once, however many sockets follow it: live entries reach every
 * subscriber as the same object.
 */
const serialized = new WeakMap<JournalEntry, string>();
const messageOf = (entry: JournalEntry, deployment: Deployment): string => {
  let text = serialized.get(entry);
  if (text === undefined) {
    const message: StreamMessage = {
      type: 'event',
      deploymentId: deployment.id,
      seq: entry.seq,
      event: entry,
      deployment,
    };
    text = JSON.stringify(message);
    serialized.set(entry, text);
  }
  return text;
};

export interface StreamMessage {
  type: 'event';
  deploymentId: string;
  seq: number;
  event: JournalEntry;
  deployment: Deployment;
}

/**
 * `/v1/stream`: journal events live, for one deployment (`deploymentId`), one build (`buildId`)
 * or all. With `after=SEQ` it first replays what the client missed (per deployment seq), then
 * goes live with nothing lost or repeated: live events are buffered during the replay and
 * every message is sent once, in seq order per deployment.
 */
export function streamRoutes(app: FastifyInstance, hd: Hyperdeploy): void {
  app.get('/v1/stream', { websocket: true }, (socket, request) => {
    const parsed = streamQuery.safeParse(request.query);
    if (!parsed.success) {
      socket.close(1008, 'invalid query: see GET /openapi.json');
      return;
    }
    const { deploymentId, buildId, after } = parsed.data;
    const matches = (d: Deployment) =>
      (!deploymentId || d.id === deploymentId) && (!buildId || d.buildId === buildId);
    const lastSent = new Map<string, number>();
    const send = (entry: JournalEntry, deployment: Deployment) => {
      if ((lastSent.get(deployment.id) ?? 0) >= entry.seq) return;
      lastSent.set(deployment.id, entry.seq);
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.terminate();
        return;
      }
      socket.send(messageOf(entry, deployment));
    };
    let buffered: Array<[JournalEntry, Deployment]> | null = [];
    const unsubscribe = hd.subscribe((entry, deployment) => {
      if (!matches(deployment)) return;
      if (buffered) buffered.push([entry, deployment]);
      else send(entry, deployment);
    });
    socket.on('close', unsubscribe);
    void replay(hd, socket, { deploymentId, buildId, after }, send)
      .catch(() => socket.close(1011, 'replay failed'))
      .finally(() => {
        const pending = buffered ?? [];
        buffered = null;
        for (const [entry, deployment] of pending) send(entry, deployment);
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'live' }));
      });
  });
}

/** Sends every entry after `after` of the deployments the client follows, each with its state then. */
async function replay(
  hd: Hyperdeploy,
  socket: WebSocket,
  filter: {
    deploymentId?: string | undefined;
    buildId?: string | undefined;
    after?: number | undefined;
  },
  send: (entry: JournalEntry, deployment: Deployment) => void,
): Promise<void> {
  if (filter.after === undefined) return;
  const ids = filter.deploymentId
    ? [filter.deploymentId]
    : filter.buildId
      ? (await hd.list({ buildId: filter.buildId, limit: 500 })).items.map((d) => d.id).reverse()
      : [];
  for (const id of ids) {
    let state: DeploymentState | null = null;
    for (const entry of await hd.events(id)) {
      state = { ...reduce(state, entry), seq: entry.seq };
      if (entry.seq > filter.after && socket.readyState === socket.OPEN)
        send(entry, toDeployment(state));
    }
  }
}
