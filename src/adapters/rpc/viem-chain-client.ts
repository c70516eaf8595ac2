import {
  BaseError,
  type Chain,
  createPublicClient,
  ExecutionRevertedError,
  fallback,
  http,
  type PublicClient,
  RawContractError,
  type Transport,
} from 'viem';
import type { Address, Fees, Hex } from '../../core/types.ts';
import type { ChainClient, OnchainReceipt, SimulationResult } from '../../ports/chain-client.ts';

export interface ViemChainClientOptions {
  chain: Chain;
  rpcUrls: string[];
  pollIntervalMs: number;
  txType: 'legacy' | 'eip1559';
  /** Per-request timeout; public RPCs are slow, local anvil is not. */
  timeoutMs?: number;
}

/** ChainClient over viem's public client. Node error messages are classified upstream. */
export class ViemChainClient implements ChainClient {
  readonly chainId: number;
  private readonly client: PublicClient<Transport, Chain>;
  private readonly txType: 'legacy' | 'eip1559';

  constructor(options: ViemChainClientOptions) {
    this.chainId = options.chain.id;
    this.txType = options.txType;
    const transports = options.rpcUrls.map((url) =>
      http(url, { timeout: options.timeoutMs ?? 15_000, retryCount: 2, retryDelay: 100 }),
    );
    const [only] = transports;
    this.client = createPublicClient({
      chain: options.chain,
      // `fallback` only for reads; raw transactions go through the same ordered list.
      transport: transports.length === 1 && only ? only : fallback(transports),
      pollingInterval: options.pollIntervalMs,
      cacheTime: 0,
    });
  }

  getChainId = () => this.client.getChainId();

  getBalance = (address: Address) => this.client.getBalance({ address });

  async getFees(): Promise<Fees> {
    if (this.txType === 'legacy') {
      // Multiplier 1: Metis nodes reject prices outside the oracle's band (CHAINS.md).
      return { type: 'legacy', gasPrice: (await this.client.getGasPrice()).toString() };
    }
    const fees = await this.client.estimateFeesPerGas({ type: 'eip1559' });
    return {
      type: 'eip1559',
      maxFeePerGas: fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
    };
  }

  async simulateDeploy(params: {
    from: Address;
    data: Hex;
    blockNumber?: bigint;
  }): Promise<SimulationResult> {
    try {
      await this.client.call({
        account: params.from,
        data: params.data,
        ...(params.blockNumber === undefined ? {} : { blockNumber: params.blockNumber }),
      });
      return { ok: true };
    } catch (error) {
      if (!(error instanceof BaseError)) throw error;
      const reverted =
        error.walk((e) => e instanceof RawContractError) ??
        error.walk((e) => e instanceof ExecutionRevertedError);
      if (!reverted) throw error;
      return { ok: false, revertData: revertDataOf(error), message: error.shortMessage };
    }
  }

  estimateDeployGas = (params: { from: Address; data: Hex; gasPrice?: bigint }) =>
    this.client.estimateGas({
      account: params.from,
      data: params.data,
      ...(params.gasPrice === undefined ? {} : { gasPrice: params.gasPrice }),
    });

  getTransactionCount = (address: Address, blockTag: 'latest' | 'pending') =>
    this.client.getTransactionCount({ address, blockTag });

  sendRawTransaction = (raw: Hex) => this.client.sendRawTransaction({ serializedTransaction: raw });

  async getReceipt(hash: Hex): Promise<OnchainReceipt | null> {
    const receipt = await this.client.getTransactionReceipt({ hash }).catch((error: unknown) => {
      if (error instanceof BaseError && error.name === 'TransactionReceiptNotFoundError') {
        return null;
      }
      throw error;
    });
    if (!receipt) return null;
    return {
      hash: receipt.transactionHash,
      status: receipt.status,
      blockNumber: receipt.blockNumber,
      blockHash: receipt.blockHash,
      contractAddress: receipt.contractAddress ?? null,
      gasUsed: receipt.gasUsed,
      effectiveGasPrice: receipt.effectiveGasPrice,
    };
  }

  async hasTransaction(hash: Hex): Promise<boolean> {
    try {
      await this.client.getTransaction({ hash });
      return true;
    } catch (error) {
      if (error instanceof BaseError && error.name === 'TransactionNotFoundError') return false;
      throw error;
    }
  }

  getBlockNumber = () => this.client.getBlockNumber({ cacheTime: 0 });

  async getBlockHash(blockNumber: bigint): Promise<Hex | null> {
    const block = await this.client.getBlock({ blockNumber }).catch((error: unknown) => {
      if (error instanceof BaseError && error.name === 'BlockNotFoundError') return null;
      throw error;
    });
    return block?.hash ?? null;
  }

  async getCode(address: Address): Promise<Hex | null> {
    const code = await this.client.getCode({ address });
    return code && code !== '0x' ? code : null;
  }
}

/**
 * Nodes put revert data in different places: viem keeps it on RawContractError.data, or on
 * the RpcRequestError (anvil, geth) as a hex string, sometimes nested as `{ data }`.
 */
function revertDataOf(error: BaseError): Hex | null {
  let found: Hex | null = null;
  error.walk((e) => {
    const data: unknown = (e as { data?: unknown }).data;
    const hex = data && typeof data === 'object' && 'data' in data ? data.data : data;
    if (typeof hex === 'string' && /^0x[0-9a-fA-F]*$/.test(hex)) found = hex as Hex;
    return found !== null;
  });
  return found;
}
