import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  ConsecutiveBreaker,
  circuitBreaker,
  DelegateBackoff,
  handleWhen,
  type IRetryBackoffContext,
  noop,
  retry,
} from 'cockatiel';
import { custom, type EIP1193RequestFn, type Transport } from 'viem';
import { classify } from '../../core/classify.ts';
import { batchingHttp } from './batching-http.ts';

export interface ResilientTransportOptions {
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** Attempts per call, over all URLs (default 4). */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter (default 250 ms). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Consecutive transient failures that open a URL's circuit (default 5). */
  breakerThreshold?: number;
  /** How long an open circuit stays open before one trial call (default 10 s). */
  halfOpenAfterMs?: number;
  /** Most JSON-RPC calls per HTTP request; calls made in the same tick are batched (default 100). */
  maxBatchSize?: number;
}

interface Endpoint {
  request: EIP1193RequestFn;
  breaker: CircuitBreakerPolicy | typeof noop;
}

/** Transient failures are worth another try, here or at the next URL; the rest are answers. */
const isTransient = (error: unknown): boolean =>
  error instanceof BrokenCircuitError || classify(error).disposition === 'retry';

/**
 * A viem transport over several RPC URLs: each call goes to the first URL whose circuit is
 * closed, fails over to the next on a transient failure, and is retried with exponential
 * backoff and jitter, waiting as long as a 429's Retry-After asks. Answers such as "nonce too
 * low" or a revert are returned at once, never retried or sprayed. A raw transaction reaches
 * a second URL only when the first failed in transport — the same signed bytes, so at most
 * one of them can be mined. Calls made in the same turn of the event loop travel to a URL as one
 * JSON-RPC batch; each is still retried and failed over on its own.
 */
export function resilientTransport(urls: string[], options: ResilientTransportOptions): Transport {
  // A breaker only helps to skip a failing URL for another: with one URL it would only refuse.
  const endpoints: Endpoint[] = urls.map((url) => ({
    request: batchingHttp(url, {
      timeoutMs: options.timeoutMs,
      ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
    }),
    breaker:
      urls.length > 1
        ? circuitBreaker(handleWhen(isTransient), {
            halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
            breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
          })
        : noop,
  }));
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 10_000;
  const policy = retry(handleWhen(isTransient), {
    maxAttempts: (options.maxAttempts ?? 4) - 1,
    backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
      const error = 'error' in context.result ? context.result.error : undefined;
      const retryAfterMs = error ? classify(error).retryAfterMs : undefined;
      if (retryAfterMs !== undefined) return Math.min(retryAfterMs, max);
      const exponential = Math.min(max, base * 2 ** context.attempt);
      return Math.round(exponential * (0.5 + Math.random() / 2));
    }),
  });
  const request = (args: Parameters<EIP1193RequestFn>[0]) =>
    policy.execute(() => firstHealthy(endpoints, args));
  return custom(
    { request: request as EIP1193RequestFn },
    { retryCount: 0, key: 'resilient', name: 'Resilient HTTP' },
  );
}

async function firstHealthy(
  endpoints: Endpoint[],
  args: Parameters<EIP1193RequestFn>[0],
): Promise<unknown> {
  let lastError: unknown;
  for (const endpoint of endpoints) {
    try {
      return await endpoint.breaker.execute(() => endpoint.request(args));
    } catch (error) {
      if (!isTransient(error)) throw error;
      lastError = error;
    }
  }
  throw lastError ?? new BrokenCircuitError();
}
