import { fileURLToPath } from 'node:url';
import { type ContractArtifact, compileSolidity } from '../../src/inputs/index.ts';

const CONTRACTS = fileURLToPath(new URL('../../contracts/', import.meta.url));
const cache = new Map<string, Promise<ContractArtifact>>();

/** Compiles a sample contract once per (file, evmVersion) for the whole test file. */
export function sample(
  file: 'Counter.sol' | 'Token.sol' | 'Reverting.sol',
  evmVersion = 'shanghai',
): Promise<ContractArtifact> {
  const key = `${file}@${evmVersion}`;
  let artifact = cache.get(key);
  if (!artifact) {
    artifact = compileSolidity({ file: CONTRACTS + file, evmVersion });
    cache.set(key, artifact);
  }
  return artifact;
}
