import type { z } from 'zod';
import { HyperdeployError } from '../core/errors.ts';

/** `['retry', 'delaysMs', 1]` → `retry.delaysMs[1]`; chain names stay dotted: `chains.my-l2.rpc[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

const ALLOWED_KEYS: Record<string, string> = {
  root: '$schema, chains, gasBuffer, retry, db, webhooks',
  chain:
    'chainId, rpc, confirmations, txType, evmVersion, currency, displayName, pollIntervalMs, rpcTimeoutMs, bumpAfterMs, maxFeeBumps, maxFeePerGasGwei, explorer',
  explorer: 'type, api, url, apiKey',
  retry: 'maxRetries, delaysMs',
  currency: 'symbol, decimals',
};

const CURRENCY_HINT = 'Use a symbol such as "ETH" or { "symbol": "ETH", "decimals": 18 }.';

const FIELD_HINTS: Record<string, string> = {
  chain: 'Each chain is an object such as { "chainId": 4242, "rpc": ["https://rpc.example.org"] }.',
  chains: 'Use an object keyed by chain name, e.g. "chains": { "my-l2": { "chainId": 4242 } }.',
  chainId: 'Give the numeric chain id, e.g. "chainId": 4242.',
  rpc: 'Use a list of RPC URLs, e.g. "rpc": ["https://rpc.example.org"].',
  confirmations: 'Use a whole number of blocks of at least 1, e.g. "confirmations": 2.',
  txType: 'Use "legacy" or "eip1559" (Metis Andromeda and Sepolia accept legacy only).',
  evmVersion:
    'Use london, paris, shanghai, cancun or prague (shanghai for Metis Andromeda and Sepolia).',
  currency: CURRENCY_HINT,
  symbol: CURRENCY_HINT,
  decimals: CURRENCY_HINT,
  displayName: 'Use a non-empty name, e.g. "displayName": "My L2".',
  pollIntervalMs: 'Use milliseconds between 10 and 600000, e.g. "pollIntervalMs": 1000.',
  rpcTimeoutMs:
    'Use milliseconds between 100 and 600000 per RPC request, e.g. "rpcTimeoutMs": 15000.',
  bumpAfterMs:
    'Use milliseconds (at least 100) before a pending transaction is replaced, e.g. 60000.',
  maxFeeBumps: 'Use a whole number of replacements from 0 to 50, e.g. "maxFeeBumps": 5.',
  maxFeePerGasGwei: 'Use a price cap in gwei, e.g. "maxFeePerGasGwei": 100.',
  explorer:
    'Use e.g. "explorer": { "type": "etherscan", "api": "https://explorer.example.org/api" }.',
  type: 'Use "etherscan" (Blockscout, Routescan and Etherscan speak it) or "blockscout-v2".',
  api: 'Use the explorer API base URL, e.g. "https://explorer.example.org/api".',
  url: 'Use the explorer web URL, e.g. "https://explorer.example.org".',
  apiKey: 'Use a non-empty key, or better set HYPERDEPLOY_EXPLORER_KEY_<CHAIN> in the environment.',
  gasBuffer: 'Use a multiplier between 1 and 5, e.g. "gasBuffer": 1.2.',
  retry: 'Use e.g. "retry": { "maxRetries": 3, "delaysMs": [5000, 15000, 30000] }.',
  maxRetries: 'Use a whole number of at least 0, e.g. "maxRetries": 3.',
  delaysMs: 'Use a non-empty list of milliseconds, e.g. "delaysMs": [5000, 15000, 30000].',
  db: 'Use a database file path, e.g. "db": ".hyperdeploy/hyperdeploy.db".',
  $schema: 'Use a string (a JSON schema URL or path), or remove the key.',
};

const NAME_HINT =
  'Chain names use lower-case letters, digits and "-" and start with a letter, e.g. "my-l2".';

/** Which object an issue path points into: picks the allowed keys and the hint. */
function fieldOf(path: readonly PropertyKey[]): { scope: string; field: string } {
  const keys = path[0] === 'chains' && path.length >= 2 ? ['chain', ...path.slice(2)] : [...path];
  const strings = keys.filter((key): key is string => typeof key === 'string');
  const field = strings.at(-1) ?? 'root';
  return { scope: strings.length === 0 ? 'root' : field, field };
}

export interface IssueText {
  path: string;
  message: string;
  hint: string;
}

/** One line per problem; never the offending value, which may be a secret. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): IssueText[] {
  const out: IssueText[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const { scope } = fieldOf(issue.path);
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          message: 'unknown key',
          hint: `Remove "${key}" or fix its spelling; allowed here: ${ALLOWED_KEYS[scope] ?? '?'}.`,
        });
      }
    } else if (issue.code === 'invalid_key') {
      out.push({ path: formatPath(issue.path), message: 'invalid chain name', hint: NAME_HINT });
    } else {
      const { field } = fieldOf(issue.path);
      out.push({
        path: formatPath(issue.path),
        message: issue.message,
        hint: FIELD_HINTS[field] ?? 'See the Configuration section of the docs.',
      });
    }
  }
  return out;
}

const MAX_LISTED = 5;

/** CONFIG_INVALID naming every bad field (up to a few) with the first field's hint. */
export function issuesError(source: string, issues: readonly z.core.$ZodIssue[]): HyperdeployError {
  const described = describeIssues(issues);
  const listed = described.slice(0, MAX_LISTED).map((i) => `${i.path}: ${i.message}`);
  const more = described.length > MAX_LISTED ? ` (and ${described.length - MAX_LISTED} more)` : '';
  return new HyperdeployError('CONFIG_INVALID', `${source}: ${listed.join('; ')}${more}`, {
    hint: described[0]?.hint ?? 'See the Configuration section of the docs.',
    step: 'config',
    details: { source, issues: described.map(({ path, message }) => ({ path, message })) },
  });
}

/** A CONFIG_INVALID for one named field. */
export const configError = (field: string, problem: string, hint: string): HyperdeployError =>
  new HyperdeployError('CONFIG_INVALID', `${field}: ${problem}`, {
    hint,
    step: 'config',
    details: { field },
  });
