import type { Address, Fees, Hex } from '../core/types.ts';

export interface OnchainReceipt {
  hash: Hex;
  status: 'success' | 'reverted';
  blockNumber: bigint;
  blockHash: Hex;
  contractAddress: Address | null;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
}

/** The result of running the creation code without sending it. */
export type SimulationResult =
  | { ok: true }
  | { ok: false; revertData: Hex | null; message: string };

/** The JSON-RPC calls the pipeline makes; one instance per chain. */
export interface ChainClient {
  readonly chainId: number;
  /** eth_chainId of the endpoint (the pipeline compares it with the preset). */
  getChainId(): Promise<number>;
  getBalance(address: Address): Promise<bigint>;
  /** Current fees for a new transaction in the chain's tx type. */
  getFees(): Promise<Fees>;
  simulateDeploy(params: {
    from: Address;
    data: Hex;
    blockNumber?: bigint;
  }): Promise<SimulationResult>;
  estimateDeployGas(params: { from: Address; data: Hex; gasPrice?: bigint }): Promise<bigint>;
  getTransactionCount(address: Address, blockTag: 'latest' | 'pending'): Promise<number>;
  /** Sends a raw signed transaction; resolves with its hash. */
  sendRawTransaction(raw: Hex): Promise<Hex>;
  getReceipt(hash: Hex): Promise<OnchainReceipt | null>;
  /**
   * The first receipt found for any of `hashes` within `timeoutMs`, else null. A hash not
   * waited for before is looked up at once; the client then watches all waiting hashes of all
   * callers together (one poll loop per chain, looking up again when a new block appears). A
   * failed lookup rejects, as getReceipt would.
   */
  waitForReceipt(
    hashes: readonly Hex[],
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<OnchainReceipt | null>;
  /** Whether the node knows the transaction at all (mempool or chain). */
  hasTransaction(hash: Hex): Promise<boolean>;
  getBlockNumber(): Promise<bigint>;
  getBlockHash(blockNumber: bigint): Promise<Hex | null>;
  getCode(address: Address): Promise<Hex | null>;
}
