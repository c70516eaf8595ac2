import type { SolcContracts } from './select.ts';

/** An answer to solc's import callback. */
export type ImportResult = { contents: string } | { error: string };

/** The part of the solc-js wrapper hyperdeploy uses. */
export interface Solc {
  compile(input: string, callbacks?: { import?: (path: string) => ImportResult }): string;
  version(): string;
}

export interface SolcError {
  severity: 'error' | 'warning' | 'info';
  type?: string;
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string; start: number; end: number };
}

export interface SolcOutput {
  errors?: SolcError[];
  contracts?: SolcContracts;
}

let loading: Promise<Solc> | undefined;

/**
 * Loads solc-js once, on first use: its 9 MB soljson takes most of a second to load.
 * soljson also installs an `unhandledRejection` listener that rethrows; it is removed so that
 * it cannot override the host process's own handling.
 */
export function loadSolc(): Promise<Solc> {
  loading ??= (async () => {
    const before = new Set(process.listeners('unhandledRejection'));
    const solc = (await import('solc')).default as unknown as Solc;
    for (const listener of process.listeners('unhandledRejection')) {
      if (!before.has(listener)) process.off('unhandledRejection', listener);
    }
    return solc;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/** `0.8.37+commit.f401782d.Emscripten.clang` -> `v0.8.37+commit.f401782d` (explorers' form). */
export function longCompilerVersion(solcVersion: string): string {
  const match = /^\d+\.\d+\.\d+(?:-[\w.]+)?\+commit\.[0-9a-f]+/.exec(solcVersion);
  return `v${match ? match[0] : solcVersion}`;
}

/** The evmVersion recorded in solc's metadata JSON: exact, even when the input omitted it. */
export function metadataEvmVersion(metadata: string | undefined): string | undefined {
  try {
    const version = metadata ? JSON.parse(metadata)?.settings?.evmVersion : undefined;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}
