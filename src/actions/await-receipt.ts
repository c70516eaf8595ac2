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
 * raw bytes; a nonce used by none of our hashes is NONCE_CONFLICT.
 * SIDE EFFECTS: RPC reads (receipts, tx lookups, nonce); eth_sendRawTransaction on rebroadcast.
 */
export async function awaitReceipt(ctx: ActionContext): Promise<ActionResult> {
  const { state, client, clock, signal } = ctx;
  const sent = state.txs.filter((tx) => tx.broadcast);
  const latest = sent.at(-1);
  if (!latest) throw new Error('await_receipt without a broadcast transaction');
  const bumpAt = bumpDueAt(state, state.spec.feePolicy ?? DEFAULT_FEE_POLICY);
  let unknownChecks = 0;
  for (let poll = 1; ; poll++) {
    const receipt = await firstReceipt(ctx);
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
    await clock.sleep(ctx.chain.pollIntervalMs, signal);
  }
}

async function firstReceipt(ctx: ActionContext): Promise<OnchainReceipt | null> {
  for (const tx of ctx.state.txs) {
    const receipt = await ctx.client.getReceipt(tx.hash);
    if (receipt) return receipt;
  }
  return null;
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
  return {
    events: [
      {
        type: 'tx_mined',
        at: at(ctx),
        receipt: {
          hash: receipt.hash,
          blockNumber: receipt.blockNumber.toString(),
          blockHash: receipt.blockHash,
          contractAddress: receipt.contractAddress,
          gasUsed: receipt.gasUsed.toString(),
          effectiveGasPrice: receipt.effectiveGasPrice.toString(),
        },
      },
    ],
  };
}
