import { describe, expect, it } from 'vitest';
import type { DeploymentError } from './errors.ts';
import type { DeploymentEvent } from './events.ts';
import { IllegalTransitionError, reduce, replay } from './reduce.ts';
import type { DeploymentState } from './state.ts';
import { STATUSES, type Status, TRANSITIONS } from './status.ts';

const at = '2026-01-01T00:00:00.000Z';
const hash = `0x${'a'.repeat(64)}` as const;
const address = `0x${'b'.repeat(40)}` as const;
const error: DeploymentError = {
  code: 'RPC_TIMEOUT',
  message: 'timed out',
  hint: 'retry',
  retryable: true,
  step: 'estimating_gas',
  attempt: 0,
};

const ev = {
  created: {
    type: 'deployment_created',
    at,
    id: 'dep_1',
    spec: {
      buildId: 'b',
      chainId: 1,
      chainName: 'local',
      contractName: 'C',
      bytecode: '0x00',
      abi: [],
      constructorArgs: [],
      signer: address,
      confirmations: 1,
      gasBuffer: 1.2,
      verify: false,
    },
  },
  compileStarted: { type: 'compilation_started', at },
  checked: { type: 'bytecode_checked', at, deployData: '0x00', bytecodeSize: 1 },
  estimationStarted: { type: 'gas_estimation_started', at },
  estimated: {
    type: 'gas_estimated',
    at,
    gasLimit: '100',
    estimatedGas: '90',
    fees: { type: 'legacy', gasPrice: '1' },
  },
  signed: {
    type: 'tx_signed',
    at,
    tx: {
      nonce: 0,
      hash,
      raw: '0x01',
      gasLimit: '100',
      fees: { type: 'legacy', gasPrice: '1' },
      predictedAddress: address,
    },
  },
  broadcast: { type: 'tx_broadcast', at, hash },
  mined: {
    type: 'tx_mined',
    at,
    receipt: {
      hash,
      blockNumber: '5',
      blockHash: hash,
      contractAddress: address,
      gasUsed: '90',
      effectiveGasPrice: '1',
    },
  },
  reorged: { type: 'receipt_reorged', at, hash, blockHash: hash },
  confirmed: { type: 'confirmations_reached', at, confirmations: 1, blockNumber: '5' },
  verificationStarted: { type: 'verification_started', at },
  verified: { type: 'verification_succeeded', at },
  completed: { type: 'deployment_completed', at, contractAddress: address },
  retryScheduled: { type: 'retry_scheduled', at, error, attempt: 1, nextAttemptAt: at },
  retryStarted: { type: 'retry_started', at, attempt: 1 },
  failed: { type: 'deployment_failed', at, error: { ...error, retryable: false } },
  cancelled: { type: 'deployment_cancelled', at, reason: 'by user' },
} satisfies Record<string, DeploymentEvent>;

/** One journal that reaches each status. */
const reach: Record<Status, DeploymentEvent[]> = {
  pending: [ev.created],
  compiling: [ev.created, ev.compileStarted],
  compiled: [ev.created, ev.compileStarted, ev.checked],
  estimating_gas: [ev.created, ev.compileStarted, ev.checked, ev.estimationStarted],
  submitting: [ev.created, ev.compileStarted, ev.checked, ev.estimationStarted, ev.estimated],
  submitted: [
    ev.created,
    ev.compileStarted,
    ev.checked,
    ev.estimationStarted,
    ev.estimated,
    ev.signed,
    ev.broadcast,
  ],
  confirming: [
    ev.created,
    ev.compileStarted,
    ev.checked,
    ev.estimationStarted,
    ev.estimated,
    ev.signed,
    ev.broadcast,
    ev.mined,
  ],
  confirmed: [
    ev.created,
    ev.compileStarted,
    ev.checked,
    ev.estimationStarted,
    ev.estimated,
    ev.signed,
    ev.broadcast,
    ev.mined,
    ev.confirmed,
  ],
  verifying: [
    ev.created,
    ev.compileStarted,
    ev.checked,
    ev.estimationStarted,
    ev.estimated,
    ev.signed,
    ev.broadcast,
    ev.mined,
    ev.confirmed,
    ev.verificationStarted,
  ],
  verified: [
    ev.created,
    ev.compileStarted,
    ev.checked,
    ev.estimationStarted,
    ev.estimated,
    ev.signed,
    ev.broadcast,
    ev.mined,
    ev.confirmed,
    ev.verificationStarted,
    ev.verified,
  ],
  complete: [
    ev.created,
    ev.compileStarted,
    ev.checked,
    ev.estimationStarted,
    ev.estimated,
    ev.signed,
    ev.broadcast,
    ev.mined,
    ev.confirmed,
    ev.completed,
  ],
  failed: [ev.created, ev.failed],
  retrying: [ev.created, ev.compileStarted, ev.checked, ev.estimationStarted, ev.retryScheduled],
  cancelled: [ev.created, ev.cancelled],
};

const stateIn = (status: Status): DeploymentState => {
  const state = replay(reach[status]);
  if (!state) throw new Error('no state');
  return state;
};

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
