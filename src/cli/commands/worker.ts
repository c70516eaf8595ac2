import { pino } from 'pino';
import { type GlobalFlags, openApp } from '../app.ts';
import { EXIT } from '../exit.ts';
import { untilSignal } from '../until-signal.ts';

export interface WorkerFlags extends GlobalFlags {
  chain?: string;
  rpc: string[];
  leaseMs: number;
  pollMs: number;
  concurrency: number;
  owner?: string;
}

/**
 * Runs deployments from the store until SIGINT/SIGTERM: claims due ones under a lease,
 * heartbeats, and takes over those of workers that died. Start several against one PostgreSQL
 * store; on SIGTERM it stops at the next wait and releases its leases.
 */
export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const { app } = await openApp(
    { ...flags, logLevel: flags.logLevel ?? 'info' },
    { ...(flags.chain ? { chain: flags.chain } : {}), rpc: flags.rpc },
    pino.destination({ fd: 1, sync: false }),
  );
  app.startWorker({
    leaseMs: flags.leaseMs,
    pollMs: flags.pollMs,
    concurrency: flags.concurrency,
    ...(flags.owner ? { owner: flags.owner } : {}),
  });
  const signal = await untilSignal();
  app.logger.info({ event: 'worker.stopping', signal }, `${signal}: releasing leases`);
  await app.close();
  return EXIT.ok;
}
