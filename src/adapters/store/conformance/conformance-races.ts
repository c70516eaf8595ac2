import { expect, it } from 'vitest';
import type { DeploymentEvent } from '../../../core/events.ts';
import { replay } from '../../../core/reduce.ts';
import { JournalConflictError, type Store } from '../../../ports/store.ts';
import { fold, journal, logLine, seed, withoutSeq } from './journals.ts';
import type { ConformanceContext } from './store-conformance.ts';

/** Appends `events` after whatever the journal holds now, retrying when another writer won. */
async function appendWithRetry(store: Store, id: string, events: DeploymentEvent[]) {
  for (let attempt = 1; ; attempt += 1) {
    const state = await store.get(id);
    if (!state) throw new Error(`${id} vanished`);
    try {
      await store.append(id, state.seq, events, fold(state, events));
      return attempt;
    } catch (error) {
      if (!(error instanceof JournalConflictError) || attempt >= 1000) throw error;
    }
  }
}

export function raceCases(ctx: ConformanceContext) {
  it('keeps seqs contiguous when 4 store instances race 100 appends', async () => {
    const stores = await ctx.stores(4);
    await seed(ctx.store(), 'd1', 'pending');
    // Append i carries 1–3 events, so both single and multi-event appends race.
    const batches = Array.from({ length: 100 }, (_, i) =>
      Array.from({ length: 1 + (i % 3) }, (_, j) => logLine(`append ${i}.${j}`)),
    );
    // 8 writers (2 per instance) take the next batch as soon as their last one is in.
    let next = 0;
    const attempts: number[] = [];
    const writer = async (store: Store) => {
      for (let i = next++; i < batches.length; i = next++) {
        attempts.push(await appendWithRetry(store, 'd1', batches[i] as DeploymentEvent[]));
      }
    };
    await Promise.all([...stores, ...stores].map(writer));
    const total = 1 + batches.flat().length;
    const journalled = await ctx.store().events('d1');
    expect(journalled.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Every append landed exactly once, and each batch stayed in one piece.
    const messages = journalled.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(new Set(messages).size).toBe(total - 1);
    for (const events of batches) {
      const first = messages.indexOf((events[0] as { message: string }).message);
      expect(messages.slice(first, first + events.length)).toEqual(
        events.map((e) => (e as { message: string }).message),
      );
    }
    const projection = await ctx.store().get('d1');
    expect(projection).toEqual({ ...replay(withoutSeq(journalled)), seq: total });
    expect(attempts).toHaveLength(batches.length);
    // The writers did collide (or the test proved nothing), and the losers retried.
    expect(attempts.reduce((a, b) => a + b, 0)).toBeGreaterThan(batches.length);
  });

  it('lets exactly one of several racing creations of one id win', async () => {
    const stores = await ctx.stores(4);
    const { events, state } = journal('d1', 'pending');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (stores[i % stores.length] as Store).append('d1', 0, events, state),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected')
        expect(outcome.reason).toBeInstanceOf(JournalConflictError);
    }
    expect(await ctx.store().events('d1')).toHaveLength(1);
  });

  it('lets exactly one of several writers that read the same seq win', async () => {
    const stores = await ctx.stores(4);
    const before = await seed(ctx.store(), 'd1', 'pending');
    const outcomes = await Promise.allSettled(
      stores.map((store, i) => {
        const events = [logLine(`writer ${i}`)];
        return store.append('d1', before.seq, events, fold(before, events));
      }),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected')
        expect(outcome.reason).toBeInstanceOf(JournalConflictError);
    }
    expect((await ctx.store().events('d1')).map((e) => e.seq)).toEqual([1, 2]);
    expect(await ctx.store().get('d1')).toMatchObject({ seq: 2 });
  });
}
