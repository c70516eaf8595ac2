import { type ActionContext, type ActionResult, at } from './context.ts';

/**
 * Waits until the receipt's block has the required confirmations, re-checking on every poll
 * that the block is still canonical; a reorged receipt sends the deployment back to waiting.
 * With one confirmation required, await_receipt journals it with the fresh receipt; this step
 * then runs only for a receipt journaled earlier (a resumed run), and reads just the block hash.
 * SIDE EFFECTS: RPC reads (block number, block hash).
 */
export async function awaitConfirmations(ctx: ActionContext): Promise<ActionResult> {
  const { state, client, clock, signal } = ctx;
  const receipt = state.receipt;
  if (!receipt) throw new Error('await_confirmations without a receipt');
  const receiptBlock = BigInt(receipt.blockNumber);
  const required = BigInt(Math.max(1, state.spec.confirmations));
  for (;;) {
    // One confirmation is the receipt's block itself: that it is canonical is all to check.
    const [head, canonicalHash] = await Promise.all([
      required === 1n ? receiptBlock : client.getBlockNumber(),
      client.getBlockHash(receiptBlock),
    ]);
    if (canonicalHash !== receipt.blockHash) {
      return {
        events: [
          {
            type: 'receipt_reorged',
            at: at(ctx),
            hash: receipt.hash,
            blockHash: receipt.blockHash,
          },
        ],
      };
    }
    const confirmations = head - receiptBlock + 1n;
    if (confirmations >= required) {
      return {
        events: [
          {
            type: 'confirmations_reached',
            at: at(ctx),
            confirmations: Number(confirmations),
            blockNumber: head.toString(),
          },
        ],
      };
    }
    await clock.sleep(ctx.chain.pollIntervalMs, signal);
  }
}
