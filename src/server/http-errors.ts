import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { type ErrorCode, HyperdeployError, isHyperdeployError } from '../core/errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { Redactor } from '../logging/redact.ts';

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  DEPLOYMENT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  CANCEL_NOT_ALLOWED: 409,
  IDEMPOTENCY_CONFLICT: 409,
  SIGNER_MISSING: 503,
  INTERNAL: 500,
};

/** Turns a failed zod parse into INVALID_REQUEST naming the field. */
export function invalidRequest(error: z.ZodError, where: string): HyperdeployError {
  const issue = error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : '(root)';
  return new HyperdeployError(
    'INVALID_REQUEST',
    `${where} ${path}: ${issue?.message ?? 'invalid'}`,
    {
      step: 'input',
      details: { field: path },
    },
  );
}

/** The one error handler: every 4xx/5xx body is `{ error: { code, message, hint?, details? } }`. */
export function installErrorHandler(app: FastifyInstance, logger: Logger, redact: Redactor): void {
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send(
        body(
          new HyperdeployError(
            'NOT_FOUND',
            `No route ${request.method} ${request.url.split('?')[0]}.`,
          ),
          redact,
        ),
      );
  });
  app.setErrorHandler((error: FastifyError | HyperdeployError, _request, reply) => {
    if (isHyperdeployError(error)) {
      return reply.code(STATUS_OF[error.code] ?? 400).send(body(error, redact));
    }
    if (error.statusCode === 413) {
      return reply.code(413).send(
        body(
          new HyperdeployError('INVALID_REQUEST', 'The request body is too large.', {
            hint: 'Send at most 2 MiB; bytecode and ABI of one contract fit easily.',
          }),
          redact,
        ),
      );
    }
    if (error.statusCode && error.statusCode < 500) {
      // Fastify's own 4xx: malformed JSON, wrong content type.
      return reply.code(error.statusCode).send(
        body(
          new HyperdeployError('INVALID_REQUEST', error.message, {
            hint: 'Send a JSON body with Content-Type: application/json.',
          }),
          redact,
        ),
      );
    }
    logger.error({ err: error, event: 'http.error' }, 'unexpected error in a request');
    return reply
      .code(500)
      .send(
        body(
          new HyperdeployError('INTERNAL', 'An unexpected error happened; it has been logged.'),
          redact,
        ),
      );
  });
}

function body(error: HyperdeployError, redact: Redactor) {
  return {
    error: {
      code: error.code,
      message: redact(error.message),
      hint: redact(error.hint),
      ...(error.details ? { details: error.details } : {}),
    },
  };
}
