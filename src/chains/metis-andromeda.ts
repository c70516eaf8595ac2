import type { ChainConfig } from './types.ts';

/** Metis Andromeda mainnet: l2geth, legacy transactions only, Berlin + PUSH0 (see CHAINS.md). */
export const metisAndromeda: ChainConfig = {
  name: 'metis-andromeda',
  chainId: 1088,
  displayName: 'Metis Andromeda',
  currency: { symbol: 'METIS', decimals: 18 },
  // The official endpoint first: it accepts transactions; the others are public fallbacks.
  rpc: [
    'https://andromeda.metis.io/?owner=1088',
    'https://metis-rpc.publicnode.com',
    'https://metis.drpc.org',
  ],
  explorer: {
    type: 'etherscan',
    url: 'https://andromeda-explorer.metis.io',
    api: 'https://andromeda-explorer.metis.io/api',
  },
  txType: 'legacy',
  // solc >= 0.8.25 defaults to cancun (MCOPY), which Andromeda rejects.
  evmVersion: 'shanghai',
  // Real value at stake: wait a few ~5 s blocks past the receipt.
  confirmations: 3,
  pollIntervalMs: 1000,
};
