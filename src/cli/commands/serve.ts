import { pino } from 'pino';
import { HyperdeployError } from '../../core/errors.ts';
import { buildServer } from '../../server/app.ts';
import { startWebhooks } from '../../server/webhooks.ts';
import { type GlobalFlags, openApp } from '../app.ts';
import { untilSignal } from '../until-signal.ts';

export interface ServeFlags extends GlobalFlags {
  host: string;
  port: number;
  worker: boolean;
  leaseMs: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** API, WebSocket stream, dashboard and worker in one process, until SIGINT/SIGTERM. */
export async function serveCommand(flags: ServeFlags): Promise<number> {
  const apiToken = process.env.HYPERDEPLOY_API_TOKEN?.trim() || undefined;
  if (!apiToken && !LOOPBACK.has(flags.host)) {
    throw new HyperdeployError(
      'CONFIG_INVALID',
      `Refusing to listen on ${flags.host} without an API token.`,
      {
        step: 'config',
        hint: 'Set HYPERDEPLOY_API_TOKEN, or listen on 127.0.0.1.',
      },
    );
  }
  const { app: hd, config } = await openApp(
    { ...flags, logLevel: flags.logLevel ?? 'info' },
    {},
    pino.destination({ fd: 1, sync: false }),
    { runSubmitted: false },
  );
  // Deployments that workers on other processes run reach this node's stream too.
  await hd.followStore();
  const server = await buildServer({
    hd,
    chains: config.chains,
    logger: hd.logger,
    ...(apiToken ? { apiToken } : {}),
  });
  startWebhooks(hd, config.webhooks);
  const address = await server.listen({ host: flags.host, port: flags.port });
  hd.logger.info(
    { event: 'server.listening', url: address, worker: flags.worker },
    `hyperdeploy serving on ${address}`,
  );
  // The worker claims what is due — what an earlier process left too — and every new submission.
  if (flags.worker) hd.startWorker({ leaseMs: flags.leaseMs });
  await untilSignal();
  await server.close();
  await hd.close();
  return 0;
}
