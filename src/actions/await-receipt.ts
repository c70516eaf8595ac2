import type { DeploymentEvent } from '../core/events.ts';
import { bumpDueAt } from '../core/state.ts';
import { DEFAULT_FEE_POLICY } from '../core/types.ts';
import type { OnchainReceipt } from '../ports/chain-client.ts';
import { nonceConflict } from './broadcast.ts';
import { type ActionContext, type ActionResult, at } from './context.ts';
import { revertedError } from './estimate-gas.ts';

/** Every this many polls without a receipt, check the transaction is still known. */
const CHECK_EVERY_POLLS = 10;
/** A transaction unknown to the node this many checks in a row is rebroadcast. */
const VANISHED_AFTER_CHECKS = 3;

/**
 * Waits until one of the deployment's hashes is mined. Returns without events when a fee
 * bump is due (the engine then replaces the transaction). A transaction the node no longer
 * knows, for several checks in a row while its nonce is unused, is rebroadcast with the same
 * raw bytes; a nonce used by none of our hashes is NONCE_CONFLICT. The receipt is looked up at
 * once, then watched with every other waiting deployment of the chain (one poll per tick for
 * all). With one confirmation required, the fresh receipt is that confirmation: its block is the
 * canonical one the node just answered from, so `confirmations_reached` is journaled with it.
 * SIDE EFFECTS: RPC reads (receipts, tx lookups, nonce); eth_sendRawTransaction on rebroadcast.
 */
export async function awaitReceipt(ctx: ActionContext): Promise<ActionResult> {
  const { state, client, clock, signal } = ctx;
  const sent = state.txs.filter((tx) => tx.broadcast);
  const latest = sent.at(-1);
  if (!latest) throw new Error('await_receipt without a broadcast transaction');
  const hashes = state.txs.map((tx) => tx.hash);
  const bumpAt = bumpDueAt(state, state.spec.feePolicy ?? DEFAULT_FEE_POLICY);
  let unknownChecks = 0;
  for (let poll = 1; ; poll++) {
    // Up to one poll interval, or less when a bump falls due sooner.
    const untilBump = bumpAt === null ? Number.POSITIVE_INFINITY : bumpAt - clock.now().getTime();
    const timeoutMs = Math.max(0, Math.min(ctx.chain.pollIntervalMs, untilBump));
    const receipt = await client.waitForReceipt(hashes, { timeoutMs, signal });
    if (receipt) return mined(ctx, receipt);
    if (bumpAt !== null && clock.now().getTime() >= bumpAt) return { events: [] };
    if (poll % CHECK_EVERY_POLLS === 0) {
      const usedCount = await client.getTransactionCount(state.spec.signer, 'latest');
      if (usedCount > latest.nonce) {
        // The nonce is used; a receipt of ours may have landed since the check above.
        const late = await firstReceipt(ctx);
        if (late) return mined(ctx, late);
        throw nonceConflict(ctx, latest.nonce);
      }
      const known = await Promise.all(sent.map((tx) => client.hasTransaction(tx.hash)));
      unknownChecks = known.some(Boolean) ? 0 : unknownChecks + 1;
      if (unknownChecks >= VANISHED_AFTER_CHECKS) {
        await client.sendRawTransaction(latest.raw).catch(() => undefined); // judged on the next poll
        const reason = `the node did not know it for ${unknownChecks} checks and nonce ${latest.nonce} was unused`;
        return { events: [{ type: 'tx_rebroadcast', at: at(ctx), hash: latest.hash, reason }] };
      }
    }
  }
}

/** A receipt of any of our hashes, read now (they share one nonce: at most one is mined). */
async function firstReceipt(ctx: ActionContext): Promise<OnchainReceipt | null> {
  const receipts = await Promise.all(ctx.state.txs.map((tx) => ctx.client.getReceipt(tx.hash)));
  return receipts.find((receipt) => receipt !== null) ?? null;
}

async function mined(ctx: ActionContext, receipt: OnchainReceipt): Promise<ActionResult> {
  const { spec, deployData } = ctx.state;
  if (receipt.status === 'reverted') {
    // Replay the creation on the state after its block: what made it revert is in there.
    const replay = await ctx.client.simulateDeploy({
      from: spec.signer,
      data: deployData ?? spec.bytecode,
      blockNumber: receipt.blockNumber,
    });
    throw revertedError(
      spec.contractName,
      spec.abi,
      replay.ok ? null : replay.revertData,
      'submitted',
    );
  }
  if (!receipt.contractAddress)
    throw new Error(`receipt of ${receipt.hash} has no contract address`);
  const blockNumber = receipt.blockNumber.toString();
  const events: DeploymentEvent[] = [
    {
      type: 'tx_mined',
      at: at(ctx),
      receipt: {
        hash: receipt.hash,
        blockNumber,
        blockHash: receipt.blockHash,
        contractAddress: receipt.contractAddress,
        gasUsed: receipt.gasUsed.toString(),
        effectiveGasPrice: receipt.effectiveGasPrice.toString(),
      },
    },
  ];
  // More than one confirmation: await_confirmations watches the block stay canonical.
  if (spec.confirmations <= 1) {
    events.push({ type: 'confirmations_reached', at: at(ctx), confirmations: 1, blockNumber });
  }
  return { events };
}
