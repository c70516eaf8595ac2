import { createHmac } from 'node:crypto';
import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import type { JournalEntry } from '../core/events.ts';
import type { Deployment } from '../core/view.ts';
import type { Hyperdeploy } from '../hyperdeploy.ts';

export interface WebhookOptions {
  urls: string[];
  /** Signs every delivery; without it deliveries are unsigned. */
  secret?: string | undefined;
  /** Attempts per delivery (default 4). */
  attempts?: number;
  /** First retry delay (default 500 ms), doubling. */
  initialDelayMs?: number;
  timeoutMs?: number;
}

/** `X-Hyperdeploy-Signature: sha256=<hex>` over `<timestamp>.<body>`, like Stripe's scheme. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs every status change to the configured URLs, signed with HMAC-SHA256 over the timestamp
 * and the body, retried with backoff; each outcome is journaled on the deployment.
 */
export function startWebhooks(hd: Hyperdeploy, options: WebhookOptions): () => void {
  if (options.urls.length === 0) return () => undefined;
  const policy = retry(handleAll, {
    maxAttempts: (options.attempts ?? 4) - 1,
    backoff: new ExponentialBackoff({
      initialDelay: options.initialDelayMs ?? 500,
      maxDelay: 30_000,
    }),
  });
  const lastStatus = new Map<string, string>();
  return hd.subscribe((entry, deployment) => {
    if (entry.type === 'log' || lastStatus.get(deployment.id) === deployment.status) return;
    lastStatus.set(deployment.id, deployment.status);
    for (const url of options.urls) void deliver(hd, policy, options, url, entry, deployment);
  });
}

async function deliver(
  hd: Hyperdeploy,
  policy: ReturnType<typeof retry>,
  options: WebhookOptions,
  url: string,
  entry: JournalEntry,
  deployment: Deployment,
): Promise<void> {
  const body = JSON.stringify({
    type: 'deployment.status',
    deploymentId: deployment.id,
    seq: entry.seq,
    event: entry.type,
    deployment,
  });
  let attempts = 0;
  try {
    await policy.execute(async () => {
      attempts++;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hyperdeploy-timestamp': timestamp,
          ...(options.secret
            ? { 'x-hyperdeploy-signature': signWebhook(options.secret, timestamp, body) }
            : {}),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    });
    await hd.log(deployment.id, {
      level: 'info',
      event: 'webhook.delivered',
      message: `status ${deployment.status} delivered to ${origin(url)}`,
      data: { attempts, status: deployment.status },
    });
  } catch (error) {
    await hd
      .log(deployment.id, {
        level: 'warn',
        event: 'webhook.failed',
        message: `status ${deployment.status} not delivered to ${origin(url)}: ${(error as Error).message}`,
        data: { attempts, status: deployment.status },
      })
      .catch(() => undefined);
  }
}

/** Only the origin: a webhook URL's path or query may carry a secret. */
const origin = (url: string) => new URL(url).origin;
