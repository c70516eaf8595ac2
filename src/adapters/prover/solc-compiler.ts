import type {
  ISolidityCompiler,
  SolidityJsonInput,
  SolidityOutput,
} from '@ethereum-sourcify/lib-sourcify';
import { loadSolc, type SolcError } from '../../inputs/solc.ts';

/** `v0.8.37+commit.f401782d.Emscripten.clang` -> `0.8.37+commit.f401782d`. */
export function normalizeSolcVersion(version: string): string {
  const trimmed = version.trim().replace(/^v/, '');
  const match = /^\d+\.\d+\.\d+(?:-[\w.]+)?(?:\+commit\.[0-9a-f]+)?/.exec(trimmed);
  return match ? match[0] : trimmed;
}

/**
 * Whether a recorded compiler version names the bundled one. Both are normalized; a version
 * recorded without its commit (`0.8.37`) matches the bundled release of that number.
 */
export function sameSolcVersion(recorded: string, bundled: string): boolean {
  const a = normalizeSolcVersion(recorded);
  const b = normalizeSolcVersion(bundled);
  if (a === b) return true;
  const [aRelease, aCommit] = a.split('+');
  const [bRelease] = b.split('+');
  return aCommit === undefined && aRelease === bRelease;
}

/** The bundled solc-js version, normalized (`0.8.37+commit.f401782d`). */
export async function bundledSolcVersion(): Promise<string> {
  return normalizeSolcVersion((await loadSolc()).version());
}

/** A compile failure the way lib-sourcify reads it: `errors` holds solc's error objects. */
export class SolcCompileError extends Error {
  readonly errors: SolcError[];
  constructor(message: string, errors: SolcError[]) {
    super(message);
    this.name = 'SolcCompileError';
    this.errors = errors;
  }
}

/**
 * lib-sourcify's compiler port on the bundled solc-js: only that one version can compile,
 * offline, with no import callback (the standard JSON input carries every source inline).
 */
export class BundledSolidityCompiler implements ISolidityCompiler {
  async compile(version: string, input: SolidityJsonInput): Promise<SolidityOutput> {
    const solc = await loadSolc();
    const bundled = normalizeSolcVersion(solc.version());
    if (!sameSolcVersion(version, bundled)) {
      throw new Error(`solc ${version} is not bundled (bundled: v${bundled})`);
    }
    const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolidityOutput & {
      errors?: SolcError[];
    };
    const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
    if (errors.length > 0) {
      const first = errors[0]?.formattedMessage ?? errors[0]?.message ?? 'unknown error';
      throw new SolcCompileError(first.trim(), errors);
    }
    return output;
  }
}
