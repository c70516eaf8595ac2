import type { Rng } from './prng.ts';
import {
  FAILURE_KINDS,
  type FailureKind,
  type FaultKind,
  type ResolvedProfile,
  ruleApplies,
} from './profiles.ts';

export interface JsonRpcCall {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

export interface JsonRpcError {
  code: number;
  message: string;
}

const LIMIT: JsonRpcError = { code: -32005, message: 'limit exceeded' };
const HEADER: JsonRpcError = { code: -32000, message: 'header not found' };
/** The two transient node errors `rpcError` picks from. */
export const RPC_ERRORS: readonly JsonRpcError[] = [LIMIT, HEADER];
export const rpcErrorOf = (variant: number): JsonRpcError => RPC_ERRORS[variant] ?? LIMIT;

/** What happens to one HTTP request. */
export interface Decision {
  failure: FailureKind | null;
  /** Index into RPC_ERRORS for `rpcError`. */
  rpcErrorVariant: number;
  /** 0: answer as soon as the target has. */
  delayMs: number;
  /** Accepted `eth_sendRawTransaction` calls of this request are dropped from the mempool. */
  drop: boolean;
  /** The failing request was still forwarded to (and executed by) the target. */
  lostResponse: boolean;
}

/** Overrides queued by the deterministic hooks (`failNext`, `dropAfterAccept`). */
export type Forced = FaultKind | null;

const SEND = 'eth_sendRawTransaction';

function pickFailure(
  p: ResolvedProfile,
  methods: readonly string[],
  u: number,
): FailureKind | null {
  let cumulative = 0;
  for (const kind of FAILURE_KINDS) {
    const rule = p.rules[kind];
    if (!rule || !ruleApplies(rule, methods)) continue;
    cumulative += rule.rate;
    if (u < cumulative) {
      rule.remaining--;
      return kind;
    }
  }
  return null;
}

function take(p: ResolvedProfile, kind: FaultKind, methods: readonly string[], u: number): boolean {
  const rule = p.rules[kind];
  if (!rule || !ruleApplies(rule, methods) || !(u < rule.rate)) return false;
  rule.remaining--;
  return true;
}

/**
 * Decides the faults of one request. Always consumes exactly six draws, whatever the outcome or the
 * forced fault, so the same seed and the same request sequence give the same faults.
 */
export function decide(
  rng: Rng,
  profile: ResolvedProfile,
  methods: readonly string[],
  forced: Forced,
): Decision {
  const [uPick, uVariant, uDelay, uDelayMs, uDrop, uLost] = [
    rng(),
    rng(),
    rng(),
    rng(),
    rng(),
    rng(),
  ];
  const [min, max] = profile.delayMs;
  const delayMs = Math.round(min + uDelayMs * (max - min));
  const rpcErrorVariant = Math.floor(uVariant * RPC_ERRORS.length);
  const lostResponse = uLost < profile.lostResponseRate;
  const base = { rpcErrorVariant, lostResponse: false, delayMs: 0, drop: false };
  if (forced === 'delay') return { ...base, failure: null, delayMs };
  if (forced === 'drop') return { ...base, failure: null, drop: true };
  if (forced) return { ...base, failure: forced };
  const failure = pickFailure(profile, methods, uPick);
  if (failure) return { ...base, failure, lostResponse };
  const sends = methods.includes(SEND);
  return {
    ...base,
    failure: null,
    delayMs: take(profile, 'delay', methods, uDelay) ? delayMs : 0,
    drop: sends && take(profile, 'drop', [SEND], uDrop),
  };
}

/** Failures after which a `lostResponse` request may still have been executed by the node. */
export const MAY_LOSE_RESPONSE: ReadonlySet<FailureKind> = new Set([
  'timeout',
  'reset',
  'http502',
  'http503',
]);

export const rpcResult = (id: unknown, result: unknown) => ({
  jsonrpc: '2.0',
  id: id ?? null,
  result,
});
export const rpcError = (id: unknown, error: JsonRpcError) => ({
  jsonrpc: '2.0',
  id: id ?? null,
  error,
});

/** One error per call (a batch gets an array), as a node that failed them all would answer. */
export function errorBody(calls: JsonRpcCall[], batch: boolean, error: JsonRpcError): string {
  const answers = calls.map((c) => rpcError(c.id, error));
  return JSON.stringify(batch ? answers : answers[0]);
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function http429(calls: JsonRpcCall[]): HttpAnswer {
  const id = calls.length === 1 ? calls[0]?.id : null;
  return {
    status: 429,
    headers: { 'content-type': 'application/json', 'retry-after': '1' },
    body: JSON.stringify(
      rpcError(id, { code: -32005, message: 'Too Many Requests: rate limited' }),
    ),
  };
}

export function http5xx(status: 502 | 503 | 504): HttpAnswer {
  const title = {
    502: 'Bad Gateway',
    503: 'Service Temporarily Unavailable',
    504: 'Gateway Time-out',
  }[status];
  return {
    status,
    headers: { 'content-type': 'text/html' },
    body: `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  };
}
