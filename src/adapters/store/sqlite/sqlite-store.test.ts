import { describe, expect, it } from 'vitest';
import type { DeploymentEvent } from '../../../core/events.ts';
import { reduce } from '../../../core/reduce.ts';
import type { DeploymentState } from '../../../core/state.ts';
import { JournalConflictError, NonceTakenError } from '../../../ports/store.ts';
import { SqliteStore } from './sqlite-store.ts';

const signer = `0x${'b'.repeat(40)}` as const;
const created = (id: string, at: string, buildId = 'b1'): DeploymentEvent => ({
  type: 'deployment_created',
  at,
  id,
  spec: {
    buildId,
    chainId: 1088,
    chainName: 'metis-andromeda',
    contractName: 'C',
    bytecode: '0x00',
    abi: [],
    constructorArgs: [],
    signer,
    confirmations: 1,
    gasBuffer: 1.2,
    verify: false,
  },
});

/** Folds events onto a state the way the engine does (seq follows the event count). */
const fold = (state: DeploymentState | null, events: DeploymentEvent[]) =>
  events.reduce<DeploymentState | null>(
    (s, e) => ({ ...reduce(s, e), seq: (s?.seq ?? 0) + 1 }),
    state,
  ) as DeploymentState;

describe('SqliteStore', () => {
  it('appends events with contiguous seqs and the projection in one transaction', async () => {
    const store = new SqliteStore(':memory:');
    const first = [created('d1', '2026-01-01T00:00:00.000Z')];
    const s1 = fold(null, first);
    await store.append('d1', 0, first, s1);
    const more: DeploymentEvent[] = [
      { type: 'compilation_started', at: '2026-01-01T00:00:01.000Z' },
      {
        type: 'bytecode_checked',
        at: '2026-01-01T00:00:02.000Z',
        deployData: '0x00',
        bytecodeSize: 1,
      },
    ];
    const entries = await store.append('d1', 1, more, fold(s1, more));
    expect(entries.map((e) => e.seq)).toEqual([2, 3]);
    expect((await store.events('d1')).map((e) => [e.seq, e.type])).toEqual([
      [1, 'deployment_created'],
      [2, 'compilation_started'],
      [3, 'bytecode_checked'],
    ]);
    expect((await store.events('d1', 2)).map((e) => e.seq)).toEqual([3]);
    expect(await store.get('d1')).toMatchObject({ status: 'compiled', seq: 3 });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('memory'); // WAL needs a file
  });

  it('refuses an append from a writer that did not see the latest event, writing nothing', async () => {
    const store = new SqliteStore(':memory:');
    const s1 = fold(null, [created('d1', '2026-01-01T00:00:00.000Z')]);
    await store.append('d1', 0, [created('d1', '2026-01-01T00:00:00.000Z')], s1);
    const next: DeploymentEvent[] = [
      { type: 'compilation_started', at: '2026-01-01T00:00:01.000Z' },
    ];
    await store.append('d1', 1, next, fold(s1, next));
    await expect(store.append('d1', 1, next, fold(s1, next))).rejects.toBeInstanceOf(
      JournalConflictError,
    );
    expect(await store.events('d1')).toHaveLength(2);
  });

  it('claims each nonce once, together with the event, and rolls back on a taken nonce', async () => {
    const store = new SqliteStore(':memory:');
    for (const id of ['a', 'b']) {
      await store.append(
        id,
        0,
        [created(id, `2026-01-01T00:00:0${id === 'a' ? 1 : 2}.000Z`)],
        fold(null, [created(id, '2026-01-01T00:00:00.000Z')]),
      );
    }
    const log = (at: string): DeploymentEvent => ({
      type: 'log',
      at,
      level: 'info',
      event: 'tx.waiting',
      message: 'x',
    });
    const stateA = (await store.get('a')) as DeploymentState;
    await store.append('a', 1, [log('t1')], fold(stateA, [log('t1')]), {
      chainId: 1088,
      address: signer,
      nonce: 0,
    });
    expect(await store.nextNonce(1088, signer)).toBe(1);
    const stateB = (await store.get('b')) as DeploymentState;
    await expect(
      store.append('b', 1, [log('t2')], fold(stateB, [log('t2')]), {
        chainId: 1088,
        address: signer,
        nonce: 0,
      }),
    ).rejects.toBeInstanceOf(NonceTakenError);
    expect(await store.events('b')).toHaveLength(1); // nothing of the failed append remains
    await store.append('b', 1, [log('t3')], fold(stateB, [log('t3')]), {
      chainId: 1088,
      address: signer,
      nonce: 1,
    });
    expect(await store.nextNonce(1088, signer)).toBe(2);
    expect(await store.nextNonce(59902, signer)).toBe(0);
  });

  it('uses WAL mode on a file and keeps its data across reopening', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = `${mkdtempSync(`${tmpdir()}/hd-`)}/nested/store.db`;
    const store = new SqliteStore(path);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    await store.append(
      'd1',
      0,
      [created('d1', '2026-01-01T00:00:00.000Z')],
      fold(null, [created('d1', '2026-01-01T00:00:00.000Z')]),
    );
    await store.close();
    const reopened = new SqliteStore(path);
    expect((await reopened.listUnfinished()).map((d) => d.id)).toEqual(['d1']);
    await reopened.close();
  });
});
