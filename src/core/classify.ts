import {
  ALREADY_KNOWN,
  codeOfHttpStatus,
  DECISIVE_HTTP_STATUS,
  DECISIVE_RPC_CODES,
  DISPOSITION_OF_CODE,
  type Disposition,
  FUNDS_ALLOWANCE,
  GAS_PRICE_BAND,
  MESSAGE_RULES,
  NAME_RULES,
  TRANSPORT_ERROR_NAMES,
} from './classify-rules.ts';
import { ERROR_CATALOGUE, type ErrorCode } from './errors.ts';

export type { Disposition } from './classify-rules.ts';

/** A thrown value mapped to a catalogue code and what to do about it. */
export interface Classified {
  code: ErrorCode;
  /** What the caller should do: retry, re-sign with higher fees, resync the nonce, fail, or nothing. */
  disposition: Disposition;
  /** One line, credential-free: no URL, no request body. */
  message: string;
  /** How long the endpoint asked us to wait (HTTP `Retry-After`, or the provider's backoff). */
  retryAfterMs?: number;
  /** The gas price the node named (l2geth band: `use at least/most tx.gasPrice = Y wei`). */
  suggestedGasPriceWei?: bigint;
  /** The HTTP status of the failed request, when there was one. */
  httpStatus?: number;
}

/** One error of the `cause` chain, reduced to the fields the rules read. */
interface Link {
  name: string;
  /** viem's shortMessage, else the first line of message. */
  head: string;
  /** What the rules match: viem's details, or the whole message without URLs. */
  text: string;
  /** viem's details: the cause's words, when the link is a viem error. */
  detail?: string;
  ownCode?: ErrorCode;
  rpcCode?: number;
  status?: number;
  retryAfter?: string;
  backoffSeconds?: number;
}

const MAX_DEPTH = 10;
const MAX_MESSAGE_CHARS = 300;
const URL_PATTERN = /\b[a-z][a-z\d+.-]*:\/\/[^\s"'<>]+/gi;

/**
 * Maps any thrown value to a catalogue code and a disposition. Pure: reads names, codes and
 * messages only. `now` (epoch ms) converts an HTTP-date `Retry-After` into a delay.
 */
export function classify(error: unknown, now?: number): Classified {
  const links = causeChain(error);
  const text = links.map((link) => `${link.head}\n${link.text}`).join('\n');
  const code = codeOf(links, text);
  const suggested = code === 'FEE_TOO_LOW' || code === 'FEE_TOO_HIGH' ? bandPrice(text) : undefined;
  const httpStatus = links.find((link) => link.status !== undefined)?.status;
  const retryAfterMs = retryAfter(links, now);
  return {
    code,
    disposition: dispositionOf(code, suggested),
    message: describe(links, httpStatus, code),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(suggested === undefined ? {} : { suggestedGasPriceWei: suggested }),
    ...(httpStatus === undefined ? {} : { httpStatus }),
  };
}

/** A code's disposition; a price above the band without a named price cannot be fixed by us. */
function dispositionOf(code: ErrorCode, suggested: bigint | undefined): Disposition {
  if (code === 'FEE_TOO_HIGH' && suggested === undefined) return 'fail';
  return DISPOSITION_OF_CODE[code] ?? 'fail';
}

/** Our own codes first, then viem's typed errors, node messages, HTTP statuses, transports. */
function codeOf(links: Link[], text: string): ErrorCode {
  return (
    links.find((link) => link.ownCode)?.ownCode ??
    codeByName(links, text) ??
    MESSAGE_RULES.find(([pattern]) => pattern.test(text))?.[1] ??
    codeByStatus(links) ??
    (links.some((link) => TRANSPORT_ERROR_NAMES.has(link.name)) ? 'RPC_UNAVAILABLE' : 'INTERNAL')
  );
}

/** The first link whose class, decisive status or JSON-RPC code settles the code. */
function codeByName(links: Link[], text: string): ErrorCode | undefined {
  for (const link of links) {
    // viem files "already known" under NonceTooLowError: for our own raw tx that is success.
    if (link.name === 'NonceTooLowError') {
      return ALREADY_KNOWN.test(text) ? 'TX_ALREADY_KNOWN' : 'NONCE_CONFLICT';
    }
    // viem files a balance-capped estimate ("exceeds allowance") under ExecutionRevertedError.
    if (link.name === 'ExecutionRevertedError') {
      return FUNDS_ALLOWANCE.test(text) ? 'INSUFFICIENT_FUNDS' : 'TX_REVERTED';
    }
    const code =
      NAME_RULES[link.name] ??
      (link.status === undefined ? undefined : DECISIVE_HTTP_STATUS[link.status]) ??
      (link.rpcCode === undefined ? undefined : DECISIVE_RPC_CODES[link.rpcCode]);
    if (code) return code;
  }
  return undefined;
}

function codeByStatus(links: Link[]): ErrorCode | undefined {
  for (const link of links) {
    const code = link.status === undefined ? undefined : codeOfHttpStatus(link.status);
    if (code) return code;
  }
  return undefined;
}

function bandPrice(text: string): bigint | undefined {
  const match = GAS_PRICE_BAND.exec(text);
  return match?.[1] === undefined ? undefined : BigInt(match[1]);
}

/** `Retry-After` in seconds or as an HTTP date (needs `now`), else a provider's backoff field. */
function retryAfter(links: Link[], now: number | undefined): number | undefined {
  for (const link of links) {
    const value = link.retryAfter?.trim();
    if (value && /^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
    if (value && now !== undefined) {
      const at = Date.parse(value);
      if (Number.isFinite(at)) return Math.max(0, at - now);
    }
    if (link.backoffSeconds !== undefined) return Math.round(link.backoffSeconds * 1000);
  }
  return undefined;
}

/** The top error's short message plus the node's words when they add something; one line. */
function describe(links: Link[], httpStatus: number | undefined, code: ErrorCode): string {
  const top = links[0];
  if (!top) return 'Unknown error.';
  const innermost = links.at(-1) ?? top;
  const detail = firstLine(links.length > 1 ? innermost.head : (top.detail ?? ''));
  // viem's NonceTooLowError words ("nonce is lower") would mislead for an already-known tx.
  if (code === 'TX_ALREADY_KNOWN' && detail) return sanitize(detail);
  let message = top.head || top.name;
  if (httpStatus !== undefined && !message.includes(String(httpStatus))) {
    message = `${message.replace(/\.$/, '')} (HTTP ${httpStatus})`;
  }
  if (detail && !message.toLowerCase().includes(detail.toLowerCase())) {
    message = `${message.replace(/[.:]$/, '')}: ${detail}`;
  }
  return sanitize(message);
}

/** One line: HTML tags and URLs (which may carry keys) removed, long hex and length trimmed. */
function sanitize(message: string): string {
  const line = message
    .replace(/<\/?[a-z][^>]*>/gi, ' ')
    .replace(URL_PATTERN, '<url>')
    .replace(/[^\s/@:]+:[^\s/@:]+@[^\s/]+/g, '<url>')
    .replace(/0x[\da-f]{80,}/gi, (hex) => `${hex.slice(0, 18)}…`)
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS - 1)}…` : line;
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').trim();
}

/** The error and its causes, outermost first. */
function causeChain(error: unknown): Link[] {
  const links: Link[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < MAX_DEPTH; depth++) {
    links.push(toLink(current));
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return links;
}

function toLink(value: unknown): Link {
  if (typeof value !== 'object' || value === null) {
    const text = String(value);
    return { name: 'Error', head: firstLine(text), text };
  }
  const record = value as Record<string, unknown>;
  const message = str(record.message) ?? '';
  const short = str(record.shortMessage);
  const detail = short === undefined ? undefined : str(record.details);
  // Match on viem's short message and details only: its full message repeats URL and body.
  const text = short === undefined ? message.replace(URL_PATTERN, '') : (detail ?? '');
  const code = record.code;
  return {
    name: str(record.name) ?? 'Error',
    head: firstLine(short ?? message),
    text: typeof code === 'string' && !(code in ERROR_CATALOGUE) ? `${text}\n${code}` : text,
    ...(detail === undefined ? {} : { detail }),
    ...(isCatalogueCode(code) && str(record.hint) !== undefined ? { ownCode: code } : {}),
    ...(typeof code === 'number' ? { rpcCode: code } : {}),
    ...(isHttpStatus(record.status) ? { status: record.status } : {}),
    ...optional('retryAfter', header(record.headers, 'retry-after')),
    ...optional('backoffSeconds', backoffSeconds(record.data)),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const isHttpStatus = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;

const isCatalogueCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && value in ERROR_CATALOGUE;

/** A header from a `Headers` object or a plain record, case-insensitive. */
function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') return str(get.call(headers, name)) ?? undefined;
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return str(entry?.[1]);
}

/** Infura-style `data: { rate: { backoff_seconds } }` on a rate-limit error. */
function backoffSeconds(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const record = data as { backoff_seconds?: unknown; rate?: { backoff_seconds?: unknown } };
  const value = record.rate?.backoff_seconds ?? record.backoff_seconds;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
