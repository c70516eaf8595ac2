import { isPresetName, parseChainId } from '../chains/index.ts';
import type { ChainConfig } from '../chains/types.ts';
import { HyperdeployError } from '../core/errors.ts';
import { configError } from './issues.ts';

const listKnown = (chains: Record<string, ChainConfig>): string =>
  Object.values(chains)
    .map((chain) => `${chain.name} (${chain.chainId})`)
    .join(', ');

/** The key in `chains` for a chain name or id; UNKNOWN_CHAIN when there is none. */
export function findChainName(
  chains: Record<string, ChainConfig>,
  nameOrId: string | number,
): string {
  const id = typeof nameOrId === 'number' ? nameOrId : parseChainId(nameOrId);
  if (id === undefined) {
    const name = String(nameOrId).trim().toLowerCase();
    if (Object.hasOwn(chains, name)) return name;
  } else {
    const matches = Object.values(chains).filter((chain) => chain.chainId === id);
    // A chain the user configured wins over a preset with the same id (e.g. their own anvil).
    const custom = matches.filter((chain) => !isPresetName(chain.name));
    const candidates = custom.length > 0 ? custom : matches;
    if (candidates.length === 1) return (candidates[0] as ChainConfig).name;
    if (candidates.length > 1) {
      throw configError(
        'chains',
        `chain id ${id} is configured as ${candidates.map((chain) => chain.name).join(' and ')}`,
        'Select the chain by name instead of by id.',
      );
    }
  }
  throw new HyperdeployError(
    'UNKNOWN_CHAIN',
    `Unknown chain "${String(nameOrId)}"; known chains: ${listKnown(chains)}`,
    {
      hint: `Use one of these names or chain ids, or add the chain under "chains" in hyperdeploy.config.json with its "chainId" and "rpc".`,
      step: 'config',
      details: { chain: String(nameOrId), known: Object.keys(chains) },
    },
  );
}

/** A resolved chain by name or chain id (number or numeric string). */
export function resolveChain(
  config: { chains: Record<string, ChainConfig> },
  nameOrId: string | number,
): ChainConfig {
  return config.chains[findChainName(config.chains, nameOrId)] as ChainConfig;
}
