import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isTerminal } from '../../core/status.ts';
import type { Hyperdeploy } from '../../hyperdeploy.ts';

const RPC_CODES = new Set(['RPC_TIMEOUT', 'RPC_RATE_LIMITED', 'RPC_UNAVAILABLE']);

/** `/metrics` in Prometheus format, fed by the journal. */
export function metricsRoutes(app: FastifyInstance, hd: Hyperdeploy): void {
  const registry = new Registry();
  new Gauge({
    name: 'hyperdeploy_deployments',
    help: 'Deployments by status and chain id',
    labelNames: ['status', 'chain_id'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await hd.countByStatus())
        this.set({ status: row.status, chain_id: String(row.chainId) }, row.count);
    },
  });
  const retries = new Counter({
    name: 'hyperdeploy_retries_total',
    help: 'Retries scheduled, by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const feeBumps = new Counter({
    name: 'hyperdeploy_fee_bumps_total',
    help: 'Transactions replaced with higher fees',
    registers: [registry],
  });
  const rpcErrors = new Counter({
    name: 'hyperdeploy_rpc_errors_total',
    help: 'Steps failed by RPC errors, by code',
    labelNames: ['code'],
    registers: [registry],
  });
  const stepSeconds = new Histogram({
    name: 'hyperdeploy_step_duration_seconds',
    help: 'Time spent in each status',
    labelNames: ['status'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const entered = new Map<string, { status: string; at: number }>();
  hd.subscribe((entry, deployment) => {
    if (entry.type === 'retry_scheduled') {
      retries.inc({ code: entry.error.code });
      if (RPC_CODES.has(entry.error.code)) rpcErrors.inc({ code: entry.error.code });
    }
    if (entry.type === 'log' && entry.event === 'fees.bumped') feeBumps.inc();
    const previous = entered.get(deployment.id);
    const at = Date.parse(entry.at);
    if (previous && previous.status !== deployment.status)
      stepSeconds.observe({ status: previous.status }, (at - previous.at) / 1000);
    if (!previous || previous.status !== deployment.status)
      entered.set(deployment.id, { status: deployment.status, at });
    if (isTerminal(deployment.status)) entered.delete(deployment.id);
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
