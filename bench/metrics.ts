import type { Creation, SignerScan } from './chain-scan.ts';

/** What a tool says became of one deployment (from its own durable records). */
export interface Outcome {
  /** Deployment id (hyperdeploy) or index (naive). */
  key: string;
  status: 'succeeded' | 'failed' | 'lost';
  errorCode?: string;
  errorMessage?: string;
  /** For `lost`: the status it was left in. */
  lastStatus?: string;
  /** The contract address the tool reports (lower case). */
  address: string | null;
  /** Every tx hash the tool journaled for it (hyperdeploy only). */
  hashes?: Set<string>;
  durationMs: number | null;
}

export interface ToolMetrics {
  succeeded: number;
  failed: number;
  duplicates: number;
  lost: number;
  nonceGaps: number;
  p50Ms: number | null;
  p95Ms: number | null;
  successRate: number;
  failedByCode: Record<string, number>;
  lostByStatus: Record<string, number>;
  /** Reported complete, but no successful creation of that address is in the canonical chain. */
  notOnChain: string[];
  creations: { success: number; reverted: number };
  duplicatesBy: {
    /** Successful creations beyond the first of a deployment that succeeded. */
    extraOfSucceeded: number;
    /** Successful creations of deployments that ended failed or lost. */
    ofUnsucceeded: number;
    /** Successful creations no record of the tool maps to a deployment. */
    unattributed: number;
  };
  /** Deployments with more than one successful creation: key → count. */
  duplicatedKeys: Record<string, number>;
  stuckAboveGap: number;
  poolLeft: number;
}

/** Nearest-rank percentile of a sorted list. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/**
 * Judges a tool by the chain: a success counts only if its contract was created in the canonical
 * chain; duplicates are successful creations beyond one per succeeded deployment.
 */
export function computeMetrics(
  outcomes: Outcome[],
  scan: SignerScan,
  attribute: (creation: Creation) => string | null,
): ToolMetrics {
  const ok = scan.creations.filter((c) => c.success);
  const okAddresses = new Set(ok.map((c) => c.contractAddress));
  const byKey = new Map<string, number>();
  let unattributed = 0;
  for (const creation of ok) {
    const key = attribute(creation);
    if (key === null) unattributed++;
    else byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }

  const failedByCode: Record<string, number> = {};
  const lostByStatus: Record<string, number> = {};
  const notOnChain: string[] = [];
  const durations: number[] = [];
  const succeededKeys = new Set<string>();
  for (const o of outcomes) {
    if (o.status === 'lost') bump(lostByStatus, o.lastStatus ?? 'unrecorded');
    else if (o.status === 'failed') bump(failedByCode, o.errorCode ?? 'UNKNOWN');
    else if (!o.address || !okAddresses.has(o.address)) {
      notOnChain.push(o.key);
      bump(failedByCode, 'NOT_ON_CHAIN');
    } else {
      succeededKeys.add(o.key);
      if (o.durationMs !== null) durations.push(o.durationMs);
    }
  }
  durations.sort((a, b) => a - b);

  let extraOfSucceeded = 0;
  let ofUnsucceeded = 0;
  const duplicatedKeys: Record<string, number> = {};
  for (const [key, count] of byKey) {
    if (succeededKeys.has(key)) extraOfSucceeded += count - 1;
    else ofUnsucceeded += count;
    if (count > 1) duplicatedKeys[key] = count;
  }
  const lost = outcomes.filter((o) => o.status === 'lost').length;
  const succeeded = succeededKeys.size;
  return {
    succeeded,
    failed: outcomes.length - succeeded - lost,
    duplicates: ok.length - succeeded,
    lost,
    nonceGaps: scan.minedGaps + scan.poolGaps,
    p50Ms: percentile(durations, 0.5),
    p95Ms: percentile(durations, 0.95),
    successRate: outcomes.length ? succeeded / outcomes.length : 0,
    failedByCode,
    lostByStatus,
    notOnChain,
    creations: { success: ok.length, reverted: scan.creations.length - ok.length },
    duplicatesBy: { extraOfSucceeded, ofUnsucceeded, unattributed },
    duplicatedKeys,
    stuckAboveGap: scan.stuckAboveGap,
    poolLeft: scan.poolNonces.length,
  };
}
