import { describe, expect, it } from 'vitest';
import { decide } from './decide.ts';
import { address, hash, receipt, signedTx, stateIn } from './fixtures.ts';
import type { DeploymentState } from './state.ts';

const now = new Date('2026-01-01T00:00:10.000Z');
const base = stateIn('pending');
const tx = {
  ...signedTx,
  broadcast: false,
  signedAt: '2026-01-01T00:00:01.000Z',
  broadcastAt: '2026-01-01T00:00:02.000Z',
  rejected: null as string | null,
};

describe('decide', () => {
  it.each([
    ['pending', {}, { type: 'append', event: { type: 'compilation_started' } }],
    ['compiling', {}, { type: 'check_bytecode' }],
    ['compiled', {}, { type: 'append', event: { type: 'gas_estimation_started' } }],
    ['estimating_gas', {}, { type: 'estimate_gas' }],
    ['submitting', {}, { type: 'sign' }],
    ['submitting', { txs: [{ ...tx, broadcast: false }] }, { type: 'broadcast', hash }],
    ['submitted', { txs: [{ ...tx, broadcast: true }] }, { type: 'await_receipt' }],
    ['submitted', { txs: [{ ...tx, broadcast: false }] }, { type: 'broadcast', hash }],
    ['confirming', { txs: [{ ...tx, broadcast: true }], receipt }, { type: 'await_confirmations' }],
    ['confirmed', { receipt }, { type: 'verify' }],
    [
      'confirmed',
      { receipt, verification: { status: 'skipped' } },
      { type: 'append', event: { type: 'deployment_completed', contractAddress: address } },
    ],
    [
      'verified',
      { receipt, verification: { status: 'verified' } },
      { type: 'append', event: { type: 'deployment_completed', contractAddress: address } },
    ],
    [
      'retrying',
      { nextAttemptAt: '2026-01-01T00:00:20.000Z' },
      { type: 'wait', until: '2026-01-01T00:00:20.000Z' },
    ],
    [
      'retrying',
      { nextAttemptAt: '2026-01-01T00:00:05.000Z', retryCount: 1 },
      { type: 'append', event: { type: 'retry_started', attempt: 2 } },
    ],
    ['complete', {}, { type: 'done' }],
    ['failed', {}, { type: 'done' }],
    ['cancelled', {}, { type: 'done' }],
  ] as const)('in %s %j → %j', (status, patch, action) => {
    expect(decide({ ...base, ...patch, status } as DeploymentState, now)).toEqual(action);
  });

  it('replaces a refused transaction, and a stuck one once the bump is due', () => {
    const refused = {
      ...base,
      status: 'submitted' as const,
      txs: [{ ...tx, rejected: 'underpriced' }],
    };
    expect(decide(refused, now)).toEqual({ type: 'replace', reason: 'rejected' });
    const policy = { bumpAfterMs: 5_000, maxBumps: 1, maxFeePerGas: null };
    const sent = {
      ...base,
      spec: { ...base.spec, feePolicy: policy },
      status: 'submitted' as const,
      txs: [{ ...tx, broadcast: true }],
    };
    expect(decide(sent, new Date('2026-01-01T00:00:06.000Z'))).toEqual({ type: 'await_receipt' });
    expect(decide(sent, new Date('2026-01-01T00:00:07.000Z'))).toEqual({
      type: 'replace',
      reason: 'stuck',
    });
    const bumpedOnce = {
      ...sent,
      txs: [...sent.txs, { ...tx, hash: `0x${'c'.repeat(64)}` as const, broadcast: true }],
    };
    expect(decide(bumpedOnce, new Date('2026-01-01T00:01:00.000Z'))).toEqual({
      type: 'await_receipt',
    });
    expect(decide({ ...sent, bumpsExhausted: true }, new Date('2026-01-01T00:01:00.000Z'))).toEqual(
      { type: 'await_receipt' },
    );
  });

  it('abandons a nonce taken by a foreign transaction before retrying', () => {
    const error = {
      code: 'NONCE_CONFLICT',
      message: 'm',
      hint: 'h',
      retryable: true,
      step: 'submitted',
      attempt: 0,
    } as const;
    const conflicted = {
      ...base,
      status: 'retrying' as const,
      error,
      nextAttemptAt: '2026-01-01T00:00:01.000Z',
      txs: [{ ...tx, broadcast: true }],
    };
    expect(decide(conflicted, now)).toEqual({
      type: 'append',
      event: { type: 'nonce_abandoned', nonce: 0, hashes: [hash] },
    });
  });

  it('never signs again once a transaction exists', () => {
    for (const status of ['submitting', 'submitted'] as const) {
      const action = decide({ ...base, status, txs: [{ ...tx, broadcast: true }] }, now);
      expect(action.type).not.toBe('sign');
    }
  });
});
