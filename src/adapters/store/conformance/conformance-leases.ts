import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { DeploymentEvent } from '../../../core/events.ts';
import { ev, reach } from '../../../core/fixtures.ts';
import { LeaseLostError } from '../../../ports/store.ts';
import { fold, seed, signer, T } from './journals.ts';
import type { ConformanceContext } from './store-conformance.ts';

const lease = (owner: string, ttlMs = 60_000) => ({ owner, ttlMs });
const NOW = new Date(T(10));

/** A deployment in `retrying` whose next attempt is at `second`. */
const retryingUntil = (second: number): DeploymentEvent[] => [
  ...reach.retrying.slice(1, -1),
  { ...ev.retryScheduled, nextAttemptAt: T(second) },
];

/** A complete deployment whose explorer said "not yet": next verification attempt at `second`. */
const verificationDueAt = (second: number): DeploymentEvent[] => [
  ...reach.verifying.slice(1),
  {
    type: 'verification_deferred',
    at: T(0),
    message: 'Pending in queue',
    reference: null,
    nextAttemptAt: T(second),
  },
  ev.completed,
];

const ids = (states: Array<{ id: string }>) => states.map((s) => s.id);

export function leaseCases(ctx: ConformanceContext) {
  it('claims exactly the deployments with work due, oldest first', async () => {
    const store = ctx.store();
    await seed(store, 'a-pending', 'pending', { at: T(1) });
    await seed(store, 'b-submitted', 'submitted', { at: T(2) });
    await seed(store, 'c-retry-due', retryingUntil(5), { at: T(3) });
    await seed(store, 'd-retry-later', retryingUntil(30), { at: T(3) });
    await seed(store, 'e-verify-due', verificationDueAt(9), { at: T(4) });
    await seed(store, 'f-verify-later', verificationDueAt(59), { at: T(4) });
    await seed(store, 'g-complete', 'complete', { at: T(5) });
    await seed(store, 'h-failed', 'failed', { at: T(5) });
    await seed(store, 'i-cancelled', 'cancelled', { at: T(5) });
    const claimed = await store.claimRunnable(lease('w1'), 100, NOW);
    expect(ids(claimed)).toEqual(['a-pending', 'b-submitted', 'c-retry-due', 'e-verify-due']);
    expect(claimed[1]).toEqual(await store.get('b-submitted'));
    // Held now: a second worker gets nothing, the first nothing new.
    expect(await store.claimRunnable(lease('w2'), 100, NOW)).toEqual([]);
    expect(await store.claimRunnable(lease('w1'), 100, NOW)).toEqual([]);
    // Later, the retry and the verification fall due.
    const later = await store.claimRunnable(lease('w2'), 100, new Date(T(59)));
    expect(ids(later)).toEqual(['d-retry-later', 'f-verify-later']);
  });

  it('claims at most `limit`, and never one deployment for two racing workers', async () => {
    const stores = await ctx.stores(4);
    for (let i = 0; i < 30; i += 1)
      await seed(ctx.store(), `d${String(i).padStart(2, '0')}`, 'pending');
    expect(await stores[0]?.claimRunnable(lease('w0'), 3, NOW)).toHaveLength(3);
    const claims = await Promise.all(
      [...stores, ...stores].map((store, i) => store.claimRunnable(lease(`w${i + 1}`), 4, NOW)),
    );
    const all = claims.flatMap(ids);
    expect(claims.every((claim) => claim.length <= 4)).toBe(true);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(27);
  });

  it('hands a deployment to another worker once its lease expires unrenewed', async () => {
    const store = ctx.store();
    await seed(store, 'd1', 'pending');
    await seed(store, 'd2', 'pending');
    expect(ids(await store.claimRunnable(lease('w1', 300), 10, NOW))).toEqual(['d1', 'd2']);
    await sleep(150);
    expect(await store.renewLeases(lease('w1', 300))).toEqual(expect.arrayContaining(['d1', 'd2']));
    await sleep(200); // past the first ttl, not past the renewed one
    expect(await store.claimRunnable(lease('w2'), 10, NOW)).toEqual([]);
    await sleep(250);
    expect(ids(await store.claimRunnable(lease('w2'), 10, NOW))).toEqual(['d1', 'd2']);
    // w1 holds nothing any more: its renewal says so.
    expect(await store.renewLeases(lease('w1'))).toEqual([]);
  });

  it('releases one lease or all of an owner, leaving other owners alone', async () => {
    const store = ctx.store();
    for (const id of ['d1', 'd2', 'd3']) await seed(store, id, 'pending');
    await store.claimRunnable(lease('w1'), 2, NOW);
    await store.claimRunnable(lease('w2'), 1, NOW);
    await store.releaseLeases('w1', ['d2']);
    expect(ids(await store.claimRunnable(lease('w3'), 10, NOW))).toEqual(['d2']);
    await store.releaseLeases('w3');
    await store.releaseLeases('w1');
    expect(ids(await store.claimRunnable(lease('w4'), 10, NOW))).toEqual(['d1', 'd2']);
    expect((await store.renewLeases(lease('w2'))).sort()).toEqual(['d3']);
  });

  it('refuses an append under a lease another worker holds, writing nothing', async () => {
    const store = ctx.store();
    const before = await seed(store, 'd1', 'compiling');
    await store.claimRunnable(lease('w1', 50), 1, NOW);
    const next = [ev.checked];
    // The holder may append; its lease stays.
    const after = fold(before, next);
    await store.append('d1', before.seq, next, after, { leaseOwner: 'w1' });
    await sleep(100);
    await store.claimRunnable(lease('w2'), 1, NOW);
    const more = [ev.estimationStarted];
    await expect(
      store.append('d1', after.seq, more, fold(after, more), { leaseOwner: 'w1' }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await store.get('d1')).toEqual(after);
    expect(await store.events('d1')).toHaveLength(after.seq);
    // Appends outside any worker (a cancel from the API) need no lease.
    await store.append('d1', after.seq, more, fold(after, more));
    expect((await store.get('d1'))?.seq).toBe(after.seq + 1);
  });

  it('serializes nonce work of one signer across store instances, not of different signers', async () => {
    const stores = await ctx.stores(3);
    const log: string[] = [];
    const work = (name: string) => async () => {
      log.push(`${name}:in`);
      await sleep(30);
      log.push(`${name}:out`);
      return name;
    };
    const results = await Promise.all(
      stores.map((store, i) => store.withNonceLock(1088, signer, work(`s${i}`))),
    );
    expect(results).toEqual(['s0', 's1', 's2']);
    // Never two inside at once: every "in" is followed by its own "out".
    for (let i = 0; i < log.length; i += 2) {
      expect(log[i]?.replace(':in', '')).toBe(log[i + 1]?.replace(':out', ''));
    }
    // Another chain is another lock: both run at once.
    log.length = 0;
    await Promise.all([
      stores[0]?.withNonceLock(1088, signer, work('a')),
      stores[1]?.withNonceLock(59902, signer, work('b')),
    ]);
    expect(log.slice(0, 2).sort()).toEqual(['a:in', 'b:in']);
    // A failing work releases the lock.
    await expect(
      stores[0]?.withNonceLock(1088, signer, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await stores[1]?.withNonceLock(1088, signer, async () => 'after')).toBe('after');
  });
}
