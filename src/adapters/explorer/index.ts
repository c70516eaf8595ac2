import type { ExplorerType } from '../../chains/types.ts';
import type { Explorer } from '../../ports/explorer.ts';
import { BlockscoutV2Explorer } from './blockscout-v2.ts';
import { EtherscanExplorer } from './etherscan.ts';
import type { ExplorerHttpOptions } from './http.ts';

export {
  answerFromEnvelope,
  classifyText,
  envelopeText,
  KNOWN_ANSWERS,
  type KnownAnswer,
} from './answers.ts';
export { BlockscoutV2Explorer, type BlockscoutV2ExplorerParameters } from './blockscout-v2.ts';
export { EtherscanExplorer, type EtherscanExplorerParameters } from './etherscan.ts';
export type { ExplorerHttpOptions } from './http.ts';

export interface CreateExplorerParameters extends ExplorerHttpOptions {
  /** Which API the explorer speaks. */
  type: ExplorerType;
  /**
   * The verification API base: `https://…/api` for `etherscan`; for `blockscout-v2` the
   * instance root, or the same `…/api` (a trailing `/api` or `/api/v2` is dropped).
   */
  api: string;
  /** The human-facing explorer, for links to addresses. */
  url: string;
  /** Optional API key; sent as `apikey`, never shown. */
  apiKey?: string;
}

/** The explorer client for a chain's explorer config. */
export function createExplorer(config: CreateExplorerParameters): Explorer {
  const http: ExplorerHttpOptions = {
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  };
  switch (config.type) {
    case 'etherscan':
      return new EtherscanExplorer({
        apiUrl: config.api,
        browserUrl: config.url,
        apiKey: config.apiKey,
        ...http,
      });
    case 'blockscout-v2':
      return new BlockscoutV2Explorer({
        baseUrl: blockscoutRoot(config.api),
        browserUrl: config.url,
        apiKey: config.apiKey,
        ...http,
      });
  }
}

/** `https://x/api`, `https://x/api/v2/`, `https://x` → `https://x` (query and hash dropped). */
export function blockscoutRoot(api: string): string {
  try {
    const url = new URL(api);
    url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/api(?:\/v2)?$/, '');
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return api.replace(/\/+$/, '').replace(/\/api(?:\/v2)?$/, '');
  }
}
