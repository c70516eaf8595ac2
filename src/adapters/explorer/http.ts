import type { ExplorerAnswer } from '../../ports/explorer.ts';
import { parseRetryAfter } from './answers.ts';

/** What every explorer client takes besides its URLs. */
export interface ExplorerHttpOptions {
  /** Per-request timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
  /** fetch to use (tests, proxies); default the global one. */
  fetch?: typeof fetch;
}

export const DEFAULT_EXPLORER_TIMEOUT_MS = 30_000;

/** A reply that arrived, whatever its status. */
export interface HttpReply {
  status: number;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
  /** From Retry-After, when the explorer sent one. */
  retryAfterMs?: number;
}

/** Either a reply, or the `retry_later` answer for a request that got none. */
export type HttpOutcome = { ok: true; reply: HttpReply } | { ok: false; answer: ExplorerAnswer };

/** Replaces the secrets (and their URL-encoded forms) in any text we may show. */
export function secretRedactor(secrets: Array<string | undefined>): (text: string) => string {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    values.add(secret);
    values.add(encodeURIComponent(secret));
  }
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/**
 * One HTTP exchange with a timeout. Network errors and timeouts become `retry_later`; any
 * reply that arrived (2xx, 4xx, 5xx) is returned for the caller to read. Never throws.
 */
export async function exchange(
  url: string,
  init: RequestInit,
  options: { timeoutMs: number; fetch: typeof fetch; redact: (text: string) => string },
): Promise<HttpOutcome> {
  try {
    const response = await options.fetch(url, {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    return {
      ok: true,
      reply: {
        status: response.status,
        text,
        json,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    };
  } catch (error) {
    return {
      ok: false,
      answer: { kind: 'retry_later', message: options.redact(describe(error, options.timeoutMs)) },
    };
  }
}

function describe(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `Explorer did not answer within ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const detail = cause?.code ?? cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return `Explorer unreachable: ${message}${detail && detail !== message ? ` (${detail})` : ''}`;
}

/** `https://x/` + `/path` without a double slash. */
export const joinUrl = (base: string, path: string): string =>
  `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
