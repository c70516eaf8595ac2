import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { ChainConfig } from '../chains/types.ts';
import type { Hyperdeploy } from '../hyperdeploy.ts';
import type { Logger } from '../logging/logger.ts';
import { requireToken } from './auth.ts';
import { installErrorHandler } from './http-errors.ts';
import { openApiDocument } from './openapi.ts';
import { chainRoutes } from './routes/chains.ts';
import { deploymentRoutes } from './routes/deployments.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { sampleRoutes } from './routes/samples.ts';
import { streamRoutes } from './routes/stream.ts';

const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

export interface ServerOptions {
  hd: Hyperdeploy;
  chains: Record<string, ChainConfig>;
  logger: Logger;
  /** HYPERDEPLOY_API_TOKEN: required on /v1 and the stream when set. */
  apiToken?: string;
  /** Largest request body in bytes (default 2 MiB). */
  bodyLimit?: number;
  /** Serve `/v1/samples` for the dashboard's deploy form (the demo). */
  samples?: boolean;
}

/** The HTTP API, the WebSocket stream, metrics and the dashboard, on one Fastify instance. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { hd, logger } = options;
  const app: FastifyInstance = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
    // The journal is the log of what matters; per-request lines would drown it.
    logController: new LogController({ disableRequestLogging: true }),
  });
  installErrorHandler(app, logger, hd.redact);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const auth = requireToken(options.apiToken);
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/v1/')) await auth(request);
  });
  deploymentRoutes(app, hd);
  chainRoutes(app, options.chains);
  streamRoutes(app, hd);
  healthRoutes(app, hd);
  metricsRoutes(app, hd);
  if (options.samples) sampleRoutes(app, options.chains);
  const document = openApiDocument('0.1.0');
  app.get('/openapi.json', async () => document);
  if (existsSync(WEB_DIR)) await app.register(fastifyStatic, { root: WEB_DIR, prefix: '/' });
  return app;
}
