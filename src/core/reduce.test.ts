import { describe, expect, it } from 'vitest';
import type { DeploymentEvent } from './events.ts';
import { at, ev, reach, stateIn } from './fixtures.ts';
import { IllegalTransitionError, reduce, replay } from './reduce.ts';
import { bumpDueAt, type DeploymentState } from './state.ts';
import { STATUSES, type Status, TRANSITIONS } from './status.ts';

/** Every legal transition: [from, event that causes it, extra journal before it]. */
const legal: Array<[Status, Status, DeploymentEvent, DeploymentEvent[]?]> = [
  ['pending', 'compiling', ev.compileStarted],
  ['pending', 'failed', ev.failed],
  ['pending', 'cancelled', ev.cancelled],
  ['compiling', 'compiled', ev.checked],
  ['compiling', 'failed', ev.failed],
  ['compiling', 'retrying', ev.retryScheduled],
  ['compiling', 'cancelled', ev.cancelled],
  ['compiled', 'estimating_gas', ev.estimationStarted],
  ['compiled', 'failed', ev.failed],
  ['compiled', 'cancelled', ev.cancelled],
  ['estimating_gas', 'submitting', ev.estimated],
  ['estimating_gas', 'failed', ev.failed],
  ['estimating_gas', 'retrying', ev.retryScheduled],
  ['estimating_gas', 'cancelled', ev.cancelled],
  ['submitting', 'submitted', ev.broadcast, [ev.signed]],
  ['submitting', 'failed', ev.failed],
  ['submitting', 'retrying', ev.retryScheduled],
  ['submitting', 'cancelled', ev.cancelled],
  ['submitted', 'confirming', ev.mined],
  ['submitted', 'failed', ev.failed],
  ['submitted', 'retrying', ev.retryScheduled],
  ['confirming', 'confirmed', ev.confirmed],
  ['confirming', 'submitted', ev.reorged],
  ['confirming', 'failed', ev.failed],
  ['confirming', 'retrying', ev.retryScheduled],
  ['confirmed', 'verifying', ev.verificationStarted],
  ['confirmed', 'complete', ev.completed],
  ['verifying', 'verified', ev.verified],
  ['verifying', 'complete', ev.completed],
  ['verified', 'complete', ev.completed],
  ['retrying', 'estimating_gas', ev.retryStarted],
  ['retrying', 'failed', ev.failed],
  ['retrying', 'cancelled', ev.cancelled],
];

/** Transitions reached only from particular journals (where a retry re-enters). */
const retryReentries: Array<[Status, DeploymentEvent[]]> = [
  ['compiling', [ev.created, ev.compileStarted, ev.retryScheduled, ev.retryStarted]],
  ['submitted', [...reach.submitted, ev.retryScheduled, ev.retryStarted]],
];

describe('reduce', () => {
  it.each(legal)('%s → %s', (from, to, event, before = []) => {
    const state = [...before].reduce(reduce, stateIn(from));
    expect(reduce(state, event).status).toBe(to);
  });

  it('covers every transition of the table', () => {
    const covered = new Set(legal.map(([from, to]) => `${from}>${to}`));
    for (const [status] of retryReentries) covered.add(`retrying>${status}`);
    const table = STATUSES.flatMap((from) => TRANSITIONS[from].map((to) => `${from}>${to}`));
    expect([...covered].sort()).toEqual([...table].sort());
  });

  it.each(retryReentries)('a retry re-enters at %s', (status, journal) => {
    const state = replay(journal);
    expect(state?.status).toBe(status);
    expect(state?.retryCount).toBe(1);
    expect(state?.error).toBeNull();
  });

  it('rejects every status change the table does not list', () => {
    const events = Object.values(ev).filter((event) => event.type !== 'deployment_created');
    let rejected = 0;
    for (const from of STATUSES) {
      for (const event of events) {
        const state = stateIn(from);
        let next: DeploymentState | null = null;
        try {
          next = reduce(state, event);
        } catch (error) {
          expect(error).toBeInstanceOf(IllegalTransitionError);
          rejected++;
          continue;
        }
        if (next.status !== from) expect(TRANSITIONS[from]).toContain(next.status);
      }
    }
    expect(rejected).toBeGreaterThan(150);
  });

  it('rejects a second tx_signed with another nonce, but accepts a same-nonce replacement', () => {
    const submitted = stateIn('submitted');
    const other = {
      ...ev.signed,
      tx: { ...ev.signed.tx, nonce: 1, hash: `0x${'c'.repeat(64)}` as const },
    };
    expect(() => reduce(submitted, other)).toThrow(/nonce 1 differs/);
    const bump = { ...ev.signed, tx: { ...ev.signed.tx, hash: `0x${'d'.repeat(64)}` as const } };
    expect(reduce(submitted, bump).txs).toHaveLength(2);
  });

  it('refuses to cancel once a transaction is signed', () => {
    const signed = reduce(stateIn('submitting'), ev.signed);
    expect(() => reduce(signed, ev.cancelled)).toThrow(/a transaction was signed/);
  });

  it('refuses anything but logs after a terminal status', () => {
    for (const status of ['complete', 'failed', 'cancelled'] as const) {
      expect(() => reduce(stateIn(status), ev.failed)).toThrow(IllegalTransitionError);
      const log: DeploymentEvent = {
        type: 'log',
        at,
        level: 'info',
        event: 'deployment.resumed',
        message: 'x',
      };
      expect(reduce(stateIn(status), log).status).toBe(status);
    }
  });

  it('refuses events before creation and a second creation', () => {
    expect(() => reduce(null, ev.compileStarted)).toThrow(/not created/);
    expect(() => reduce(stateIn('pending'), ev.created)).toThrow(/already created/);
  });

  it('rejects a receipt for a hash it never signed', () => {
    const foreign = {
      ...ev.mined,
      receipt: { ...ev.mined.receipt, hash: `0x${'e'.repeat(64)}` as const },
    };
    expect(() => reduce(stateIn('submitted'), foreign)).toThrow(/unknown hash/);
  });

  it('records the retry schedule and the attempt number', () => {
    const retrying = stateIn('retrying');
    expect(retrying).toMatchObject({
      status: 'retrying',
      nextAttemptAt: at,
      error: { code: 'RPC_TIMEOUT' },
    });
    expect(() => reduce(retrying, { ...ev.retryStarted, attempt: 2 })).toThrow(
      /unexpected attempt/,
    );
  });
});

describe('the transaction protocol in the reducer', () => {
  const submitted = () => stateIn('submitted');

  it('marks a refused transaction and takes the fees its replacement must offer', () => {
    const fees = { type: 'legacy', gasPrice: '2000' } as const;
    const state = reduce(submitted(), {
      type: 'tx_rejected',
      at,
      hash: ev.signed.tx.hash,
      reason: 'gas price too low',
      fees,
    });
    expect(state.txs[0]?.rejected).toBe('gas price too low');
    expect(state.fees).toEqual(fees);
    expect(state.status).toBe('submitted');
  });

  it('keeps the stuck clock of a transaction that vanishes and is rebroadcast', () => {
    const policy = { bumpAfterMs: 5_000, maxBumps: 3, maxFeePerGas: null };
    const sent = submitted();
    const due = bumpDueAt(sent, policy);
    expect(due).toBe(Date.parse(at) + 5_000);
    const later = new Date(Date.parse(at) + 4_000).toISOString();
    const again = reduce(sent, {
      type: 'tx_rebroadcast',
      at: later,
      hash: ev.signed.tx.hash,
      reason: 'vanished',
    });
    expect(again.txs[0]?.broadcast).toBe(true);
    expect(bumpDueAt(again, policy)).toBe(due);
  });

  it('sends the mined transaction again after its block is reorged away', () => {
    const reorged = reduce(stateIn('confirming'), ev.reorged);
    expect(reorged).toMatchObject({ status: 'submitted', receipt: null, confirmations: 0 });
    expect(reorged.txs[0]?.broadcast).toBe(false);
  });

  it('abandons a nonce only after a NONCE_CONFLICT, and then may sign a fresh one', () => {
    const abandon: DeploymentEvent = {
      type: 'nonce_abandoned',
      at,
      nonce: 0,
      hashes: [ev.signed.tx.hash],
    };
    const timeout = reduce(submitted(), ev.retryScheduled);
    expect(() => reduce(timeout, abandon)).toThrow(/not taken by another transaction/);
    const conflict = reduce(submitted(), {
      ...ev.retryScheduled,
      error: { ...ev.retryScheduled.error, code: 'NONCE_CONFLICT' },
    });
    const abandoned = reduce(conflict, abandon);
    expect(abandoned.txs).toEqual([]);
    expect(abandoned.abandonedTxs.map((tx) => tx.hash)).toEqual([ev.signed.tx.hash]);
    const restarted = reduce(abandoned, ev.retryStarted);
    expect(restarted.status).toBe('estimating_gas');
    const fresh = {
      ...ev.signed,
      tx: { ...ev.signed.tx, nonce: 1, hash: `0x${'f'.repeat(64)}` as const },
    };
    const resigned = reduce(reduce(restarted, ev.estimated), fresh);
    expect(resigned.txs.map((tx) => tx.nonce)).toEqual([1]);
  });

  it('stops bumping once the cap forbids a replacement', () => {
    const state = reduce(submitted(), { type: 'fee_bumps_exhausted', at, reason: 'cap' });
    expect(state.bumpsExhausted).toBe(true);
  });
});
