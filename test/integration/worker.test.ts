import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import type { Deployment } from '../../src/core/view.ts';
import { setIntervalMining } from '../../src/devchain/index.ts';
import { createHyperdeploy } from '../../src/hyperdeploy.ts';
import {
  chainsByName,
  fundedKey,
  reader,
  startChain,
  type TestChain,
  tempDbPath,
} from '../harness/chains.ts';
import { sample } from '../harness/contracts.ts';

/** Leases far longer than the test: only a release lets another worker in. */
const LONG_LEASE_MS = 10 * 60_000;

describe('workers', () => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startChain('metis-sepolia', { noMining: true });
  });
  afterAll(async () => {
    await chain?.anvil.stop();
  });

  it('on a graceful stop releases its leases, and another worker finishes the deployment with the same transaction', async () => {
    const { privateKey, address } = await fundedKey([chain]);
    const db = tempDbPath();
    const open = () => createHyperdeploy({ db, chains: chainsByName(chain), privateKey });
    const counter = await sample('Counter.sol');

    const first = open();
    first.startWorker({ owner: 'first', leaseMs: LONG_LEASE_MS, pollMs: 50 });
    const broadcast = new Promise<void>((resolve) =>
      first.subscribe((entry) => entry.type === 'tx_broadcast' && resolve()),
    );
    const { deployment } = await first.submit({
      chain: 'metis-sepolia',
      bytecode: counter.bytecode,
      abi: counter.abi,
      buildId: 'graceful',
      verify: false,
    });
    await broadcast; // the chain does not mine: it waits for a receipt under its lease
    await first.close();

    // Nobody holds it now: a second worker claims it at once, not after the lease.
    const store = new SqliteStore(db);
    expect(await store.claimRunnable({ owner: 'probe', ttlMs: 1 }, 10, new Date())).toHaveLength(1);
    await store.releaseLeases('probe');
    await store.close();

    await setIntervalMining(chain.anvil.rpcUrl, 1);
    const second = open();
    const done = new Promise<Deployment>((resolve) =>
      second.subscribe((entry, d) => entry.type === 'deployment_completed' && resolve(d)),
    );
    second.startWorker({ owner: 'second', leaseMs: LONG_LEASE_MS, pollMs: 50 });
    const completed = await done;
    expect(completed.id).toBe(deployment.id);
    const events = await second.events(deployment.id);
    expect(events.filter((e) => e.type === 'tx_signed')).toHaveLength(1);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const client = reader(chain);
    expect(await client.getTransactionCount({ address })).toBe(1);
    const code = await client.getCode({ address: completed.contractAddress as `0x${string}` });
    expect(code?.length).toBeGreaterThan(2);
    await second.close();
  });

  it('leaves a deployment another worker holds alone until that lease expires', async () => {
    const { privateKey } = await fundedKey([chain]);
    const db = tempDbPath();
    const app = createHyperdeploy({ db, chains: chainsByName(chain), privateKey });
    const counter = await sample('Counter.sol');
    const created = await app.create({
      chain: 'metis-sepolia',
      bytecode: counter.bytecode,
      abi: counter.abi,
      buildId: 'held',
      verify: false,
    });
    // A worker elsewhere holds it (and is, say, partitioned away: it never appends).
    const store = new SqliteStore(db);
    await store.claimRunnable({ owner: 'elsewhere', ttlMs: 1_500 }, 10, new Date());
    const worker = app.startWorker({ leaseMs: LONG_LEASE_MS, pollMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(worker.running).toBe(0);
    expect((await app.get(created.id))?.status).toBe('pending');
    // Expired: this worker takes it over and runs it.
    await expect
      .poll(() => app.get(created.id).then((d) => d?.status), { timeout: 20_000 })
      .not.toBe('pending');
    await store.close();
    await app.close();
  });
});
