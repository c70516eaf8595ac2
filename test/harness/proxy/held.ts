import {
  type Address,
  type Hex,
  keccak256,
  numberToHex,
  parseTransaction,
  recoverTransactionAddress,
  type TransactionSerialized,
} from 'viem';

/** A signed raw transaction, decoded: what `holdTransactions` predicates see. */
export interface RawTx {
  hash: Hex;
  from: Address;
  nonce: number;
  to: Address | null;
  type: string;
  /** gasPrice (legacy, 2930) or maxFeePerGas (1559 and later): the price a fee floor compares. */
  price: bigint;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  raw: Hex;
  parsed: ReturnType<typeof parseTransaction>;
}

export async function decodeRawTx(raw: Hex): Promise<RawTx> {
  const parsed = parseTransaction(raw);
  const from = await recoverTransactionAddress({
    serializedTransaction: raw as TransactionSerialized,
  });
  const gasPrice = 'gasPrice' in parsed ? parsed.gasPrice : undefined;
  const maxFeePerGas = 'maxFeePerGas' in parsed ? parsed.maxFeePerGas : undefined;
  const maxPriorityFeePerGas =
    'maxPriorityFeePerGas' in parsed ? parsed.maxPriorityFeePerGas : undefined;
  return {
    hash: keccak256(raw),
    from,
    nonce: parsed.nonce ?? 0,
    to: parsed.to ?? null,
    type: parsed.type ?? 'legacy',
    price: gasPrice ?? maxFeePerGas ?? 0n,
    ...(gasPrice !== undefined ? { gasPrice } : {}),
    ...(maxFeePerGas !== undefined ? { maxFeePerGas } : {}),
    ...(maxPriorityFeePerGas !== undefined ? { maxPriorityFeePerGas } : {}),
    raw,
    parsed,
  };
}

const TYPE_HEX: Record<string, Hex> = {
  legacy: '0x0',
  eip2930: '0x1',
  eip1559: '0x2',
  eip4844: '0x3',
  eip7702: '0x4',
};

const hex = (n: bigint | number | undefined): Hex | undefined =>
  n === undefined ? undefined : numberToHex(n);

/** What a node answers to `eth_getTransactionByHash` for a tx sitting in its mempool. */
export function pendingTxObject(tx: RawTx): Record<string, unknown> {
  const p = tx.parsed;
  const yParity = 'yParity' in p ? p.yParity : undefined;
  const v = p.v ?? (yParity !== undefined ? BigInt(yParity) : undefined);
  const object: Record<string, unknown> = {
    blockHash: null,
    blockNumber: null,
    transactionIndex: null,
    hash: tx.hash,
    from: tx.from,
    to: tx.to,
    nonce: numberToHex(tx.nonce),
    gas: hex(p.gas),
    // Like geth, a pending dynamic-fee tx reports its fee cap as gasPrice.
    gasPrice: hex(tx.price),
    maxFeePerGas: hex(tx.maxFeePerGas),
    maxPriorityFeePerGas: hex(tx.maxPriorityFeePerGas),
    value: hex(p.value ?? 0n),
    input: p.data ?? '0x',
    type: TYPE_HEX[tx.type] ?? '0x0',
    chainId: hex(p.chainId),
    accessList: 'accessList' in p ? p.accessList : undefined,
    v: hex(v),
    r: p.r,
    s: p.s,
    yParity: hex(yParity),
  };
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}

/** Transactions answered with their hash but kept from the node: a mempool that never mines them. */
export class HeldPool {
  private readonly byHash = new Map<Hex, RawTx>();

  get size(): number {
    return this.byHash.size;
  }

  get(hash: unknown): RawTx | undefined {
    return typeof hash === 'string' ? this.byHash.get(hash.toLowerCase() as Hex) : undefined;
  }

  /** Removes held txs of the same sender and nonce (a replacement evicts them). */
  evict(from: Address, nonce: number): RawTx[] {
    const evicted = [...this.byHash.values()].filter(
      (t) => t.from.toLowerCase() === from.toLowerCase() && t.nonce === nonce,
    );
    for (const t of evicted) this.byHash.delete(t.hash);
    return evicted;
  }

  add(tx: RawTx): void {
    this.evict(tx.from, tx.nonce);
    this.byHash.set(tx.hash, tx);
  }

  list(): RawTx[] {
    return [...this.byHash.values()];
  }

  delete(hash: Hex): void {
    this.byHash.delete(hash);
  }

  /** Empties the pool, by sender then nonce (the order the node needs them in). */
  drain(): RawTx[] {
    const all = [...this.byHash.values()].sort((a, b) =>
      a.from === b.from ? a.nonce - b.nonce : a.from < b.from ? -1 : 1,
    );
    this.byHash.clear();
    return all;
  }

  /** The pending nonce a node holding these txs would report, from the chain's own. */
  pendingNonce(from: string, chainPending: number): number {
    const nonces = new Set(
      [...this.byHash.values()]
        .filter((t) => t.from.toLowerCase() === from.toLowerCase())
        .map((t) => t.nonce),
    );
    let nonce = chainPending;
    while (nonces.has(nonce)) nonce++;
    return nonce;
  }
}
