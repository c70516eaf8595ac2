import { createPublicClient, type Hex, http } from 'viem';
import { rpcCall } from '../src/devchain/index.ts';

/** A contract-creation transaction (to === null) mined in the canonical chain. */
export interface Creation {
  hash: string;
  nonce: number;
  success: boolean;
  contractAddress: string | null;
  input: string;
}

export interface SignerScan {
  creations: Creation[];
  /** Transactions of the signer in the canonical chain (creations or not). */
  minedTxs: number;
  /** Nonces missing between 0 and the highest mined nonce (a valid chain has none). */
  minedGaps: number;
  /** `eth_getTransactionCount(latest)` at the end. */
  latestNonce: number;
  /** Nonces of the signer's txs still in the node's pool at the end. */
  poolNonces: number[];
  /** Nonces missing between the latest count and the highest pooled nonce: txs above them are stuck. */
  poolGaps: number;
  /** Pooled txs that cannot be mined because a lower nonce is missing. */
  stuckAboveGap: number;
}

type PoolTx = { nonce: Hex };
type PoolContent = Record<'pending' | 'queued', Record<string, Record<string, PoolTx>> | undefined>;

/**
 * Reads the whole chain straight from anvil (never through a proxy): every block from 0 to the
 * head with its transactions, the receipt of every creation from the given signers, and the pool.
 */
export async function scanChain(
  anvilUrl: string,
  signers: string[],
  concurrency = 16,
): Promise<{ head: number; bySigner: Record<string, SignerScan> }> {
  const client = createPublicClient({ transport: http(anvilUrl, { retryCount: 5 }) });
  const wanted = new Set(signers.map((s) => s.toLowerCase()));
  const head = Number(await client.getBlockNumber());
  const found: { from: string; hash: Hex; nonce: number; creation: boolean; input: string }[] = [];
  let next = 0;
  const lane = async () => {
    for (let n = next++; n <= head; n = next++) {
      const block = await client.getBlock({ blockNumber: BigInt(n), includeTransactions: true });
      for (const tx of block.transactions) {
        const from = tx.from.toLowerCase();
        if (!wanted.has(from)) continue;
        found.push({ from, hash: tx.hash, nonce: tx.nonce, creation: !tx.to, input: tx.input });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));

  const creations = found.filter((t) => t.creation);
  const receipts = new Map<string, { success: boolean; contractAddress: string | null }>();
  let k = 0;
  const receiptLane = async () => {
    for (let i = k++; i < creations.length; i = k++) {
      const tx = creations[i] as (typeof creations)[number];
      const r = await client.getTransactionReceipt({ hash: tx.hash });
      receipts.set(tx.hash, {
        success: r.status === 'success',
        contractAddress: r.contractAddress?.toLowerCase() ?? null,
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, receiptLane));

  const pool = await rpcCall<PoolContent>(anvilUrl, 'txpool_content');
  const bySigner: Record<string, SignerScan> = {};
  for (const signer of wanted) {
    const mine = found.filter((t) => t.from === signer);
    const nonces = new Set(mine.map((t) => t.nonce));
    const maxMined = Math.max(-1, ...nonces);
    let minedGaps = 0;
    for (let n = 0; n <= maxMined; n++) if (!nonces.has(n)) minedGaps++;
    const latestNonce = await client.getTransactionCount({
      address: signer as Hex,
      blockTag: 'latest',
    });
    const poolNonces = [pool.pending, pool.queued]
      .flatMap((byAddress) =>
        Object.entries(byAddress ?? {})
          .filter(([address]) => address.toLowerCase() === signer)
          .flatMap(([, byNonce]) => Object.values(byNonce).map((tx) => Number(tx.nonce))),
      )
      .sort((a, b) => a - b);
    const pooled = new Set(poolNonces);
    let poolGaps = 0;
    let stuckAboveGap = 0;
    let gapSeen = false;
    for (let n = latestNonce; n <= Math.max(-1, ...poolNonces); n++) {
      if (!pooled.has(n)) {
        poolGaps++;
        gapSeen = true;
      } else if (gapSeen) stuckAboveGap++;
    }
    bySigner[signer] = {
      creations: mine
        .filter((t) => t.creation)
        .map((t) => ({
          hash: t.hash.toLowerCase(),
          nonce: t.nonce,
          input: t.input,
          ...(receipts.get(t.hash) ?? { success: false, contractAddress: null }),
        }))
        .sort((a, b) => a.nonce - b.nonce),
      minedTxs: mine.length,
      minedGaps,
      latestNonce,
      poolNonces,
      poolGaps,
      stuckAboveGap,
    };
  }
  return { head, bySigner };
}
