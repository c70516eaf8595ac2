import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook, startWebhooks } from '../../src/server/webhooks.ts';
import { startChain, type TestChain } from '../harness/chains.ts';
import { sample } from '../harness/contracts.ts';
import { startTestServer, type TestServer } from '../harness/server.ts';

const SECRET = 'whsec-0123456789abcdef';

describe('webhooks', () => {
  let chain: TestChain;
  let api: TestServer;
  beforeAll(async () => {
    chain = await startChain('metis-sepolia', { blockTimeSec: 0.2 });
    api = await startTestServer(chain);
  });
  afterAll(async () => {
    await api?.close();
    await chain?.anvil.stop();
  });

  it('posts each status change signed with HMAC-SHA256, retries a failing endpoint, and journals the outcome', async () => {
    const received: Array<{ status: string; valid: boolean }> = [];
    let calls = 0;
    const receiver = createServer(async (request: IncomingMessage, response) => {
      const body = await new Promise<string>((resolve) => {
        let text = '';
        request.on('data', (chunk) => (text += chunk));
        request.on('end', () => resolve(text));
      });
      // The very first delivery fails: it must be retried.
      if (++calls === 1) return response.writeHead(503).end();
      const timestamp = String(request.headers['x-hyperdeploy-timestamp']);
      const valid =
        request.headers['x-hyperdeploy-signature'] === signWebhook(SECRET, timestamp, body);
      received.push({ status: JSON.parse(body).deployment.status, valid });
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook?key=secret-in-path`;
    const stop = startWebhooks(api.hd, { urls: [url], secret: SECRET, initialDelayMs: 20 });

    const counter = await sample('Counter.sol');
    const deployment = await api.hd.deploy({
      chain: 'metis-sepolia',
      bytecode: counter.bytecode,
      abi: counter.abi,
    });
    expect(deployment.status).toBe('complete');
    for (let i = 0; i < 100 && !received.some((r) => r.status === 'complete'); i++)
      await new Promise((r) => setTimeout(r, 50));
    stop();
    receiver.close();

    expect(received.every((r) => r.valid)).toBe(true);
    expect(received.map((r) => r.status)).toEqual(
      expect.arrayContaining(['pending', 'submitted', 'confirming', 'complete']),
    );
    const logs = (await api.hd.events(deployment.id)).filter(
      (e) => e.type === 'log' && e.event === 'webhook.delivered',
    );
    expect(logs.length).toBeGreaterThanOrEqual(4);
    expect(logs.some((e) => e.type === 'log' && e.data?.attempts === 2)).toBe(true);
    expect(JSON.stringify(logs)).not.toContain('secret-in-path');
  });
});
