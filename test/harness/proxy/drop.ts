import type { Hex } from 'viem';
import type { Control } from './reorg.ts';

type PoolTx = { hash: Hex; nonce: Hex; from: Hex; blockHash: Hex | null };
type PoolContent = Record<'pending' | 'queued', Record<string, Record<string, PoolTx>>>;

export interface DropResult {
  dropped: boolean;
  /** Other mempool txs of the sender that could not be put back (not sent through the proxy). */
  lost: number;
}

/**
 * Removes one tx from anvil's mempool (pending or queued) and nothing else, as a node evicting it
 * would. anvil 1.7's `anvil_dropTransaction` does not fit: it also removes every later-nonce tx of
 * the sender, and does nothing to a queued (nonce-gapped) tx. So the sender's pool is emptied with
 * `anvil_removePoolTransactions` and its other txs re-sent from their raw bytes (`rawOf`), in nonce
 * order: those above the gap wait as queued, like geth demoting them. A mined tx is left alone.
 */
export async function dropFromPool(
  control: Control,
  hash: Hex,
  rawOf: (hash: Hex) => Hex | undefined,
): Promise<DropResult> {
  const tx = await control<PoolTx | null>('eth_getTransactionByHash', [hash]);
  if (!tx || tx.blockHash) return { dropped: false, lost: 0 };
  const content = await control<PoolContent>('txpool_content');
  const sender = tx.from.toLowerCase();
  const others = [content.pending, content.queued]
    .flatMap((byAddress) =>
      Object.entries(byAddress ?? {})
        .filter(([address]) => address.toLowerCase() === sender)
        .flatMap(([, byNonce]) => Object.values(byNonce)),
    )
    .filter((t) => t.hash !== hash)
    .sort((a, b) => Number(a.nonce) - Number(b.nonce));
  await control('anvil_removePoolTransactions', [tx.from]);
  let lost = 0;
  for (const other of others) {
    const raw = rawOf(other.hash);
    if (!raw) lost++;
    else await control('eth_sendRawTransaction', [raw]).catch(() => lost++);
  }
  const after = await control<PoolTx | null>('eth_getTransactionByHash', [hash]);
  return { dropped: after === null, lost };
}
