import { describe, expect, it } from 'vitest';
import type { DeploymentError } from './errors.ts';
import { stateIn } from './fixtures.ts';
import { planAfterFailure, type RetryPolicy } from './retry.ts';

const policy: RetryPolicy = { maxRetries: 2, delaysMs: [100, 1000], jitterRatio: 0.5 };
const now = new Date('2026-01-01T00:00:00.000Z');
const transient: DeploymentError = {
  code: 'RPC_TIMEOUT',
  message: 't',
  hint: 'h',
  retryable: true,
  step: 'estimating_gas',
  attempt: 0,
};

describe('planAfterFailure', () => {
  it('schedules retries with the configured delays plus jitter, then fails', () => {
    const first = planAfterFailure(stateIn('estimating_gas'), transient, policy, now, 0.5);
    expect(first).toEqual({
      type: 'retry_scheduled',
      error: transient,
      attempt: 1,
      nextAttemptAt: '2026-01-01T00:00:00.125Z',
    });
    const exhausted = { ...stateIn('estimating_gas'), retryCount: 2 };
    expect(planAfterFailure(exhausted, transient, policy, now, 0)).toEqual({
      type: 'deployment_failed',
      error: transient,
    });
  });

  it('fails a terminal error at once', () => {
    const terminal = { ...transient, code: 'TX_REVERTED', retryable: false } as const;
    expect(planAfterFailure(stateIn('estimating_gas'), terminal, policy, now, 0).type).toBe(
      'deployment_failed',
    );
  });

  it('keeps watching a signed transaction through transient errors past maxRetries', () => {
    const signed = { ...stateIn('submitted'), retryCount: 7 };
    const plan = planAfterFailure(signed, transient, policy, now, 0);
    expect(plan).toMatchObject({
      type: 'retry_scheduled',
      attempt: 8,
      nextAttemptAt: '2026-01-01T00:00:01.000Z',
    });
    const conflict = { ...transient, code: 'NONCE_CONFLICT' } as const;
    expect(planAfterFailure(signed, conflict, policy, now, 0).type).toBe('deployment_failed');
  });

  it('never ends a deployment whose transaction was sent, unless its nonce is proven spent', () => {
    const sent = { ...stateIn('submitted'), retryCount: 9 };
    const internal = { ...transient, code: 'INTERNAL', retryable: false } as const;
    expect(planAfterFailure(sent, internal, policy, now, 0)).toMatchObject({
      type: 'retry_scheduled',
      error: { code: 'INTERNAL', retryable: true },
    });
    const reverted = { ...transient, code: 'TX_REVERTED', retryable: false } as const;
    expect(planAfterFailure(sent, reverted, policy, now, 0).type).toBe('deployment_failed');
  });
});
