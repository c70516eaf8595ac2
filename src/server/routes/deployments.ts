import type { FastifyInstance } from 'fastify';
import { HyperdeployError } from '../../core/errors.ts';
import type { Hyperdeploy } from '../../hyperdeploy.ts';
import { invalidRequest } from '../http-errors.ts';
import { createDeploymentBody, eventsQuery, idParams, listQuery } from '../schemas.ts';

const parse = <T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: import('zod').ZodError };
  },
  value: unknown,
  where: string,
): T => {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRequest(result.error, where);
  return result.data;
};

const notFound = (id: string) =>
  new HyperdeployError('DEPLOYMENT_NOT_FOUND', `No deployment ${id}.`);

/** The deployments API: submit, read, list, journal, cancel. */
export function deploymentRoutes(app: FastifyInstance, hd: Hyperdeploy): void {
  app.post('/v1/deployments', async (request, reply) => {
    const body = parse(createDeploymentBody, request.body, 'body');
    const key = request.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 200)) {
      throw new HyperdeployError(
        'INVALID_REQUEST',
        'Idempotency-Key must be 1 to 200 characters.',
        { step: 'input' },
      );
    }
    const { deployment, created } = await hd.submit(
      {
        chain: body.chain,
        bytecode: body.bytecode,
        abi: body.abi,
        args: body.constructorArgs,
        buildId: body.buildId,
        // `path/File.sol:Name` names the contract for verification; people read the Name.
        ...(body.contractName
          ? { contractName: body.contractName.split(':').pop() as string }
          : {}),
        ...(body.confirmations ? { confirmations: body.confirmations } : {}),
        ...(body.verify === undefined ? {} : { verify: body.verify }),
        ...(body.source !== undefined && body.compilerVersion && body.contractName?.includes(':')
          ? {
              source: {
                standardJsonInput: body.source,
                compilerVersion: body.compilerVersion,
                fullyQualifiedName: body.contractName,
              },
            }
          : {}),
      },
      key ? { idempotencyKey: key } : {},
    );
    return reply.code(created ? 202 : 200).send(deployment);
  });

  app.get('/v1/deployments', async (request) => {
    const query = parse(listQuery, request.query, 'query');
    return hd.list(query);
  });

  app.get('/v1/deployments/:id', async (request) => {
    const { id } = parse(idParams, request.params, 'path');
    const deployment = await hd.get(id);
    if (!deployment) throw notFound(id);
    return deployment;
  });

  app.get('/v1/deployments/:id/events', async (request) => {
    const { id } = parse(idParams, request.params, 'path');
    const { after } = parse(eventsQuery, request.query, 'query');
    if (!(await hd.get(id))) throw notFound(id);
    return { items: await hd.events(id, after) };
  });

  app.post('/v1/deployments/:id/cancel', async (request) => {
    const { id } = parse(idParams, request.params, 'path');
    return hd.cancel(id, 'cancelled through the API');
  });
}
