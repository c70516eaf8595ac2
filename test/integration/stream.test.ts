import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { setAutomine, setIntervalMining } from '../../src/devchain/index.ts';
import { startChain, type TestChain } from '../harness/chains.ts';
import { sample } from '../harness/contracts.ts';
import { startTestServer, type TestServer } from '../harness/server.ts';

interface Message {
  type: string;
  deploymentId?: string;
  seq?: number;
  event?: { type: string };
  deployment?: { status: string };
}

/** Opens the stream and collects messages until `until` says stop (or the socket closes). */
function follow(url: string, until: (m: Message) => boolean, onOpen?: (ws: WebSocket) => void) {
  const messages: Message[] = [];
  const ws = new WebSocket(url);
  const done = new Promise<Message[]>((resolve, reject) => {
    ws.on('open', () => onOpen?.(ws));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      messages.push(message);
      if (until(message)) ws.close();
    });
    ws.on('close', () => resolve(messages));
    ws.on('error', reject);
  });
  return { ws, done, messages };
}

describe('live stream', () => {
  let chain: TestChain;
  let api: TestServer;
  beforeAll(async () => {
    chain = await startChain('metis-sepolia', { noMining: true });
    api = await startTestServer(chain);
  });
  afterAll(async () => {
    await api?.close();
    await chain?.anvil.stop();
  });

  it('replays what a reconnecting client missed: every event once, in seq order', async () => {
    const counter = await sample('Counter.sol');
    const stream = api.url.replace('http', 'ws');
    const { deployment } = await api.hd.submit({
      chain: 'metis-sepolia',
      bytecode: counter.bytecode,
      abi: counter.abi,
      buildId: 'ws',
    });

    // First connection: leave once the transaction is broadcast (the chain is not mining).
    const first = follow(
      `${stream}/v1/stream?deploymentId=${deployment.id}&after=0`,
      (m) => m.event?.type === 'tx_broadcast',
    );
    const seen = await first.done;
    const lastSeq = Math.max(...seen.filter((m) => m.type === 'event').map((m) => m.seq ?? 0));
    expect(lastSeq).toBeGreaterThan(3);

    // While disconnected, the deployment goes on: the chain mines.
    await setIntervalMining(chain.anvil.rpcUrl, 1);
    await new Promise((r) => setTimeout(r, 300));
    const second = follow(
      `${stream}/v1/stream?deploymentId=${deployment.id}&after=${lastSeq}`,
      (m) => m.deployment?.status === 'complete',
    );
    const resumed = await second.done;

    const events = [...seen, ...resumed].filter((m) => m.type === 'event');
    const journal = await api.hd.events(deployment.id);
    expect(events.map((m) => m.seq)).toEqual(journal.map((e) => e.seq));
    expect(events.map((m) => m.event?.type)).toEqual(journal.map((e) => e.type));
    expect(events.at(-1)?.deployment?.status).toBe('complete');
    expect(resumed.some((m) => m.type === 'live')).toBe(true);
    await setAutomine(chain.anvil.rpcUrl, false);
  });

  it('follows a build: events of every deployment of that build, and none of others', async () => {
    await setIntervalMining(chain.anvil.rpcUrl, 1);
    const counter = await sample('Counter.sol');
    const stream = api.url.replace('http', 'ws');
    const completed = new Set<string>();
    const watcher = follow(`${stream}/v1/stream?buildId=build-ws-2`, (m) => {
      if (m.deployment?.status === 'complete' && m.deploymentId) completed.add(m.deploymentId);
      return completed.size === 2;
    });
    await new Promise((r) => watcher.ws.once('open', r));
    const ids = await Promise.all(
      ['build-ws-2', 'build-ws-2', 'other-build'].map(
        async (buildId) =>
          (
            await api.hd.submit({
              chain: 'metis-sepolia',
              bytecode: counter.bytecode,
              abi: counter.abi,
              buildId,
            })
          ).deployment.id,
      ),
    );
    const messages = await watcher.done;
    const followed = new Set(messages.filter((m) => m.type === 'event').map((m) => m.deploymentId));
    expect([...followed].sort()).toEqual([ids[0], ids[1]].sort());
    for (const id of [ids[0], ids[1]]) {
      const seqs = messages.filter((m) => m.deploymentId === id).map((m) => m.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
  });
});
