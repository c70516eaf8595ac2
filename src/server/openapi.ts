import { z } from 'zod';
import {
  createDeploymentBody,
  deploymentSchema,
  errorBody,
  eventsQuery,
  listQuery,
  streamQuery,
} from './schemas.ts';

const json = (schema: z.ZodType) => ({
  'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
});
const error = (description: string) => ({ description, content: json(errorBody) });
const queryParams = (schema: z.ZodObject) =>
  Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: z.toJSONSchema(field as z.ZodType, { io: 'input', unrepresentable: 'any' }),
  }));
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** The OpenAPI document, generated from the same zod schemas that validate requests. */
export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'hyperdeploy',
      version,
      description: 'Journaled, crash-safe smart contract deployments.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/v1/deployments': {
        post: {
          summary:
            'Submit a deployment (Idempotency-Key header: same key and body → the same deployment)',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              schema: { type: 'string', maxLength: 200 },
            },
          ],
          requestBody: { required: true, content: json(createDeploymentBody) },
          responses: {
            '202': { description: 'Accepted: the new deployment', content: json(deploymentSchema) },
            '200': {
              description: 'The deployment an earlier request with this key made',
              content: json(deploymentSchema),
            },
            '400': error('Invalid bytecode, ABI, arguments, chain or body; nothing stored'),
            '401': error('Missing or invalid token'),
            '409': error('Idempotency-Key used with another body'),
            '413': error('Body too large'),
          },
        },
        get: {
          summary: 'List deployments, newest first',
          parameters: queryParams(listQuery),
          responses: {
            '200': { description: '{ items, nextCursor }' },
            '400': error('Invalid query'),
          },
        },
      },
      '/v1/deployments/{id}': {
        get: {
          summary: 'One deployment',
          parameters: [idParam],
          responses: {
            '200': { description: 'The deployment', content: json(deploymentSchema) },
            '404': error('Unknown id'),
          },
        },
      },
      '/v1/deployments/{id}/events': {
        get: {
          summary: 'The journal (with log entries)',
          parameters: [idParam, ...queryParams(eventsQuery)],
          responses: { '200': { description: '{ items }' }, '404': error('Unknown id') },
        },
      },
      '/v1/deployments/{id}/cancel': {
        post: {
          summary: 'Cancel before a transaction is signed',
          parameters: [idParam],
          responses: {
            '200': { description: 'Cancelled', content: json(deploymentSchema) },
            '409': error('A transaction was signed'),
            '404': error('Unknown id'),
          },
        },
      },
      '/v1/stream': {
        get: {
          summary: 'WebSocket: journal events live; after=SEQ replays what was missed',
          parameters: queryParams(streamQuery),
          responses: { '101': { description: 'Switching protocols' } },
        },
      },
      '/v1/chains': {
        get: {
          summary: 'Configured chains (no RPC URLs)',
          responses: { '200': { description: '{ items }' } },
        },
      },
      '/healthz': {
        get: { summary: 'Liveness', security: [], responses: { '200': { description: 'ok' } } },
      },
      '/readyz': {
        get: {
          summary: 'Readiness (store answers)',
          security: [],
          responses: { '200': { description: 'ready' }, '503': error('Store unavailable') },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          security: [],
          responses: { '200': { description: 'text/plain' } },
        },
      },
    },
  };
}
