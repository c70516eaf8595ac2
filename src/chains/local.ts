import type { ChainConfig } from './types.ts';

/** A local anvil on its default port. */
export const local: ChainConfig = {
  name: 'local',
  chainId: 31337,
  displayName: 'Local (anvil)',
  currency: { symbol: 'ETH', decimals: 18 },
  rpc: ['http://127.0.0.1:8545'],
  txType: 'eip1559',
  evmVersion: 'cancun',
  confirmations: 1,
  // Local blocks come in milliseconds; viem's 4 s default would dominate every deploy.
  pollIntervalMs: 50,
};
