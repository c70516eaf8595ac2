import type { ChainConfig } from './types.ts';

/** Metis Hyperion testnet: Metis SDK (reth based); fee model and fork unconfirmed live. */
export const hyperionTestnet: ChainConfig = {
  name: 'hyperion-testnet',
  chainId: 133717,
  displayName: 'Metis Hyperion Testnet',
  currency: { symbol: 'tMETIS', decimals: 18 },
  rpc: ['https://hyperion-testnet.metisdevops.link'],
  explorer: {
    type: 'etherscan',
    url: 'https://hyperion-testnet-explorer.metisdevops.link',
    api: 'https://hyperion-testnet-explorer.metisdevops.link/api',
  },
  // No primary source confirms type-2 support; legacy (type 0) is accepted by every EVM node.
  txType: 'legacy',
  // Metis SDK FAQ claims Pectra and the official Hardhat guide compiles for cancun.
  evmVersion: 'cancun',
  confirmations: 2,
  pollIntervalMs: 1000,
};
