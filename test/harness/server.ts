import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { createHyperdeploy, type Hyperdeploy } from '../../src/hyperdeploy.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { buildServer } from '../../src/server/app.ts';
import { chainsByName, fundedKey, type TestChain, tempDbPath } from './chains.ts';

export interface TestServer {
  url: string;
  hd: Hyperdeploy;
  server: FastifyInstance;
  db: string;
  privateKey: `0x${string}`;
  /** Every JSON log line written so far. */
  logs: string[];
  request(
    path: string,
    init?: RequestInit & { json?: unknown },
  ): Promise<{ status: number; body: any; text: string }>;
  close(): Promise<void>;
}

/** The real server on a loopback port, over a real store and chain. */
export async function startTestServer(
  chain: TestChain,
  options: { apiToken?: string; samples?: boolean } = {},
): Promise<TestServer> {
  const { privateKey } = await fundedKey([chain]);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const db = tempDbPath();
  const hd = createHyperdeploy({
    db,
    chains: chainsByName(chain),
    privateKey,
    logger: createLogger({ level: 'debug', destination }),
    ...(options.apiToken ? { secrets: [options.apiToken] } : {}),
  });
  const server = await buildServer({
    hd,
    chains: chainsByName(chain),
    logger: hd.logger,
    ...options,
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    hd,
    server,
    db,
    privateKey,
    logs,
    async request(path, init = {}) {
      const { json, headers, ...rest } = init;
      const response = await fetch(url + path, {
        ...rest,
        headers: {
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
          ...(headers as Record<string, string>),
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
      const text = await response.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: response.status, body, text };
    },
    async close() {
      await server.close();
      await hd.close();
    },
  };
}
