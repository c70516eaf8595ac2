import { HyperdeployError } from '../core/errors.ts';
import type { OnchainReceipt } from '../ports/chain-client.ts';
import { type ActionContext, type ActionResult, at } from './context.ts';
import { revertedError } from './estimate-gas.ts';

/** Every this many polls without a receipt, check the transaction did not vanish. */
const VANISHED_CHECK_EVERY = 10;

/**
 * Waits until one of the deployment's hashes is mined. A transaction the node no longer
 * knows while its nonce is unused is rebroadcast with the same raw bytes.
 * SIDE EFFECTS: RPC reads (receipts, tx lookups, nonce); eth_sendRawTransaction on rebroadcast.
 */
export async function awaitReceipt(ctx: ActionContext): Promise<ActionResult> {
  const { state, client, clock, signal } = ctx;
  const latest = state.txs.at(-1);
  if (!latest) throw new Error('await_receipt without a signed transaction');
  for (let poll = 1; ; poll++) {
    for (const tx of state.txs) {
      const receipt = await client.getReceipt(tx.hash);
      if (receipt) return mined(ctx, receipt);
    }
    if (poll % VANISHED_CHECK_EVERY === 0) {
      const usedCount = await client.getTransactionCount(state.spec.signer, 'latest');
      if (usedCount > latest.nonce) {
        // The nonce is used; a receipt of ours may have landed since the loop above.
        for (const tx of state.txs) {
          const receipt = await client.getReceipt(tx.hash);
          if (receipt) return mined(ctx, receipt);
        }
        throw nonceConflict(ctx, latest.nonce);
      }
      const known = await Promise.all(state.txs.map((tx) => client.hasTransaction(tx.hash)));
      if (!known.some(Boolean)) {
        await client.sendRawTransaction(latest.raw);
        return {
          events: [
            {
              type: 'tx_rebroadcast',
              at: at(ctx),
              hash: latest.hash,
              reason: 'the node no longer knew the transaction and its nonce was unused',
            },
          ],
        };
      }
    }
    await clock.sleep(ctx.chain.pollIntervalMs, signal);
  }
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

const nonceConflict = (ctx: ActionContext, nonce: number) =>
  new HyperdeployError(
    'NONCE_CONFLICT',
    `Nonce ${nonce} of ${ctx.state.spec.signer} was used, but by none of this deployment's transactions.`,
    { step: 'submitted', details: { nonce, hashes: ctx.state.txs.map((tx) => tx.hash).join(',') } },
  );
