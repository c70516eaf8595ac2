import type { Reply } from './etherscan-api.ts';

/**
 * Faults the stand-in can inject, each for the next request(s):
 * - `rateLimit`: the rate-limit answer (per `rateLimitStyle`; always 429 on v2 routes);
 * - `http429` (with Retry-After), `http500` (JSON body), `http502` (HTML body);
 * - `html`: HTTP 200 with an HTML page (a proxy's challenge page, a wrong URL);
 * - `timeout`: no answer for `hangMs` (default: until stop), then the socket is closed;
 * - `reset`: the connection is destroyed without an answer.
 */
export type StandInFault =
  | 'rateLimit'
  | 'http429'
  | 'http500'
  | 'http502'
  | 'html'
  | 'timeout'
  | 'reset';

export interface FaultSpec {
  fault: StandInFault;
  /** How many requests get it (default 1). */
  times?: number;
  /** Only requests to `/api` or to the v2 routes (default any). */
  route?: 'api' | 'v2' | 'any';
}

/** How rate limits are answered on `/api`: HTTP 200 NOTOK (Etherscan, Blockscout) or 429. */
export type RateLimitStyle = 'etherscan' | 'http429';

/** Faults waiting for their requests, first queued first served. */
export class FaultQueue {
  readonly #queue: Array<Required<FaultSpec>> = [];

  push(spec: FaultSpec): void {
    this.#queue.push({ fault: spec.fault, times: spec.times ?? 1, route: spec.route ?? 'any' });
  }

  /** The fault for this request, if one is queued for its route. */
  take(isV2: boolean): StandInFault | undefined {
    const index = this.#queue.findIndex((f) => f.route === 'any' || (f.route === 'v2') === isV2);
    const spec = this.#queue[index];
    if (!spec) return undefined;
    if (--spec.times <= 0) this.#queue.splice(index, 1);
    return spec.fault;
  }
}

/** A sliding one-second window over the requests it let through. */
export class RateLimiter {
  #perSecond: number | undefined;
  readonly #served: number[] = [];

  constructor(limit: { perSecond: number } | undefined) {
    this.#perSecond = limit?.perSecond;
  }

  set(limit: { perSecond: number } | undefined): void {
    this.#perSecond = limit?.perSecond;
    this.#served.length = 0;
  }

  /** Counts the request; false when it is over the limit. */
  allow(now: number): boolean {
    if (this.#perSecond === undefined) return true;
    while (this.#served.length > 0 && (this.#served[0] ?? 0) <= now - 1000) this.#served.shift();
    if (this.#served.length >= this.#perSecond) return false;
    this.#served.push(now);
    return true;
  }
}

export const jsonReply = (
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

const MAX_RATE = { status: '0', message: 'NOTOK', result: 'Max rate limit reached' };

/** The rate-limit answer: Etherscan's HTTP 200 envelope on `/api`, or a 429 with Retry-After. */
export function rateLimitedReply(
  isV2: boolean,
  style: RateLimitStyle,
  retryAfterSeconds: string,
): Reply {
  if (!isV2 && style === 'etherscan') return jsonReply(MAX_RATE);
  return jsonReply(isV2 ? { message: 'Too Many Requests' } : MAX_RATE, 429, {
    'retry-after': retryAfterSeconds,
  });
}

const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>Just a moment...</title></head>' +
  '<body>Checking your browser</body></html>';

/** The reply a fault stands for; undefined for `timeout` and `reset`, which do not answer. */
export function faultReply(
  fault: StandInFault,
  isV2: boolean,
  style: RateLimitStyle,
  retryAfterSeconds: string,
): Reply | undefined {
  switch (fault) {
    case 'rateLimit':
      return rateLimitedReply(isV2, style, retryAfterSeconds);
    case 'http429':
      return jsonReply({ message: 'Too Many Requests' }, 429, { 'retry-after': retryAfterSeconds });
    case 'http500':
      return jsonReply({ message: 'Internal server error' }, 500);
    case 'http502':
      return {
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<html><body>502 Bad Gateway</body></html>',
      };
    case 'html':
      return { status: 200, headers: { 'content-type': 'text/html' }, body: HTML_PAGE };
    default:
      return undefined;
  }
}
