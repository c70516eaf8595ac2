import type { JournalEntry } from '../core/events.ts';
import type { Deployment } from '../core/view.ts';

/** Seconds since `start`, e.g. `  1.24s`. */
export const elapsed = (start: number): string =>
  `${((Date.now() - start) / 1000).toFixed(2).padStart(6)}s`;

/** One progress line per status change; the hash and address as soon as they are known. */
export function progressLine(
  entry: JournalEntry,
  deployment: Deployment,
  start: number,
): string | null {
  const prefix = `${elapsed(start)}  ${deployment.chain.padEnd(16)}`;
  switch (entry.type) {
    case 'tx_signed':
      return `${prefix} signed     tx ${entry.tx.hash} (nonce ${entry.tx.nonce}) → ${entry.tx.predictedAddress}`;
    case 'retry_scheduled':
      return `${prefix} retrying   attempt ${entry.attempt} at ${entry.nextAttemptAt} after ${entry.error.code}: ${entry.error.message}`;
    case 'deployment_failed':
      return `${prefix} failed     ${entry.error.code}: ${entry.error.message}\n${' '.repeat(26)}hint: ${entry.error.hint}`;
    case 'deployment_completed':
      return `${prefix} complete   ${deployment.contractName} at ${entry.contractAddress}`;
    case 'verification_skipped':
      return `${prefix} verify     skipped: ${entry.reason}`;
    case 'verification_local_proof':
      return `${prefix} verify     local proof: ${entry.result}${entry.reason ? ` (${entry.reason})` : ''}`;
    case 'verification_deferred':
      return `${prefix} verify     not yet (${entry.message}); next attempt at ${entry.nextAttemptAt}`;
    case 'verification_succeeded':
      return `${prefix} verified   ${entry.explorerUrl ?? ''}${entry.alreadyVerified ? ' (already verified)' : ''}`;
    case 'verification_failed':
      return `${prefix} verify     failed: ${entry.reason}`;
    case 'log':
      return entry.level === 'warn' || entry.level === 'error'
        ? `${prefix} ${entry.level.padEnd(10)} ${entry.message}`
        : null;
    default:
      return isStatusEvent(entry) ? `${prefix} ${deployment.status}` : null;
  }
}

const STATUS_EVENTS = new Set<JournalEntry['type']>([
  'deployment_created',
  'compilation_started',
  'bytecode_checked',
  'gas_estimation_started',
  'gas_estimated',
  'tx_broadcast',
  'tx_mined',
  'receipt_reorged',
  'confirmations_reached',
  'verification_started',
  'retry_started',
  'deployment_cancelled',
]);
const isStatusEvent = (entry: JournalEntry) => STATUS_EVENTS.has(entry.type);

/** A fixed-width text table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

export function describeDeployment(d: Deployment): string {
  const lines = [
    `id              ${d.id}`,
    `status          ${d.status}`,
    `chain           ${d.chain} (${d.chainId})`,
    `contract        ${d.contractName}`,
    `build           ${d.buildId}`,
    `signer          ${d.signer}`,
    `tx              ${d.txHash ?? '-'}${d.nonce === null ? '' : ` (nonce ${d.nonce})`}`,
    `address         ${d.contractAddress ?? '-'}`,
    `confirmations   ${d.confirmations}/${d.requiredConfirmations}`,
    `retries         ${d.retryCount}${d.nextAttemptAt ? ` (next at ${d.nextAttemptAt})` : ''}`,
    `verification    ${d.verification.status}${d.verification.reason ? ` (${d.verification.reason})` : ''}${d.verification.explorerUrl ? ` ${d.verification.explorerUrl}` : ''}`,
    `local proof     ${d.verification.localProof ? `${d.verification.localProof.result}${d.verification.localProof.reason ? ` (${d.verification.localProof.reason})` : ''}` : '-'}`,
    `created         ${d.createdAt}`,
    `updated         ${d.updatedAt}`,
  ];
  if (d.error) {
    lines.push(
      `error           ${d.error.code} in ${d.error.step}: ${d.error.message}`,
      `hint            ${d.error.hint}`,
    );
  }
  return lines.join('\n');
}

export function describeEntry(entry: JournalEntry): string {
  const { seq, at, type, ...rest } = entry;
  const detail =
    type === 'log' ? `${entry.level} ${entry.event}: ${entry.message}` : summarize(rest);
  return `${String(seq).padStart(4)}  ${at}  ${type === 'log' ? 'log' : type.padEnd(22)}  ${detail}`;
}

function summarize(data: Record<string, unknown>): string {
  const { spec, tx, receipt, error, ...rest } = data as Record<
    string,
    Record<string, unknown> | undefined
  >;
  const parts: string[] = [];
  if (spec)
    parts.push(`${spec.contractName} on ${spec.chainName} (${spec.chainId}) build ${spec.buildId}`);
  if (tx) parts.push(`hash ${tx.hash} nonce ${tx.nonce} → ${tx.predictedAddress}`);
  if (receipt)
    parts.push(
      `block ${receipt.blockNumber} gas ${receipt.gasUsed} address ${receipt.contractAddress}`,
    );
  if (error) parts.push(`${error.code}: ${error.message}`);
  for (const [key, value] of Object.entries(rest)) {
    if (key === 'deployData' || key === 'id') continue;
    parts.push(`${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return parts.join(' ');
}
