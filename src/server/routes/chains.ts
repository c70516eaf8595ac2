import type { FastifyInstance } from 'fastify';
import type { ChainConfig } from '../../chains/types.ts';

/** The configured chains, without RPC URLs (they may carry credentials). */
export function chainRoutes(app: FastifyInstance, chains: Record<string, ChainConfig>): void {
  const publicChains = Object.values(chains).map((chain) => ({
    name: chain.name,
    chainId: chain.chainId,
    displayName: chain.displayName,
    currency: chain.currency,
    txType: chain.txType,
    evmVersion: chain.evmVersion,
    confirmations: chain.confirmations,
    explorerUrl: chain.explorer?.url ?? null,
  }));
  app.get('/v1/chains', async () => ({ items: publicChains }));
}
