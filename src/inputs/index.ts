import { extname } from 'node:path';
import { HyperdeployError } from '../core/errors.ts';
import { loadArtifactFile } from './artifact.ts';
import { linkLibraries, validateAbi, validateBytecode } from './bytecode.ts';
import { compileSolidity } from './compile.ts';
import { splitContractSpec } from './select.ts';
import type { ContractArtifact, LibraryAddresses } from './types.ts';

export { loadArtifactFile, type ParseArtifactOptions, parseArtifact } from './artifact.ts';
export {
  linkLibraries,
  type ValidateBytecodeOptions,
  validateAbi,
  validateBytecode,
} from './bytecode.ts';
export { type CompileSolidityParameters, compileSolidity } from './compile.ts';
export {
  type EncodeConstructorArgsParameters,
  encodeConstructorArgs,
  formatParameter,
  parseArgsJson,
} from './constructor-args.ts';
export { splitContractSpec } from './select.ts';
export type {
  ContractArtifact,
  LibraryAddresses,
  LinkReferences,
  SolidityBuildSource,
} from './types.ts';

export interface ResolveContractInputParameters {
  /** `path/File.sol[:Contract]` to compile, or an artifact `.json[:Contract]`. */
  file?: string;
  /** Raw creation bytecode (with `abi`), as the HTTP API receives it. */
  bytecode?: string;
  /** The JSON ABI (array or JSON text) that goes with `bytecode`. */
  abi?: unknown;
  /** The contract to pick from a file holding several; names raw bytecode in messages. */
  contractName?: string;
  /** Target EVM for compiling sources (e.g. `shanghai`); ignored for precompiled input. */
  evmVersion: string;
  /** Base of relative paths, `node_modules` and `remappings.txt`. */
  cwd?: string;
  /** Library addresses to link, by name or `path/Lib.sol:Lib` (`--libraries`). */
  libraries?: LibraryAddresses;
}

/** The one entry point for contract input, shared by the CLI, the HTTP API and the library. */
export async function resolveContractInput(
  params: ResolveContractInputParameters,
): Promise<ContractArtifact> {
  const { file, bytecode, contractName, cwd, libraries } = params;
  if (file !== undefined && bytecode !== undefined) {
    throw inputError('Both a contract file and raw bytecode were given.', 'Pass one of them.');
  }
  if (file !== undefined) {
    const extension = extname(splitContractSpec(file).path).toLowerCase();
    if (extension === '.sol') {
      return compileSolidity({ file, contractName, evmVersion: params.evmVersion, cwd, libraries });
    }
    if (extension === '.json') return loadArtifactFile(file, contractName, { cwd, libraries });
    throw inputError(
      `Cannot tell what ${file} is: expected a .sol source or a .json artifact.`,
      'Pass File.sol[:Contract], an artifact .json, or --bytecode with --abi.',
    );
  }
  if (bytecode !== undefined) {
    if (params.abi === undefined) {
      throw new HyperdeployError('INVALID_ABI', 'Raw bytecode was given without an ABI.', {
        hint: 'Pass the ABI too (--abi abi.json, or `abi` in the request): it has the constructor.',
        step: 'input',
      });
    }
    const abi = validateAbi(params.abi);
    const linked = libraries ? linkLibraries(bytecode, libraries) : bytecode;
    return { contractName: contractName ?? 'Contract', abi, bytecode: validateBytecode(linked) };
  }
  throw inputError(
    'No contract given.',
    'Pass File.sol[:Contract], an artifact .json, or --bytecode with --abi.',
  );
}

const inputError = (message: string, hint: string): HyperdeployError =>
  new HyperdeployError('INVALID_INPUT', message, { hint, step: 'input' });
