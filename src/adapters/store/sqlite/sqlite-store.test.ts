import { describe, expect, it } from 'vitest';
import type { DeploymentEvent } from '../../../core/events.ts';
import { address, ev, reach, signedTx } from '../../../core/fixtures.ts';
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

  it('claims each nonce once, together with the event, and releases it when the deployment ends', async () => {
    const store = new SqliteStore(':memory:');
    const claim = (nonce: number) => ({ chainId: 1, address, nonce });
    const signedAs = (id: string, nonce: number) => {
      const journal = [{ ...ev.created, id }, ...reach.submitting.slice(1)];
      const tx = { ...signedTx, nonce, hash: `0x${String(nonce).repeat(64)}` as const };
      return { before: fold(null, journal), journal, signed: { ...ev.signed, tx } };
    };
    for (const id of ['a', 'b']) {
      const { journal } = signedAs(id, 0);
      await store.append(id, 0, journal, fold(null, journal));
    }
    const a = signedAs('a', 0);
    await store.append('a', a.journal.length, [a.signed], fold(a.before, [a.signed]), {
      nonceClaim: claim(0),
    });
    expect(await store.claimedNonces(1, address)).toEqual([0]);

    const b0 = signedAs('b', 0);
    await expect(
      store.append('b', b0.journal.length, [b0.signed], fold(b0.before, [b0.signed]), {
        nonceClaim: claim(0),
      }),
    ).rejects.toBeInstanceOf(NonceTakenError);
    expect(await store.events('b')).toHaveLength(b0.journal.length); // nothing of it remains
    const b1 = signedAs('b', 1);
    await store.append('b', b1.journal.length, [b1.signed], fold(b1.before, [b1.signed]), {
      nonceClaim: claim(1),
    });
    expect(await store.claimedNonces(1, address)).toEqual([0, 1]);
    expect(await store.claimedNonces(59902, address)).toEqual([]);

    // A finished deployment no longer holds its nonce.
    const afterA = fold(a.before, [a.signed]);
    await store.append('a', afterA.seq, [ev.failed], fold(afterA, [ev.failed]));
    expect(await store.claimedNonces(1, address)).toEqual([1]);
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
