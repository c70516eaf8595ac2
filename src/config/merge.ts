import { parseUnits } from 'viem';
import { envSuffix, isPresetName, PRESETS } from '../chains/index.ts';
import type { ChainConfig, ExplorerConfig } from '../chains/types.ts';
import { configError } from './issues.ts';
import type { ChainEntry } from './schema.ts';

/** Defaults for a chain that is not a preset: the choices that work on the most chains. */
const CUSTOM_DEFAULTS = {
  currency: { symbol: 'ETH', decimals: 18 },
  // Type-0 transactions and shanghai bytecode are accepted by nearly every EVM chain today.
  txType: 'legacy',
  evmVersion: 'shanghai',
  confirmations: 2,
  pollIntervalMs: 1000,
} as const;

/** `https://x.org/api` → `https://x.org`: the web URL when only the API base is known. */
export function explorerUrlFromApi(api: string): string {
  const url = new URL(api);
  const trimmed = url.pathname.replace(/\/api\/?$/, '');
  return `${url.origin}${trimmed === '/' ? '' : trimmed}`;
}

const toCurrency = (currency: ChainEntry['currency']): ChainConfig['currency'] | undefined =>
  typeof currency === 'string' ? { symbol: currency, decimals: 18 } : currency;

function mergeExplorer(
  field: string,
  base: ExplorerConfig | undefined,
  patch: NonNullable<ChainEntry['explorer']>,
): ExplorerConfig {
  const api = patch.api ?? base?.api;
  const url = patch.url ?? base?.url ?? (patch.api ? explorerUrlFromApi(patch.api) : undefined);
  if (url === undefined) {
    throw configError(
      `${field}.url`,
      'required when the explorer has neither a preset nor an "api"',
      'Add "url": "https://explorer.example.org" (and "api" to enable verification).',
    );
  }
  return { type: patch.type, url, ...(api ? { api } : {}) };
}

/** Presets overlaid with the file's chain entries; explorer keys from the file are split out. */
export function mergeFileChains(entries: Record<string, ChainEntry>): {
  chains: Record<string, ChainConfig>;
  explorerKeys: Record<string, string>;
} {
  const chains: Record<string, ChainConfig> = {};
  for (const [name, preset] of Object.entries(PRESETS)) chains[name] = structuredClone(preset);
  const explorerKeys: Record<string, string> = {};

  for (const [name, entry] of Object.entries(entries)) {
    const field = `chains.${name}`;
    const base = isPresetName(name) ? chains[name] : undefined;
    if (base && entry.chainId !== undefined && entry.chainId !== base.chainId) {
      throw configError(
        `${field}.chainId`,
        `${entry.chainId} differs from the preset's ${base.chainId}`,
        `Remove "chainId" to use the preset, or give your chain another name than "${name}".`,
      );
    }
    const chainId = entry.chainId ?? base?.chainId;
    if (chainId === undefined) {
      throw configError(
        `${field}.chainId`,
        `required: "${name}" is not a preset (presets: ${Object.keys(PRESETS).join(', ')})`,
        `Add "chainId" to chains.${name}, e.g. { "chainId": 4242, "rpc": ["https://…"] }, or fix the name if you meant a preset.`,
      );
    }
    chains[name] = {
      name,
      chainId,
      displayName: entry.displayName ?? base?.displayName ?? name,
      currency: toCurrency(entry.currency) ?? base?.currency ?? { ...CUSTOM_DEFAULTS.currency },
      rpc: entry.rpc ? [...entry.rpc] : (base?.rpc ?? []),
      ...(entry.explorer
        ? { explorer: mergeExplorer(`${field}.explorer`, base?.explorer, entry.explorer) }
        : base?.explorer
          ? { explorer: base.explorer }
          : {}),
      txType: entry.txType ?? base?.txType ?? CUSTOM_DEFAULTS.txType,
      evmVersion: entry.evmVersion ?? base?.evmVersion ?? CUSTOM_DEFAULTS.evmVersion,
      confirmations: entry.confirmations ?? base?.confirmations ?? CUSTOM_DEFAULTS.confirmations,
      pollIntervalMs:
        entry.pollIntervalMs ?? base?.pollIntervalMs ?? CUSTOM_DEFAULTS.pollIntervalMs,
      ...optionalFeeFields(entry, base),
    };
    if (entry.explorer?.apiKey) explorerKeys[name] = entry.explorer.apiKey;
  }
  return { chains, explorerKeys };
}

/** Every chain needs somewhere to send transactions once all layers are applied. */
export function assertRpcPresent(chains: Record<string, ChainConfig>): void {
  for (const chain of Object.values(chains)) {
    if (chain.rpc.length > 0) continue;
    throw configError(
      `chains.${chain.name}.rpc`,
      'required: no RPC URL from the file, the environment or flags',
      `Add "rpc": ["https://…"] to chains.${chain.name} or set HYPERDEPLOY_RPC_${envSuffix(chain.name)}.`,
    );
  }
}

/** RPC timeout and fee-bump settings: the entry's, else the preset's; gwei in the file, wei in ChainConfig. */
function optionalFeeFields(entry: ChainEntry, base: ChainConfig | undefined): Partial<ChainConfig> {
  const rpcTimeoutMs = entry.rpcTimeoutMs ?? base?.rpcTimeoutMs;
  const bumpAfterMs = entry.bumpAfterMs ?? base?.bumpAfterMs;
  const maxFeeBumps = entry.maxFeeBumps ?? base?.maxFeeBumps;
  const maxFeePerGas =
    entry.maxFeePerGasGwei !== undefined
      ? parseUnits(String(entry.maxFeePerGasGwei), 9).toString()
      : base?.maxFeePerGas;
  return {
    ...(rpcTimeoutMs === undefined ? {} : { rpcTimeoutMs }),
    ...(bumpAfterMs === undefined ? {} : { bumpAfterMs }),
    ...(maxFeeBumps === undefined ? {} : { maxFeeBumps }),
    ...(maxFeePerGas === undefined ? {} : { maxFeePerGas }),
  };
}
