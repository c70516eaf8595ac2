import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openPostgresStore } from '../../src/adapters/store/postgres/index.ts';
import { fundedKey, reader, startChain, type TestChain } from '../harness/chains.ts';
import { type CliProcess, spawnCli } from '../harness/cli.ts';
import { sample } from '../harness/contracts.ts';
import { startPostgres, type TestPostgres } from '../harness/postgres.ts';

const DEPLOYMENTS = 60;

interface StreamMessage {
  type: string;
  deploymentId?: string;
  seq?: number;
}

/**
 * Scale-out on one PostgreSQL store: 3 `hyperdeploy worker` processes and 2 API-only
 * `hyperdeploy serve --no-worker` processes, one signer, one anvil chain with 1 s blocks. One
 * worker is SIGKILLed mid-run and started again; the others take over its leases.
 */
describe('several workers and API nodes on PostgreSQL', () => {
  let chain: TestChain;
  let postgres: TestPostgres;
  const processes: CliProcess[] = [];
  beforeAll(async () => {
    [chain, postgres] = await Promise.all([
      startChain('metis-sepolia', { blockTimeSec: 1 }),
      startPostgres(),
    ]);
  });
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await postgres?.stop();
    await chain?.anvil.stop();
  });

  it('runs 60 deployments from one signer to completion with nonces 0..59, streaming every event to both API nodes', async () => {
    const db = await postgres.newDatabase();
    const { privateKey, address } = await fundedKey([chain], '100');
    const env = {
      HYPERDEPLOY_PRIVATE_KEY: privateKey,
      HYPERDEPLOY_RPC_METIS_SEPOLIA: chain.anvil.rpcUrl,
      HYPERDEPLOY_DB: db,
    };
    const start = (args: string[]) => {
      const p = spawnCli(args, env);
      processes.push(p);
      return p;
    };
    const startWorker = () => start(['worker', '--lease-ms', '3000', '--poll-ms', '200']);
    const startApi = () => start(['serve', '--no-worker', '--port', '0']);
    const listening = (p: CliProcess) =>
      p.waitForLog((line) => line.event === 'server.listening').then((l) => String(l.url));
    const api = [startApi(), startApi()];
    const workers = [startWorker(), startWorker(), startWorker()];
    const [url1, url2] = await Promise.all(api.map(listening));
    await Promise.all(workers.map((w) => w.waitForLog((l) => l.event === 'worker.started')));

    // A client of API node 2 follows everything.
    const heard = new Map<string, number[]>();
    const ws = new WebSocket(`${String(url2).replace('http', 'ws')}/v1/stream`);
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as StreamMessage;
      if (message.type !== 'event' || !message.deploymentId || !message.seq) return;
      heard.set(message.deploymentId, [...(heard.get(message.deploymentId) ?? []), message.seq]);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

    const counter = await sample('Counter.sol');
    const submit = async (i: number) => {
      const response = await fetch(`${i % 2 === 0 ? url1 : url2}/v1/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `scale-${i}` },
        body: JSON.stringify({
          buildId: `scale-${i}`,
          chain: 'metis-sepolia',
          bytecode: counter.bytecode,
          abi: counter.abi,
          contractName: 'Counter',
          confirmations: 1,
          verify: false,
        }),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    };
    const ids = await Promise.all(Array.from({ length: DEPLOYMENTS }, (_, i) => submit(i)));
    const viaNode1 = new Set(ids.filter((_, i) => i % 2 === 0));

    // Kill worker 1 while it holds deployments mid-protocol, then start it again.
    const [first] = workers as [CliProcess];
    await first.waitForLog((l) => l.event === 'tx_broadcast');
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    // What it had started and not finished: the other workers must take these over.
    const started = new Set(first.logs.map((l) => String(l.deploymentId)));
    for (const l of first.logs)
      if (l.event === 'deployment_completed') started.delete(String(l.deploymentId));
    started.delete('undefined');
    expect(started.size).toBeGreaterThan(0);
    workers[0] = startWorker();

    const store = await openPostgresStore(db, { poolSize: 2 });
    try {
      const settled = async () => {
        for (;;) {
          const { items } = await store.list({ limit: 500 });
          if (items.length === DEPLOYMENTS && items.every((d) => d.status === 'complete')) return;
          const stuck = items.filter((d) => ['failed', 'cancelled'].includes(d.status));
          if (stuck.length) throw new Error(`not complete: ${JSON.stringify(stuck[0]?.error)}`);
          await new Promise((r) => setTimeout(r, 500));
        }
      };
      await settled();

      // The chain: exactly 60 creations by the signer, nonces 0..59.
      const client = reader(chain);
      expect(await client.getTransactionCount({ address })).toBe(DEPLOYMENTS);
      const nonces: number[] = [];
      const latest = await client.getBlockNumber();
      for (let n = 0n; n <= latest; n++) {
        const block = await client.getBlock({ blockNumber: n, includeTransactions: true });
        for (const tx of block.transactions) {
          if (tx.from.toLowerCase() === address.toLowerCase() && tx.to === null)
            nonces.push(tx.nonce);
        }
      }
      expect(nonces.sort((a, b) => a - b)).toEqual(
        Array.from({ length: DEPLOYMENTS }, (_, i) => i),
      );

      // Each journal: seqs contiguous from 1; every deployment's address has code.
      for (const id of ids) {
        const events = await store.events(id);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        const deployment = await store.get(id);
        const code = await client.getCode({
          address: deployment?.contractAddress as `0x${string}`,
        });
        expect(code?.length).toBeGreaterThan(2);
      }

      // The client of node 2 saw every event of every deployment — those submitted to node 1
      // and run by workers elsewhere included — each once, in order.
      await expect
        .poll(
          async () => {
            const missing: string[] = [];
            for (const id of ids) {
              const last = (await store.get(id))?.seq ?? 0;
              const seen = heard.get(id) ?? [];
              if (seen.join() !== Array.from({ length: last }, (_, i) => i + 1).join())
                missing.push(id);
            }
            return missing;
          },
          { timeout: 10_000 },
        )
        .toEqual([]);
      expect([...viaNode1].every((id) => (heard.get(id)?.length ?? 0) > 5)).toBe(true);
      for (const id of started) expect((await store.get(id))?.status).toBe('complete');
      ws.close();

      // SIGTERM: every process exits cleanly; no lease is left behind.
      for (const p of [...api, ...workers]) p.kill('SIGTERM');
      for (const p of [...api, ...workers]) expect((await p.exited).code).toBe(0);
      const { rows } = await store.pool.query(
        'SELECT count(*)::int AS n FROM deployments WHERE lease_owner IS NOT NULL',
      );
      expect(rows[0]).toEqual({ n: 0 });
    } finally {
      await store.close();
    }
  }, 240_000);
});
