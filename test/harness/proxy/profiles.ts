/** Request-level failures: the client gets no usable answer. Mutually exclusive per request. */
export const FAILURE_KINDS = [
  'timeout',
  'reset',
  'http429',
  'http502',
  'http503',
  'rpcError',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];
/** `delay` slows a good answer; `drop` removes an accepted `eth_sendRawTransaction` from the mempool. */
export type FaultKind = FailureKind | 'delay' | 'drop';
export const FAULT_KINDS: readonly FaultKind[] = [...FAILURE_KINDS, 'delay', 'drop'];

export interface FaultRule {
  /** Probability per request in [0, 1] (for `drop`: per accepted `eth_sendRawTransaction`). */
  rate: number;
  /** Only requests (or batches containing a call) of these methods; default all. */
  methods?: string[];
  /** Inject at most this many times, then the rule is spent. */
  times?: number;
}

export interface ReorgRule {
  /** Mean blocks between reorgs; each gap is drawn uniformly in [everyBlocks/2, 3·everyBlocks/2]. */
  everyBlocks: number;
  /** Depth is drawn in [1, maxDepth]; default 2. */
  maxDepth?: number;
  /** How often the target's head is polled; default 100 ms. */
  pollMs?: number;
}

export type ProfileSpec = { [K in FaultKind]?: FaultRule | number } & {
  /** Reorgs while the target mines with a block time; off when absent. */
  reorg?: ReorgRule | false;
  /** `timeout`: answer 504 after this long (the client's timeout fires first); default 30 s. */
  timeoutDelayMs?: number;
  /** `delay`: bounds of the added latency in ms; default [50, 500]. */
  delayMs?: [number, number];
  /**
   * Probability that a `timeout`/`reset`/`http502`/`http503` request was still forwarded: the node
   * executed it and only the answer was lost (a sent tx the client believes failed). Default 0.
   */
  lostResponseRate?: number;
};

export type ProfileName = 'none' | 'testnet' | 'hostile';

export const PROFILES: Record<ProfileName, ProfileSpec> = {
  none: {},
  // A few % of each fault, as seen on public testnet RPCs.
  testnet: {
    timeout: 0.01,
    reset: 0.01,
    http429: 0.02,
    http502: 0.01,
    http503: 0.01,
    rpcError: 0.02,
    delay: 0.05,
    drop: 0.03,
    reorg: { everyBlocks: 50 },
    lostResponseRate: 0.5,
  },
  // 20% of requests fail (≥ 15% required), 25% of accepted txs vanish, a reorg every ~20 blocks.
  hostile: {
    timeout: 0.03,
    reset: 0.03,
    http429: 0.06,
    http502: 0.02,
    http503: 0.02,
    rpcError: 0.04,
    delay: 0.1,
    drop: 0.25,
    reorg: { everyBlocks: 20 },
    lostResponseRate: 0.5,
  },
};

/** A rule with its remaining budget: the live state of one fault kind. */
export interface LiveRule {
  rate: number;
  methods: Set<string> | null;
  remaining: number;
}

export interface ResolvedProfile {
  name: string;
  rules: Partial<Record<FaultKind, LiveRule>>;
  reorg: Required<ReorgRule> | null;
  timeoutDelayMs: number;
  delayMs: [number, number];
  lostResponseRate: number;
}

function checkRate(kind: string, rate: number): number {
  if (!(rate >= 0 && rate <= 1))
    throw new RangeError(`chaos profile: ${kind} rate ${rate} ∉ [0, 1]`);
  return rate;
}

export function resolveProfile(profile: ProfileName | ProfileSpec): ResolvedProfile {
  const spec = typeof profile === 'string' ? PROFILES[profile] : profile;
  if (!spec) throw new RangeError(`chaos profile: unknown profile ${String(profile)}`);
  const rules: ResolvedProfile['rules'] = {};
  for (const kind of FAULT_KINDS) {
    const raw = spec[kind];
    if (raw === undefined) continue;
    const rule = typeof raw === 'number' ? { rate: raw } : raw;
    rules[kind] = {
      rate: checkRate(kind, rule.rate),
      methods: rule.methods ? new Set(rule.methods) : null,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
    };
  }
  const reorg = spec.reorg ? { maxDepth: 2, pollMs: 100, ...spec.reorg } : null;
  if (reorg && !(reorg.everyBlocks >= 1))
    throw new RangeError('chaos profile: reorg.everyBlocks < 1');
  return {
    name: typeof profile === 'string' ? profile : 'custom',
    rules,
    reorg,
    timeoutDelayMs: spec.timeoutDelayMs ?? 30_000,
    delayMs: spec.delayMs ?? [50, 500],
    lostResponseRate: checkRate('lostResponseRate', spec.lostResponseRate ?? 0),
  };
}

/** Whether a rule is live for a request made of these methods. */
export function ruleApplies(rule: LiveRule | undefined, methods: readonly string[]): boolean {
  if (!rule || rule.remaining <= 0 || rule.rate <= 0) return false;
  return !rule.methods || methods.some((m) => rule.methods?.has(m));
}
