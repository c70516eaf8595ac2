import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HyperdeployError } from '../core/errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Checks `Authorization: Bearer <token>` (or, for WebSockets that cannot set headers, a
 * `token` query parameter or a `bearer.<token>` subprotocol) in constant time.
 */
export function requireToken(expected: string | undefined) {
  const wanted = expected ? digest(expected) : null;
  return async (request: FastifyRequest): Promise<void> => {
    if (!wanted) return;
    const presented = tokenOf(request);
    if (presented === null || !timingSafeEqual(digest(presented), wanted)) {
      throw new HyperdeployError('UNAUTHORIZED', 'Missing or invalid API token.');
    }
  };
}

function tokenOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const query = request.query as { token?: unknown } | undefined;
  if (typeof query?.token === 'string') return query.token;
  const protocols = request.headers['sec-websocket-protocol'];
  const bearer = protocols
    ?.split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith('bearer.'));
  return bearer ? bearer.slice(7) : null;
}
