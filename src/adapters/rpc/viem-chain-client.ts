import {
  BaseError,
  type Chain,
  createPublicClient,
  Eip1559FeesNotSupportedError,
  ExecutionRevertedError,
  hexToBigInt,
  type PublicClient,
  RawContractError,
  type Transport,
} from 'viem';
import type { Address, Fees, Hex } from '../../core/types.ts';
import type { ChainClient, OnchainReceipt, SimulationResult } from '../../ports/chain-client.ts';
import { ReceiptWatcher } from './receipt-watcher.ts';
import { type ResilientTransportOptions, resilientTransport } from './resilient-transport.ts';

export interface ViemChainClientOptions {
  chain: Chain;
  rpcUrls: string[];
  pollIntervalMs: number;
  txType: 'legacy' | 'eip1559';
  /** Per-request timeout; public RPCs are slow, local anvil is not. */
  timeoutMs?: number;
  resilience?: Omit<ResilientTransportOptions, 'timeoutMs'>;
}

/** ChainClient over viem's public client. Node error messages are classified upstream. */
export class ViemChainClient implements ChainClient {
  readonly chainId: number;
  private readonly client: PublicClient<Transport, Chain>;
  private readonly txType: 'legacy' | 'eip1559';
  private eip1559: Promise<boolean> | undefined;
  /** viem's default margin over the base fee (its `chain.fees.baseFeeMultiplier`, 1.2). */
  private readonly baseFeeMultiplier: number;
  private readonly receipts: ReceiptWatcher;

  constructor(options: ViemChainClientOptions) {
    this.chainId = options.chain.id;
    this.txType = options.txType;
    const multiplier = options.chain.fees?.baseFeeMultiplier;
    this.baseFeeMultiplier = typeof multiplier === 'number' ? multiplier : 1.2;
    this.client = createPublicClient({
      chain: options.chain,
      transport: resilientTransport(options.rpcUrls, {
        timeoutMs: options.timeoutMs ?? 15_000,
        ...options.resilience,
      }),
      pollingInterval: options.pollIntervalMs,
      cacheTime: 0,
    });
    this.receipts = new ReceiptWatcher(this, { pollIntervalMs: options.pollIntervalMs });
  }

  getChainId = () => this.client.getChainId();

  getBalance = (address: Address) => this.client.getBalance({ address });

  async getFees(): Promise<Fees> {
    if (this.txType === 'legacy' || !(await this.supportsEip1559())) {
      // Multiplier 1: Metis nodes reject prices outside the oracle's band (CHAINS.md).
      return { type: 'legacy', gasPrice: (await this.client.getGasPrice()).toString() };
    }
    // viem's estimateFeesPerGas reads the block, then the tip: the same numbers, in one round trip.
    const block = this.client.getBlock();
    const [{ baseFeePerGas }, maxPriorityFeePerGas] = await Promise.all([
      block,
      this.maxPriorityFeePerGas(block),
    ]);
    if (typeof baseFeePerGas !== 'bigint') throw new Eip1559FeesNotSupportedError();
    return {
      type: 'eip1559',
      maxFeePerGas: (
        scaleBaseFee(baseFeePerGas, this.baseFeeMultiplier) + maxPriorityFeePerGas
      ).toString(),
      maxPriorityFeePerGas: maxPriorityFeePerGas.toString(),
    };
  }

  /** eth_maxPriorityFeePerGas; without it (as viem does) gas price − base fee, at least 0. */
  private async maxPriorityFeePerGas(block: Promise<{ baseFeePerGas: bigint | null }>) {
    try {
      return hexToBigInt(await this.client.request({ method: 'eth_maxPriorityFeePerGas' }));
    } catch {
      const [{ baseFeePerGas }, gasPrice] = await Promise.all([block, this.client.getGasPrice()]);
      if (typeof baseFeePerGas !== 'bigint') throw new Eip1559FeesNotSupportedError();
      return gasPrice > baseFeePerGas ? gasPrice - baseFeePerGas : 0n;
    }
  }

  /** Probed once from the latest block (a base fee means EIP-1559); a failed probe is retried. */
  private supportsEip1559(): Promise<boolean> {
    this.eip1559 ??= this.client.getBlock().then(
      (block) => typeof block.baseFeePerGas === 'bigint',
      (error: unknown) => {
        this.eip1559 = undefined;
        throw error;
      },
    );
    return this.eip1559;
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

  /** Once the node accepts it, its receipt is looked up ahead (instant-block chains mine at once). */
  sendRawTransaction = async (raw: Hex): Promise<Hex> => {
    const hash = await this.client.sendRawTransaction({ serializedTransaction: raw });
    this.receipts.prefetch(hash);
    return hash;
  };

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

  waitForReceipt = (
    hashes: readonly Hex[],
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<OnchainReceipt | null> => this.receipts.wait(hashes, options);

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

/** base × multiplier in integer arithmetic, rounded down, as viem's estimateFeesPerGas does. */
function scaleBaseFee(base: bigint, multiplier: number): bigint {
  const decimals = multiplier.toString().split('.')[1]?.length ?? 0;
  const denominator = 10 ** decimals;
  return (base * BigInt(Math.round(multiplier * denominator))) / BigInt(denominator);
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
