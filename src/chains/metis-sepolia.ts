import type { ChainConfig } from './types.ts';

/** Metis Sepolia testnet: same l2geth client and limits as Andromeda (see CHAINS.md). */
export const metisSepolia: ChainConfig = {
  name: 'metis-sepolia',
  chainId: 59902,
  displayName: 'Metis Sepolia',
  currency: { symbol: 'tMETIS', decimals: 18 },
  rpc: ['https://sepolia.metisdevops.link', 'https://metis-sepolia-rpc.publicnode.com'],
  explorer: {
    type: 'etherscan',
    url: 'https://sepolia-explorer.metisdevops.link',
    // Not viem's `/api-docs`, which is a docs page.
    api: 'https://sepolia-explorer.metisdevops.link/api',
  },
  txType: 'legacy',
  // l2geth has no Cancun opcodes: compile for shanghai.
  evmVersion: 'shanghai',
  confirmations: 2,
  pollIntervalMs: 1000,
};
