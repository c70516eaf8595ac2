import type { FastifyInstance } from 'fastify';
import type { Hyperdeploy } from '../../hyperdeploy.ts';

/** Liveness (the process answers) and readiness (the store answers). */
export function healthRoutes(app: FastifyInstance, hd: Hyperdeploy): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await hd.list({ limit: 1 });
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({
        error: {
          code: 'INTERNAL',
          message: 'The store does not answer.',
          hint: 'Check the database file or server.',
        },
      });
    }
  });
}
