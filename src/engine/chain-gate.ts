import { redactUrl } from '../chains/redact-url.ts';
import type { ChainConfig } from '../chains/types.ts';
import { HyperdeployError } from '../core/errors.ts';
import type { Redactor } from '../logging/redact.ts';
import type { ChainClient } from '../ports/chain-client.ts';

/**
 * Hands out one client per chain, after checking once that the endpoint serves the chain
 * it claims to (eth_chainId). A failed check is not remembered, so a flaky RPC can recover.
 */
export class ChainGate {
  private readonly checked = new Map<string, Promise<ChainClient>>();

  constructor(
    private readonly clientFor: (chain: ChainConfig) => ChainClient,
    private readonly redact: Redactor,
  ) {}

  open(chain: ChainConfig): Promise<ChainClient> {
    const cached = this.checked.get(chain.name);
    if (cached) return cached;
    const opening = this.check(chain);
    this.checked.set(chain.name, opening);
    opening.catch(() => this.checked.delete(chain.name));
    return opening;
  }

  private async check(chain: ChainConfig): Promise<ChainClient> {
    const client = this.clientFor(chain);
    const servedId = await client.getChainId();
    if (servedId !== chain.chainId) {
      const rpc = chain.rpc.map(redactUrl).map(this.redact).join(', ');
      throw new HyperdeployError(
        'CHAIN_ID_MISMATCH',
        `The RPC endpoint ${rpc} serves chain ${servedId}, but ${chain.name} is chain ${chain.chainId}.`,
        {
          hint: `Point --rpc (or HYPERDEPLOY_RPC_${chain.name.toUpperCase().replaceAll('-', '_')}) at a ${chain.displayName} node, or pick the chain that endpoint serves.`,
          details: { expectedChainId: chain.chainId, servedChainId: servedId },
        },
      );
    }
    return client;
  }
}
