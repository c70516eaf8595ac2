import type { ChainConfig } from '../chains/types.ts';
import type { DeploymentEvent } from '../core/events.ts';
import type { DeploymentState } from '../core/state.ts';
import type { ChainClient } from '../ports/chain-client.ts';
import type { Clock } from '../ports/clock.ts';
import type { Signer } from '../ports/signer.ts';
import type { Store } from '../ports/store.ts';

/** What an action may use. Actions return events; none writes the journal. */
export interface ActionContext {
  state: DeploymentState;
  chain: ChainConfig;
  client: ChainClient;
  signer: Signer;
  /** Read-only use: nonces claimed by unfinished deployments. */
  store: Pick<Store, 'claimedNonces'>;
  clock: Clock;
  signal: AbortSignal;
}

/** The result of one action: facts to journal, optionally with a nonce claimed by them. */
export interface ActionResult {
  events: DeploymentEvent[];
  nonceClaim?: { chainId: number; address: `0x${string}`; nonce: number };
}

export const at = (ctx: Pick<ActionContext, 'clock'>): string => ctx.clock.now().toISOString();
