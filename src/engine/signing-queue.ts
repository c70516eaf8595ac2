import type { ActionContext } from '../actions/context.ts';
import { readNonceBase, signWithNonce } from '../actions/sign.ts';
import type { DeploymentEvent } from '../core/events.ts';
import { pickNonce } from '../core/nonce.ts';
import type { DeploymentState } from '../core/state.ts';
import type { AppendOptions, Store } from '../ports/store.ts';

type Append = (
  state: DeploymentState,
  events: DeploymentEvent[],
  options: AppendOptions,
) => Promise<DeploymentState>;

interface Request {
  ctx: ActionContext;
  lease: AppendOptions;
  resolve: (state: DeploymentState) => void;
  reject: (error: unknown) => void;
}

/**
 * Nonce allocation per (chain, signer): picking a nonce, signing and journaling `tx_signed`
 * with its claim happen under one lock — this process's queue, then the store's (held across
 * processes by a shared store). Deployments that queue up while a turn runs are served together
 * in the next turn: one read of the chain's pending count and of our claims, then each is
 * signed and journaled in turn with the next free nonce. A deployment whose journal write fails
 * takes no nonce: the next one gets it, so no gap opens.
 */
export class SigningQueue {
  private readonly queues = new Map<string, Request[]>();

  constructor(
    private readonly store: Pick<Store, 'withNonceLock'>,
    private readonly append: Append,
  ) {}

  sign(ctx: ActionContext, lease: AppendOptions): Promise<DeploymentState> {
    const key = `${ctx.chain.chainId}:${ctx.signer.address.toLowerCase()}`;
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(key);
      const request = { ctx, lease, resolve, reject };
      if (queue) {
        queue.push(request); // a turn is running: served in the next one
        return;
      }
      this.queues.set(key, [request]);
      void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    for (;;) {
      const batch = this.queues.get(key)?.splice(0) ?? [];
      if (batch.length === 0) {
        this.queues.delete(key);
        return;
      }
      const settled = new Set<Request>();
      try {
        await this.turn(batch, settled);
      } catch (error) {
        // The lock or the reads failed: every request not yet served fails and is retried.
        for (const request of batch) if (!settled.has(request)) request.reject(error);
      }
    }
  }

  private async turn(batch: Request[], settled: Set<Request>): Promise<void> {
    const first = (batch[0] as Request).ctx;
    await this.store.withNonceLock(first.chain.chainId, first.signer.address, async () => {
      const { chainPending, claimed } = await readNonceBase(first);
      const held = [...claimed];
      for (const request of batch) {
        try {
          const result = await signWithNonce(request.ctx, pickNonce(chainPending, held));
          const { nonceClaim } = result;
          const state = await this.append(request.ctx.state, result.events, {
            ...request.lease,
            ...(nonceClaim ? { nonceClaim } : {}),
          });
          if (nonceClaim) held.push(nonceClaim.nonce);
          settled.add(request);
          request.resolve(state);
        } catch (error) {
          settled.add(request);
          request.reject(error);
        }
      }
    });
  }
}
