import { beforeEach, expect, it } from 'vitest';
import type { DeploymentEvent } from '../../../core/events.ts';
import { ev, reach } from '../../../core/fixtures.ts';
import type { Status } from '../../../core/status.ts';
import type { DeploymentFilter, Store } from '../../../ports/store.ts';
import { type JournalOptions, seed, T } from './journals.ts';
import type { ConformanceContext } from './store-conformance.ts';

const skipped: DeploymentEvent[] = [
  ...reach.confirmed.slice(1),
  { type: 'verification_skipped', at: T(0), reason: 'no explorer' },
  ev.completed,
];

/** id, journal, options: ties in created_at (d05/d06) exercise the id tie-break. */
const SEEDS: Array<[string, Status | DeploymentEvent[], JournalOptions]> = [
  ['d08', 'complete', { at: T(0), chainId: 1088, buildId: 'build-b' }],
  ['d01', 'pending', { at: T(1), chainId: 1088, buildId: 'build-a' }],
  ['d02', 'complete', { at: T(2), chainId: 1088, buildId: 'build-a' }],
  ['d03', 'failed', { at: T(3), chainId: 59902, buildId: 'build-b' }],
  ['d04', skipped, { at: T(4), chainId: 59902, buildId: 'build-b' }],
  ['d06', 'cancelled', { at: T(5), chainId: 1088, buildId: 'build-c' }],
  ['d05', 'retrying', { at: T(5), chainId: 133717, buildId: 'build-a' }],
  ['d07', 'submitted', { at: T(6), chainId: 1088, buildId: 'build-b' }],
];
const NEWEST_FIRST = ['d07', 'd06', 'd05', 'd04', 'd03', 'd02', 'd01', 'd08'];

async function allPages(store: Store, filter: DeploymentFilter) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page += 1) {
    const result = await store.list({ ...filter, ...(cursor ? { cursor } : {}) });
    expect(result.items.length).toBeLessThanOrEqual(filter.limit ?? 50);
    ids.push(...result.items.map((d) => d.id));
    if (!result.nextCursor) return ids;
    cursor = result.nextCursor;
  }
  throw new Error('pagination did not end');
}

export function queryCases(ctx: ConformanceContext) {
  const ids = async (filter: DeploymentFilter) =>
    (await ctx.store().list(filter)).items.map((d) => d.id);

  beforeEach(async () => {
    for (const [id, status, options] of SEEDS) await seed(ctx.store(), id, status, options);
  });

  it('lists newest first, ties broken by id', async () => {
    expect(await ids({})).toEqual(NEWEST_FIRST);
    const { items, nextCursor } = await ctx.store().list({});
    expect(nextCursor).toBeNull();
    expect(items[0]).toMatchObject({ id: 'd07', status: 'submitted', seq: reach.submitted.length });
  });

  it('filters by status, chain id and build id, alone and together', async () => {
    expect(await ids({ status: 'complete' })).toEqual(['d04', 'd02', 'd08']);
    expect(await ids({ chainId: 59902 })).toEqual(['d04', 'd03']);
    expect(await ids({ buildId: 'build-a' })).toEqual(['d05', 'd02', 'd01']);
    expect(await ids({ status: 'complete', chainId: 1088, buildId: 'build-a' })).toEqual(['d02']);
    expect(await ids({ status: 'verifying' })).toEqual([]);
    expect(await ids({ chainId: 1 })).toEqual([]);
  });

  it('pages with cursors: every deployment once, in order, for any page size', async () => {
    for (const limit of [1, 2, 3, 7, 8, 9]) {
      expect(await allPages(ctx.store(), { limit })).toEqual(NEWEST_FIRST);
    }
    expect(await allPages(ctx.store(), { limit: 2, chainId: 1088 })).toEqual([
      'd07',
      'd06',
      'd02',
      'd01',
      'd08',
    ]);
    const first = await ctx.store().list({ limit: 3 });
    expect(first.items.map((d) => d.id)).toEqual(['d07', 'd06', 'd05']);
    expect(first.nextCursor).toEqual(expect.any(String));
    // A page that ends exactly at the last row has no next cursor.
    expect((await ctx.store().list({ limit: 8 })).nextCursor).toBeNull();
  });

  it('ignores a cursor it cannot read (first page)', async () => {
    expect(await ids({ cursor: 'not-a-cursor', limit: 2 })).toEqual(['d07', 'd06']);
  });

  it('lists unfinished deployments oldest first', async () => {
    const unfinished = await ctx.store().listUnfinished();
    expect(unfinished.map((d) => [d.id, d.status])).toEqual([
      ['d01', 'pending'],
      ['d05', 'retrying'],
      ['d07', 'submitted'],
    ]);
  });

  it('lists complete deployments whose verification is pending, oldest first', async () => {
    const pending = await ctx.store().listPendingVerifications();
    expect(pending.map((d) => d.id)).toEqual(['d08', 'd02']);
    expect(pending.every((d) => d.verification.status === 'pending')).toBe(true);
    expect((await ctx.store().get('d04'))?.verification.status).toBe('skipped');
  });

  it('counts deployments per status and chain', async () => {
    const counts = await ctx.store().countByStatus();
    const key = (c: { status: string; chainId: number }) => `${c.status}/${c.chainId}`;
    expect([...counts].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([
      { status: 'cancelled', chainId: 1088, count: 1 },
      { status: 'complete', chainId: 1088, count: 2 },
      { status: 'complete', chainId: 59902, count: 1 },
      { status: 'failed', chainId: 59902, count: 1 },
      { status: 'pending', chainId: 1088, count: 1 },
      { status: 'retrying', chainId: 133717, count: 1 },
      { status: 'submitted', chainId: 1088, count: 1 },
    ]);
  });

  it('reads a journal after a seq', async () => {
    const all = await ctx.store().events('d07');
    expect(all.map((e) => e.seq)).toEqual(reach.submitted.map((_, i) => i + 1));
    expect((await ctx.store().events('d07', 5)).map((e) => [e.seq, e.type])).toEqual([
      [6, 'tx_signed'],
      [7, 'tx_broadcast'],
    ]);
    expect(await ctx.store().events('d07', 0)).toEqual(all);
  });
}
