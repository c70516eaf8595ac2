import { type Chain, defineChain } from 'viem';
import { HyperdeployError } from '../core/errors.ts';
import { hyperionTestnet } from './hyperion-testnet.ts';
import { local } from './local.ts';
import { metisAndromeda } from './metis-andromeda.ts';
import { metisSepolia } from './metis-sepolia.ts';
import type { ChainConfig } from './types.ts';

export { redactUrl } from './redact-url.ts';
export type { ChainConfig, EvmVersion, ExplorerConfig, ExplorerType, TxType } from './types.ts';

const deepFreeze = <T extends object>(value: T): T => {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
};

/** Built-in chains by name. Frozen: copy (e.g. `structuredClone`) before changing one. */
export const PRESETS = deepFreeze({
  'metis-andromeda': metisAndromeda,
  'metis-sepolia': metisSepolia,
  'hyperion-testnet': hyperionTestnet,
  local,
}) satisfies Readonly<Record<string, ChainConfig>>;

export type PresetName = keyof typeof PRESETS;

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export const isPresetName = (name: string): name is PresetName => Object.hasOwn(PRESETS, name);

/** A preset by name or by chain id (a number or a numeric string); undefined when none. */
export function findPreset(nameOrId: string | number): ChainConfig | undefined {
  const id = typeof nameOrId === 'number' ? nameOrId : parseChainId(nameOrId);
  if (id !== undefined) return Object.values(PRESETS).find((chain) => chain.chainId === id);
  const name = String(nameOrId).trim().toLowerCase();
  return isPresetName(name) ? PRESETS[name] : undefined;
}

/** `"1088"` → 1088; anything that is not a plain decimal integer → undefined. */
export function parseChainId(value: string): number | undefined {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const id = Number(trimmed);
  return Number.isSafeInteger(id) ? id : undefined;
}

/**
 * A viem chain built from our config only. Never use viem's own metis objects: their first
 * RPC is read-only and the Sepolia explorer API URL is a docs page (CHAINS.md, traps).
 */
export function toViemChain(chain: ChainConfig): Chain {
  if (chain.rpc.length === 0) {
    throw new HyperdeployError('CONFIG_INVALID', `chains.${chain.name}.rpc: no RPC URL`, {
      hint: `Set HYPERDEPLOY_RPC_${envSuffix(chain.name)} or pass --rpc with --chain ${chain.name}.`,
      step: 'config',
    });
  }
  return defineChain({
    id: chain.chainId,
    name: chain.displayName,
    nativeCurrency: {
      name: chain.currency.symbol,
      symbol: chain.currency.symbol,
      decimals: chain.currency.decimals,
    },
    rpcUrls: { default: { http: [...chain.rpc] } },
    ...(chain.explorer
      ? {
          blockExplorers: {
            default: {
              name: `${chain.displayName} explorer`,
              url: chain.explorer.url,
              ...(chain.explorer.api ? { apiUrl: chain.explorer.api } : {}),
            },
          },
        }
      : {}),
    // l2geth rejects a gasPrice outside its oracle band: viem's default 1.2× would overshoot it.
    ...(chain.txType === 'legacy' ? { fees: { baseFeeMultiplier: 1 } } : {}),
  });
}

/** Chain name as used in env var names: `hyperion-testnet` → `HYPERION_TESTNET`. */
export const envSuffix = (name: string): string => name.toUpperCase().replace(/-/g, '_');
