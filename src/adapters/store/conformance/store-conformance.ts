import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentEvent } from '../../../core/events.ts';
import { ev } from '../../../core/fixtures.ts';
import { JournalConflictError, type Store } from '../../../ports/store.ts';
import { leaseCases } from './conformance-leases.ts';
import { nonceCases } from './conformance-nonces.ts';
import { queryCases } from './conformance-queries.ts';
import { raceCases } from './conformance-races.ts';
import { fold, journal, logLine, seed, withoutSeq } from './journals.ts';

/** A fresh, empty store for one test. */
export interface StoreUnderTest {
  store: Store;
  /**
   * Another instance on the same database (own connection or file handle), for races
   * between writers. The suite closes what it opens; without it, races share `store`.
   */
  connect?(): Promise<Store>;
  /** Closes `store` and removes its data. */
  cleanup(): Promise<void>;
}

/** What the case files get: the test's store, and several instances on one database. */
export interface ConformanceContext {
  store(): Store;
  /** `count` stores on the test's database: `store()` first, then new instances. */
  stores(count: number): Promise<Store[]>;
}

/**
 * The Store contract, as one vitest suite that every store implementation must pass
 * unchanged. `makeStore` is called once per test and must give an empty store.
 */
export function describeStoreConformance(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
): void {
  describe(`Store conformance: ${name}`, () => {
    let subject: StoreUnderTest | null = null;
    let extra: Store[] = [];
    const context: ConformanceContext = {
      store: () => {
        if (!subject) throw new Error('no store: makeStore failed');
        return subject.store;
      },
      stores: async (count) => {
        const main = context.store();
        const more: Store[] = [];
        for (let i = 1; i < count; i += 1) {
          more.push(subject?.connect ? await subject.connect() : main);
        }
        extra.push(...more.filter((s) => s !== main));
        return [main, ...more];
      },
    };
    beforeEach(async () => {
      subject = await makeStore();
    });
    afterEach(async () => {
      await Promise.all(extra.map((s) => s.close()));
      extra = [];
      await subject?.cleanup();
      subject = null;
    });

    describe('journal', () => journalCases(context));
    describe('idempotency keys', () => idempotencyCases(context));
    describe('concurrent writers', () => raceCases(context));
    describe('queries', () => queryCases(context));
    describe('nonce claims', () => nonceCases(context));
    describe('worker leases and nonce locks', () => leaseCases(context));
  });
}

function journalCases(ctx: ConformanceContext) {
  it('appends events and the projection together, seqs contiguous from 1', async () => {
    const store = ctx.store();
    const first = journal('d1', 'compiling');
    expect((await store.append('d1', 0, first.events, first.state)).map((e) => e.seq)).toEqual([
      1, 2,
    ]);
    const more: DeploymentEvent[] = [ev.checked, ev.estimationStarted];
    const entries = await store.append('d1', 2, more, fold(first.state, more));
    expect(entries).toEqual(more.map((e, i) => ({ ...e, seq: 3 + i })));
    const journalled = await store.events('d1');
    expect(journalled.map((e) => [e.seq, e.type])).toEqual([
      [1, 'deployment_created'],
      [2, 'compilation_started'],
      [3, 'bytecode_checked'],
      [4, 'gas_estimation_started'],
    ]);
    expect(withoutSeq(journalled)).toEqual([...first.events, ...more]);
    expect((await store.events('d1', 2)).map((e) => e.seq)).toEqual([3, 4]);
    expect(await store.events('d1', 4)).toEqual([]);
    expect(await store.get('d1')).toEqual(fold(first.state, more));
    expect(await store.get('nope')).toBeNull();
    expect(await store.events('nope')).toEqual([]);
  });

  it('refuses a writer that did not see the latest event, writing nothing', async () => {
    const store = ctx.store();
    const before = await seed(store, 'd1', 'compiling');
    const next = [ev.checked];
    for (const stale of [0, 1, 3]) {
      await expect(store.append('d1', stale, next, fold(before, next))).rejects.toBeInstanceOf(
        JournalConflictError,
      );
    }
    expect(await store.events('d1')).toHaveLength(2);
    expect(await store.get('d1')).toEqual(before);
  });

  it('refuses to append to a deployment that does not exist', async () => {
    const store = ctx.store();
    const { state } = journal('ghost', 'compiling');
    await expect(store.append('ghost', 1, [ev.checked], state)).rejects.toBeInstanceOf(
      JournalConflictError,
    );
    expect(await store.get('ghost')).toBeNull();
    expect(await store.events('ghost')).toEqual([]);
  });

  it('keeps the exact text of every event, and the projection readable', async () => {
    const store = ctx.store();
    const odd = 'nul \u0000 quote " backslash \\u0000 emoji 🚀 accent é <tag> \n end';
    const failed: DeploymentEvent = {
      ...ev.failed,
      error: { ...ev.failed.error, message: odd, details: { nested: [odd, 1, null, true] } },
    };
    const events = [logLine(odd), failed];
    const { events: all, state } = journal('d1', events);
    await store.append('d1', 0, all, state);
    expect(withoutSeq(await store.events('d1'))).toEqual(all);
    const projection = await store.get('d1');
    expect(projection).toMatchObject({ status: 'failed', seq: 3 });
    // JSON column types may not hold U+0000: the projection may replace it, nothing else.
    expect(projection?.error?.message.replace('\uFFFD', '\u0000')).toBe(odd);
  });

  it('journals a deployment with create, without a key', async () => {
    const store = ctx.store();
    const { events, state } = journal('d1', 'pending');
    const result = await store.create('d1', events, state);
    expect(result).toEqual({ created: true, entries: [{ ...events[0], seq: 1 }] });
    expect(await store.get('d1')).toEqual(state);
    const next = [ev.compileStarted];
    await store.append('d1', 1, next, fold(state, next));
    expect((await store.events('d1')).map((e) => e.seq)).toEqual([1, 2]);
  });
}

function idempotencyCases(ctx: ConformanceContext) {
  const create = (store: Store, id: string, key: string, requestHash = `hash-${id}`) => {
    const { events, state } = journal(id, 'pending');
    return store.create(id, events, state, { key, requestHash });
  };

  it('answers a repeated key with the earlier deployment, writing nothing', async () => {
    const store = ctx.store();
    expect(await create(store, 'd1', 'key-1')).toMatchObject({ created: true });
    expect(await create(store, 'd2', 'key-1')).toEqual({
      created: false,
      deploymentId: 'd1',
      requestHash: 'hash-d1',
    });
    expect(await store.get('d2')).toBeNull();
    expect(await store.events('d2')).toEqual([]);
    expect(await create(store, 'd3', 'key-2')).toMatchObject({ created: true });
    expect((await store.list({})).items.map((d) => d.id)).toEqual(['d3', 'd1']);
  });

  it('makes exactly one deployment of 10 concurrent creates with one key', async () => {
    const stores = await ctx.stores(4);
    const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
    const results = await Promise.all(
      ids.map((id, i) => create(stores[i % stores.length] as Store, id, 'same-key')),
    );
    const winners = ids.filter((_, i) => results[i]?.created);
    expect(winners).toHaveLength(1);
    const [winner] = winners;
    for (const result of results) {
      if (!result.created) expect(result).toMatchObject({ deploymentId: winner });
    }
    const { items } = await ctx.store().list({});
    expect(items.map((d) => d.id)).toEqual([winner]);
    expect(await ctx.store().events(winner as string)).toHaveLength(1);
  });
}
