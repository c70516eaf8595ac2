import type { ExplorerAnswer } from '../../ports/explorer.ts';

/**
 * Every explorer answer we know, mapped to what the caller should do. Pure: no IO, no clock.
 *
 * Explorers answer errors with HTTP 200 and put the text in either field of the Etherscan
 * envelope: Etherscan and Routescan say `{"status":"0","message":"NOTOK","result":"<text>"}`,
 * Blockscout says `{"status":"0","message":"<text>","result":null}`, and Blockscout answers
 * `checkverifystatus` with `status: "1"` even for "Pending in queue" and "Fail - Unable to
 * verify". So the decision is made on the text (message and result), never on `status`.
 */

export type AnswerKind = ExplorerAnswer['kind'];

export interface KnownAnswer {
  /** Stable name of the rule, for logs and tests. */
  id: string;
  /** Matched against the explorer's text, case-insensitively. */
  pattern: RegExp;
  kind: AnswerKind;
  /** For `verified`: the explorer already had the source (success all the same). */
  alreadyVerified?: boolean;
  /** Who says it, and why it maps this way. */
  note: string;
}

/** First match wins: the order matters (a `Fail - …` text may mention anything after it). */
export const KNOWN_ANSWERS: readonly KnownAnswer[] = [
  {
    id: 'pass',
    pattern: /^\s*pass\s*-\s*verified/i,
    kind: 'verified',
    alreadyVerified: false,
    note: '`Pass - Verified`: checkverifystatus after a successful verification (all explorers).',
  },
  {
    id: 'already_verified',
    pattern: /already\s+verified/i,
    kind: 'verified',
    alreadyVerified: true,
    note:
      '`Smart-contract already verified.` (Blockscout /api), `Already Verified` (Etherscan ' +
      'checkverifystatus), `Contract source code already verified` (Etherscan/Routescan ' +
      'submit), `Already verified` (Blockscout v2): the source is there, which is success.',
  },
  {
    id: 'fail',
    pattern: /^\s*fail\s*-/i,
    kind: 'failed',
    note:
      "`Fail - Unable to verify` (+ Etherscan's reason): a completed check found the " +
      'bytecode or the arguments do not match. Terminal; resubmitting the same input fails again.',
  },
  {
    id: 'pending',
    pattern: /pending\s+in\s+queue|\bin\s+progress\b/i,
    kind: 'pending',
    note: '`Pending in queue`, `In progress`: accepted, not checked yet. Poll the same reference.',
  },
  {
    id: 'started',
    pattern: /verification\s+started/i,
    kind: 'pending',
    note:
      '`Smart-contract verification started` (Blockscout v2; older versions say `Verification ' +
      'started`): queued; v2 gives no id, the address is the reference.',
  },
  {
    id: 'not_indexed',
    pattern:
      /address\s+is\s+not\s+(?:a\s+)?smart[-\s]?contract|unable\s+to\s+locate\s+contract\s*code/i,
    kind: 'retry_later',
    note:
      '`Address is not a smart-contract` (Blockscout; v2 also `Address is not smart-contract`), ' +
      '`Unable to locate ContractCode at 0x…` (Etherscan/Routescan): the explorer has not ' +
      'indexed the code yet. Retry later.',
  },
  {
    id: 'rate_limited',
    pattern: /rate\s*limit|too\s+many|max\s+calls\s+per/i,
    kind: 'retry_later',
    note:
      '`Max rate limit reached` (Etherscan, Routescan), `Max calls per sec rate limit reached ' +
      '(5/sec)`, `Too Many Requests` (Blockscout 429): retry later, after Retry-After if given.',
  },
  {
    id: 'unknown_uid',
    pattern: /unknown\s+uid/i,
    kind: 'retry_later',
    note:
      '`Unknown UID`: the explorer lost the guid (restart, queue purge, another node). The ' +
      'submission is gone, not refused: submit again (submit checks "already verified" first).',
  },
  {
    id: 'transient',
    pattern:
      /time(?:d)?\s*out|temporar|try\s+again\s+later|service\s+unavailable|bad\s+gateway|internal\s+server\s+error|server\s+is\s+busy|overloaded|ECONN|ETIMEDOUT|socket hang up/i,
    kind: 'retry_later',
    note:
      'Network-ish or overload texts (`Query Timeout occured`, `Service Unavailable`, ' +
      '`try again later`): the explorer, not the input, had a problem. Retry later.',
  },
  {
    id: 'bad_constructor_arguments',
    pattern: /constructor\s+argument/i,
    kind: 'failed',
    note: '`Invalid constructor arguments …`: the ABI-encoded arguments are not the deployed ones.',
  },
  {
    id: 'bytecode_mismatch',
    pattern: /bytecode\s+does\s+not\s+match|does\s+not\s+match|do\s+not\s+match/i,
    kind: 'failed',
    note: '`Bytecode does not match`, `… deployment bytecode does NOT match …`: wrong source or settings.',
  },
  {
    id: 'compiler',
    pattern: /compiler|compilation/i,
    kind: 'failed',
    note:
      'Compiler version unknown or unavailable, or the input does not compile on the explorer: ' +
      'terminal for this input.',
  },
  {
    id: 'api_key',
    pattern: /api\s*-?\s*key/i,
    kind: 'failed',
    note: '`Invalid API Key`, `Missing/Invalid API Key`: a configuration problem, not a transient one.',
  },
  {
    id: 'unable_to_verify',
    pattern: /unable\s+to\s+verify/i,
    kind: 'failed',
    note: '`Unable to verify …` without the `Fail -` prefix: terminal as well.',
  },
];

/** Unknown texts are refusals: `failed` with the explorer's words (see KNOWN_ANSWERS). */
export function classifyText(text: string): KnownAnswer | undefined {
  return KNOWN_ANSWERS.find((rule) => rule.pattern.test(text));
}

/** The Etherscan-compatible envelope, as parsed JSON: any field may be missing or odd. */
export interface EtherscanEnvelope {
  status?: unknown;
  message?: unknown;
  result?: unknown;
}

const GENERIC = /^(?:ok|notok|error)$/i;

const asText = (value: unknown): string => {
  if (typeof value === 'string') return value.trim();
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return '';
  }
};

const sameText = (a: string, b: string): boolean => {
  const norm = (s: string) => s.toLowerCase().replace(/[.\s]+$/, '');
  return norm(a) === norm(b) || norm(a).includes(norm(b)) || norm(b).includes(norm(a));
};

/**
 * What the explorer said, from both fields: `message` unless it is a bare OK/NOTOK, then
 * `result` unless it repeats the message. `Smart-contract already verified.` +
 * `Smart-contract already verified` is said once.
 */
export function envelopeText(envelope: EtherscanEnvelope): string {
  const message = asText(envelope.message);
  const result = Array.isArray(envelope.result) ? '' : asText(envelope.result);
  const parts: string[] = [];
  if (message && !GENERIC.test(message)) parts.push(message);
  if (result && !parts.some((part) => sameText(part, result))) parts.push(result);
  if (parts.length === 0 && message) parts.push(message);
  return parts.join(': ');
}

export interface EnvelopeContext {
  /** `submit` (verifysourcecode) or `check` (checkverifystatus). */
  phase: 'submit' | 'check';
  /** The guid being checked; a pending answer keeps it. */
  reference?: string;
}

/** Maps one Etherscan-compatible envelope to an answer. Never throws. */
export function answerFromEnvelope(
  envelope: EtherscanEnvelope,
  context: EnvelopeContext,
): ExplorerAnswer {
  const text = envelopeText(envelope);
  const status = asText(envelope.status);
  const result = typeof envelope.result === 'string' ? envelope.result.trim() : '';

  // A submission accepted: `{"status":"1","message":"OK","result":"<guid>"}`.
  if (context.phase === 'submit' && status === '1' && result && !classifyText(result)) {
    return {
      kind: 'pending',
      reference: result,
      message: `Submitted for verification (guid ${result})`,
    };
  }
  const rule = classifyText(text);
  if (!rule) {
    const shown = text || `an empty answer (status ${status || 'missing'})`;
    return { kind: 'failed', message: shown };
  }
  return fromRule(rule, text, context.reference);
}

/** Builds the answer a rule stands for; `pending` without a reference cannot be polled. */
export function fromRule(rule: KnownAnswer, text: string, reference?: string): ExplorerAnswer {
  switch (rule.kind) {
    case 'verified':
      return { kind: 'verified', alreadyVerified: rule.alreadyVerified === true, message: text };
    case 'pending':
      return reference
        ? { kind: 'pending', reference, message: text }
        : { kind: 'retry_later', message: `${text} (no reference to poll: submit again later)` };
    case 'retry_later':
      return { kind: 'retry_later', message: text };
    case 'failed':
      return { kind: 'failed', message: text };
  }
}

/**
 * HTTP answers that say "not now" whatever the body: 429, 408, 425 and every 5xx.
 * Returns undefined for other statuses, which the caller reads as an answer.
 */
export function transientHttpAnswer(
  httpStatus: number,
  bodyText: string,
  retryAfterMs?: number,
): ExplorerAnswer | undefined {
  if (httpStatus !== 429 && httpStatus !== 408 && httpStatus !== 425 && httpStatus < 500) {
    return undefined;
  }
  const excerpt = bodyExcerpt(bodyText);
  const label = httpStatus === 429 ? 'rate limited' : 'unavailable';
  return {
    kind: 'retry_later',
    message: `Explorer ${label} (HTTP ${httpStatus})${excerpt ? `: ${excerpt}` : ''}`,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/** A short, one-line excerpt of a body for messages (the text of a JSON `message` if any). */
export function bodyExcerpt(bodyText: string, max = 200): string {
  let text = bodyText.trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown; result?: unknown };
    if (parsed && typeof parsed === 'object') {
      const found = envelopeText(parsed);
      if (found) text = found;
    }
  } catch {
    // Not JSON: HTML error pages are shown without their tags.
    text = text.replace(/<[^>]*>/g, ' ');
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Retry-After in milliseconds: delta-seconds or an HTTP date (relative to `nowMs`).
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(
  header: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
