import { envSuffix } from '../chains/index.ts';
import type { ChainConfig } from '../chains/types.ts';
import { configError } from './issues.ts';
import { explorerUrlFromApi } from './merge.ts';
import { findChainName } from './resolve-chain.ts';
import { isHttpUrl, isRpcUrl } from './schema.ts';

export type Env = Record<string, string | undefined>;

export interface ConfigFlags {
  /** RPC URLs for `chain` only. */
  rpc?: string[];
  /** Chain name or id the flags apply to. */
  chain?: string;
  db?: string;
  /** Confirmations for `chain`, or for every chain when no chain is given. */
  confirmations?: number;
}

/** Set and non-blank, else undefined: an empty variable means "not set". */
export const envValue = (env: Env, key: string): string | undefined => {
  const value = env[key]?.trim();
  return value ? value : undefined;
};

function checkRpcUrls(field: string, urls: string[], hint: string): string[] {
  urls.forEach((url, index) => {
    if (!isRpcUrl(url)) throw configError(`${field}[${index}]`, 'not a URL', hint);
  });
  return urls;
}

/** `HYPERDEPLOY_RPC_<CHAIN>`, `HYPERDEPLOY_EXPLORER_API_<CHAIN>`, `HYPERDEPLOY_EXPLORER_KEY_<CHAIN>`. */
export function applyEnv(
  chains: Record<string, ChainConfig>,
  explorerKeys: Record<string, string>,
  env: Env,
): void {
  for (const chain of Object.values(chains)) {
    const suffix = envSuffix(chain.name);
    const rpcVar = `HYPERDEPLOY_RPC_${suffix}`;
    const rpc = envValue(env, rpcVar);
    if (rpc !== undefined) {
      const urls = rpc
        .split(',')
        .map((url) => url.trim())
        .filter((url) => url !== '');
      chain.rpc = checkRpcUrls(
        rpcVar,
        urls,
        `Set ${rpcVar} to comma-separated URLs, e.g. https://rpc-a.example.org,https://rpc-b.example.org.`,
      );
    }
    const apiVar = `HYPERDEPLOY_EXPLORER_API_${suffix}`;
    const api = envValue(env, apiVar);
    if (api !== undefined) {
      if (!isHttpUrl(api)) {
        throw configError(
          apiVar,
          'not a URL',
          `Set ${apiVar} to the explorer API base, e.g. https://explorer.example.org/api.`,
        );
      }
      chain.explorer = chain.explorer
        ? { ...chain.explorer, api }
        : { type: 'etherscan', url: explorerUrlFromApi(api), api };
    }
    const key = envValue(env, `HYPERDEPLOY_EXPLORER_KEY_${suffix}`);
    if (key !== undefined) explorerKeys[chain.name] = key;
  }
}

/** `--rpc` and `--confirmations` (for `--chain`); `--db` is handled with the db path. */
export function applyFlags(chains: Record<string, ChainConfig>, flags: ConfigFlags): void {
  const rpc = flags.rpc?.map((url) => url.trim()).filter((url) => url !== '') ?? [];
  if (rpc.length > 0 && flags.chain === undefined) {
    throw configError(
      '--rpc',
      'needs --chain',
      'Name the chain the URLs belong to, e.g. --chain hyperion-testnet --rpc http://127.0.0.1:8545.',
    );
  }
  const { confirmations } = flags;
  if (confirmations !== undefined && !(Number.isInteger(confirmations) && confirmations >= 1)) {
    throw configError(
      '--confirmations',
      'not a whole number of at least 1',
      'Pass the number of blocks to wait for, e.g. --confirmations 2.',
    );
  }
  if (rpc.length === 0 && confirmations === undefined) return;
  if (flags.chain === undefined) {
    for (const chain of Object.values(chains)) chain.confirmations = confirmations as number;
    return;
  }
  // Throws UNKNOWN_CHAIN: --chain must name a preset or a configured chain.
  const chain = chains[findChainName(chains, flags.chain)] as ChainConfig;
  if (rpc.length > 0) {
    chain.rpc = checkRpcUrls(
      '--rpc',
      rpc,
      'Pass http(s) or ws(s) URLs, e.g. --rpc https://rpc.example.org.',
    );
  }
  if (confirmations !== undefined) chain.confirmations = confirmations;
}
