import { type DestinationStream, type Logger, pino } from 'pino';
import type { JournalEntry } from '../core/events.ts';
import type { DeploymentState } from '../core/state.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
}

/** Paths that may carry secrets, redacted on every line whatever the caller passes. */
const REDACT_PATHS = [
  'privateKey',
  '*.privateKey',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'rpc',
  '*.rpc',
];

/** The root logger: JSON lines with ISO `time`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

/**
 * One log line per journal entry, with the fixed fields on every line: time, level, event,
 * deploymentId, buildId, chainId, status, attempt (+ seq and a message).
 */
export function logJournalEntry(logger: Logger, state: DeploymentState, entry: JournalEntry): void {
  const fields = {
    event: entry.type === 'log' ? entry.event : entry.type,
    deploymentId: state.id,
    buildId: state.spec.buildId,
    chainId: state.spec.chainId,
    status: state.status,
    attempt: state.retryCount,
    seq: entry.seq,
  };
  if (entry.type === 'log') {
    logger[entry.level]({ ...fields, ...(entry.data ? { data: entry.data } : {}) }, entry.message);
    return;
  }
  if (entry.type === 'deployment_failed' || entry.type === 'retry_scheduled') {
    const level = entry.type === 'deployment_failed' ? 'error' : 'warn';
    logger[level]({ ...fields, error: entry.error }, `${entry.error.code}: ${entry.error.message}`);
    return;
  }
  logger.info(fields, describeEntry(entry));
}

function describeEntry(entry: JournalEntry): string {
  switch (entry.type) {
    case 'tx_signed':
      return `signed ${entry.tx.hash} (nonce ${entry.tx.nonce}), contract at ${entry.tx.predictedAddress}`;
    case 'tx_broadcast':
      return `broadcast ${entry.hash}`;
    case 'tx_mined':
      return `mined in block ${entry.receipt.blockNumber}`;
    case 'deployment_completed':
      return `deployed at ${entry.contractAddress}`;
    default:
      return entry.type.replaceAll('_', ' ');
  }
}
