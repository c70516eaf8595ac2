import { describe, expect, it } from 'vitest';
import { decide } from './decide.ts';
import { address, hash, receipt, signedTx, stateIn } from './fixtures.ts';
import type { DeploymentState } from './state.ts';

const now = new Date('2026-01-01T00:00:10.000Z');
const base = stateIn('pending');
const tx = signedTx;

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

  it('never signs again once a transaction exists', () => {
    for (const status of ['submitting', 'submitted'] as const) {
      const action = decide({ ...base, status, txs: [{ ...tx, broadcast: true }] }, now);
      expect(action.type).not.toBe('sign');
    }
  });
});
