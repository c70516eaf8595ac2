/** How fees are expressed in transactions on a chain. Metis (l2geth) accepts legacy only. */
export type TxType = 'legacy' | 'eip1559';

/** solc evmVersion names we compile for. */
export type EvmVersion = 'london' | 'paris' | 'shanghai' | 'cancun' | 'prague';

export type ExplorerType = 'etherscan' | 'blockscout-v2';

export interface ExplorerConfig {
  /** Human-facing explorer base URL, for links to transactions and addresses. */
  url: string;
  /** Verification API base (e.g. `https://…/api`); absent when verification is unsupported. */
  api?: string;
  type: ExplorerType;
}

/** Everything hyperdeploy needs to know about one chain. Presets and config produce these. */
export interface ChainConfig {
  /** Preset or config key, e.g. `metis-sepolia`. */
  name: string;
  chainId: number;
  /** Display name, e.g. `Metis Sepolia`. */
  displayName: string;
  currency: { symbol: string; decimals: number };
  /** RPC URLs in order of preference. May carry credentials: never persist or log them raw. */
  rpc: string[];
  explorer?: ExplorerConfig;
  txType: TxType;
  evmVersion: EvmVersion;
  /** Blocks on top of the receipt's block (inclusive) before `confirmed`. */
  confirmations: number;
  /** How often to poll for receipts and blocks, in milliseconds. */
  pollIntervalMs: number;
  /** Per-request RPC timeout in milliseconds (default 15 s). */
  rpcTimeoutMs?: number;
  /** Replace a transaction not mined this long after it was sent (default 60 s). */
  bumpAfterMs?: number;
  /** At most this many fee-bump replacements per deployment (default 5). */
  maxFeeBumps?: number;
  /** Never offer more than this many wei per gas (decimal string); unset: no cap. */
  maxFeePerGas?: string;
}
