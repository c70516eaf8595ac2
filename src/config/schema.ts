import { z } from 'zod';

/** Lower-case, starts with a letter: maps 1:1 to env var suffixes and never looks like an id. */
export const CHAIN_NAME_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

const RPC_PROTOCOLS = new Set(['http:', 'https:', 'ws:', 'wss:']);
const HTTP_PROTOCOLS = new Set(['http:', 'https:']);

const hasProtocol = (value: string, protocols: Set<string>): boolean => {
  try {
    return protocols.has(new URL(value).protocol);
  } catch {
    return false;
  }
};

export const isRpcUrl = (value: string): boolean => hasProtocol(value, RPC_PROTOCOLS);
export const isHttpUrl = (value: string): boolean => hasProtocol(value, HTTP_PROTOCOLS);

// Messages never echo the value: RPC URLs and keys may carry credentials.
const rpcUrl = z.string().refine(isRpcUrl, { error: 'not a URL (http, https, ws or wss)' });
const httpUrl = z.string().refine(isHttpUrl, { error: 'not a URL (http or https)' });

export const TX_TYPES = ['legacy', 'eip1559'] as const;
export const EVM_VERSIONS = ['london', 'paris', 'shanghai', 'cancun', 'prague'] as const;
export const EXPLORER_TYPES = ['etherscan', 'blockscout-v2'] as const;

const currencySchema = z.union(
  [
    z.string().min(1),
    z.strictObject({
      symbol: z.string().min(1),
      decimals: z.number().int().min(0).max(36),
    }),
  ],
  { error: 'expected a symbol such as "ETH" or { "symbol": "ETH", "decimals": 18 }' },
);

const explorerSchema = z.strictObject({
  type: z.enum(EXPLORER_TYPES),
  api: httpUrl.optional(),
  url: httpUrl.optional(),
  apiKey: z.string().min(1).optional(),
});

export const chainEntrySchema = z.strictObject({
  chainId: z.number().int().positive().optional(),
  rpc: z.array(rpcUrl).min(1).optional(),
  confirmations: z.number().int().min(1).max(1000).optional(),
  txType: z.enum(TX_TYPES).optional(),
  evmVersion: z.enum(EVM_VERSIONS).optional(),
  currency: currencySchema.optional(),
  displayName: z.string().min(1).optional(),
  pollIntervalMs: z.number().int().min(10).max(600_000).optional(),
  rpcTimeoutMs: z.number().int().min(100).max(600_000).optional(),
  bumpAfterMs: z.number().int().min(100).max(86_400_000).optional(),
  maxFeeBumps: z.number().int().min(0).max(50).optional(),
  maxFeePerGasGwei: z.number().positive().max(1_000_000).optional(),
  explorer: explorerSchema.optional(),
});

export const DEFAULT_GAS_BUFFER = 1.2;
export const DEFAULT_RETRY = { maxRetries: 3, delaysMs: [5000, 15000, 30000] };

export const configFileSchema = z.strictObject({
  // Lets editors validate the file against a JSON schema; ignored here.
  $schema: z.string().optional(),
  chains: z
    .record(z.string().regex(CHAIN_NAME_RE, { error: 'invalid chain name' }), chainEntrySchema)
    .optional(),
  gasBuffer: z.number().min(1).max(5).default(DEFAULT_GAS_BUFFER),
  retry: z
    .strictObject({
      maxRetries: z.number().int().min(0).max(100).default(DEFAULT_RETRY.maxRetries),
      delaysMs: z
        .array(z.number().int().min(0).max(86_400_000))
        .min(1)
        .default(() => [...DEFAULT_RETRY.delaysMs]),
    })
    .default(() => ({
      maxRetries: DEFAULT_RETRY.maxRetries,
      delaysMs: [...DEFAULT_RETRY.delaysMs],
    })),
  db: z.string().min(1).optional(),
  /** Status changes are POSTed here, signed with HYPERDEPLOY_WEBHOOK_SECRET. */
  webhooks: z
    .array(z.strictObject({ url: httpUrl }))
    .max(10)
    .optional(),
});

export type ChainEntry = z.infer<typeof chainEntrySchema>;
export type ConfigFile = z.infer<typeof configFileSchema>;
