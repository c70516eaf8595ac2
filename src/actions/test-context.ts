import type { ChainConfig } from '../chains/types.ts';
import type { DeploymentState } from '../core/state.ts';
import type { ChainClient } from '../ports/chain-client.ts';
import type { ActionContext } from './context.ts';

/** Test helpers for actions: a chain, a fixed clock and only the client calls a test provides. */

export const chain: ChainConfig = {
  name: 'local',
  chainId: 1,
  displayName: 'Local',
  currency: { symbol: 'ETH', decimals: 18 },
  rpc: ['http://127.0.0.1:1'],
  txType: 'legacy',
  evmVersion: 'shanghai',
  confirmations: 1,
  pollIntervalMs: 10,
};

export const withConfirmations = (
  state: DeploymentState,
  confirmations: number,
): DeploymentState => ({
  ...state,
  spec: { ...state.spec, confirmations },
});

export function context(state: DeploymentState, client: Partial<ChainClient>): ActionContext {
  return {
    state,
    chain,
    client: client as ChainClient,
    clock: { now: () => new Date('2026-01-01T00:00:00Z'), sleep: async () => {} },
    signal: new AbortController().signal,
  } as unknown as ActionContext;
}
