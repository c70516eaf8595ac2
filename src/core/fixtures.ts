import type { DeploymentError } from './errors.ts';
import type { DeploymentEvent } from './events.ts';
import { replay } from './reduce.ts';
import type { DeploymentState } from './state.ts';
import type { Status } from './status.ts';

/** Shared test data for the pure core: one event of each kind and a journal per status. */

export const at = '2026-01-01T00:00:00.000Z';
export const hash = `0x${'a'.repeat(64)}` as const;
export const address = `0x${'b'.repeat(40)}` as const;
const error: DeploymentError = {
  code: 'RPC_TIMEOUT',
  message: 'timed out',
  hint: 'retry',
  retryable: true,
  step: 'estimating_gas',
  attempt: 0,
};
const fees = { type: 'legacy', gasPrice: '1' } as const;
export const signedTx = {
  nonce: 0,
  hash,
  raw: '0x01',
  gasLimit: '100',
  fees,
  predictedAddress: address,
} as const;
export const receipt = {
  hash,
  blockNumber: '5',
  blockHash: hash,
  contractAddress: address,
  gasUsed: '90',
  effectiveGasPrice: '1',
} as const;

export const ev = {
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
      verify: true,
    },
  },
  compileStarted: { type: 'compilation_started', at },
  checked: { type: 'bytecode_checked', at, deployData: '0x00', bytecodeSize: 1 },
  estimationStarted: { type: 'gas_estimation_started', at },
  estimated: { type: 'gas_estimated', at, gasLimit: '100', estimatedGas: '90', fees },
  signed: { type: 'tx_signed', at, tx: signedTx },
  broadcast: { type: 'tx_broadcast', at, hash },
  mined: { type: 'tx_mined', at, receipt },
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

/** The happy path, in order; each status below is reached by a prefix of it. */
const happy = [
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
];
const upTo = (count: number) => happy.slice(0, count);

/** One journal that reaches each status. */
export const reach: Record<Status, DeploymentEvent[]> = {
  pending: upTo(1),
  compiling: upTo(2),
  compiled: upTo(3),
  estimating_gas: upTo(4),
  submitting: upTo(5),
  submitted: upTo(7),
  confirming: upTo(8),
  confirmed: upTo(9),
  verifying: upTo(10),
  verified: upTo(11),
  complete: [...upTo(9), ev.completed],
  failed: [ev.created, ev.failed],
  retrying: [...upTo(4), ev.retryScheduled],
  cancelled: [ev.created, ev.cancelled],
};

export const stateIn = (status: Status): DeploymentState => {
  const state = replay(reach[status]);
  if (!state) throw new Error('no state');
  return state;
};
