import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { HyperdeployError } from '../core/errors.ts';
import { linkLibraries, validateAbi, validateBytecode } from './bytecode.ts';
import { mergeContractName, selectContract, splitContractSpec } from './select.ts';
import {
  type ImportResult,
  loadSolc,
  longCompilerVersion,
  metadataEvmVersion,
  type SolcError,
  type SolcOutput,
} from './solc.ts';
import type { ContractArtifact, LibraryAddresses } from './types.ts';

export interface CompileSolidityParameters {
  /** Path to a `.sol` file, optionally `File.sol:Contract` to pick one contract. */
  file: string;
  /** The contract to deploy when the file has several (same as the `:Contract` suffix). */
  contractName?: string;
  /** Target EVM, e.g. `shanghai` for Metis Andromeda; always set (solc's default is osaka). */
  evmVersion: string;
  /** Project root: base of source unit names, `node_modules` and `remappings.txt`. */
  cwd?: string;
  /** Library addresses to link after compiling, by name or `path/Lib.sol:Lib`. */
  libraries?: LibraryAddresses;
}

const OUTPUTS = ['abi', 'evm.bytecode.object', 'evm.bytecode.linkReferences', 'metadata'];

/** Compiles one Solidity file with the bundled solc-js (offline) and returns the contract. */
export async function compileSolidity(
  params: CompileSolidityParameters,
): Promise<ContractArtifact> {
  const spec = splitContractSpec(params.file);
  const contractName = mergeContractName(spec, params.contractName);
  const cwd = resolve(params.cwd ?? process.cwd());
  const file = resolve(cwd, spec.path);
  const content = readSource(file, spec.path);

  // Source unit names are relative to the project so that explorers see `contracts/X.sol`.
  const inProject = !relative(cwd, file).startsWith('..') && !isAbsolute(relative(cwd, file));
  const baseDir = inProject ? cwd : dirname(file);
  const unit = toPosix(relative(baseDir, file));
  const remappings = readRemappings(cwd);
  const input = {
    language: 'Solidity',
    sources: { [unit]: { content } } as Record<string, { content: string }>,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: params.evmVersion,
      ...(remappings.length > 0 ? { remappings } : {}),
      outputSelection: { [unit]: { '*': OUTPUTS } },
    },
  };

  const solc = await loadSolc();
  const imported: Record<string, { content: string }> = {};
  const resolveImport = (path: string): ImportResult => {
    const candidates = importCandidates(path, { baseDir, fileDir: dirname(file), cwd });
    const found = candidates.find((candidate) => isFile(candidate));
    if (!found) {
      const looked = candidates.map((c) => toPosix(relative(cwd, c)) || '.').join(', ');
      return { error: `not found (looked in ${looked})` };
    }
    imported[path] = { content: readFileSync(found, 'utf8') };
    return { contents: imported[path].content };
  };
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), { import: resolveImport }),
  ) as SolcOutput;
  const compilerVersion = longCompilerVersion(solc.version());

  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw compilationFailed(unit, errors, compilerVersion, params.evmVersion);

  const selected = selectContract(output.contracts ?? {}, {
    contractName,
    sourceUnit: unit,
    origin: unit,
  });
  const linkReferences = selected.output.evm?.bytecode?.linkReferences ?? {};
  const raw = selected.output.evm?.bytecode?.object ?? '';
  const linked = params.libraries ? linkLibraries(raw, params.libraries, linkReferences) : raw;
  return {
    contractName: selected.contractName,
    abi: validateAbi(selected.output.abi),
    bytecode: validateBytecode(linked, { linkReferences }),
    source: {
      // Inline every imported source so the input compiles anywhere (explorers, local checks).
      standardJsonInput: { ...input, sources: { ...input.sources, ...imported } },
      compilerVersion,
      fullyQualifiedName: `${unit}:${selected.contractName}`,
      evmVersion: metadataEvmVersion(selected.output.metadata) ?? params.evmVersion,
    },
  };
}

function readSource(file: string, shown: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HyperdeployError('INVALID_INPUT', `Cannot read ${shown}: ${code ?? String(error)}.`, {
      hint:
        code === 'ENOENT'
          ? `No file at ${file}: check the path (relative paths start at the working directory).`
          : 'Check that the path is a readable Solidity file.',
      step: 'input',
      cause: error,
    });
  }
}

interface ImportRoots {
  baseDir: string;
  fileDir: string;
  cwd: string;
}

// Where an import can live: the project, the importing file's folder, then every node_modules
// from the project up (monorepos hoist packages like @openzeppelin/contracts).
function importCandidates(path: string, roots: ImportRoots): string[] {
  if (isAbsolute(path)) return [path];
  const candidates = [join(roots.baseDir, path), join(roots.fileDir, path)];
  for (let dir = roots.cwd; ; dir = dirname(dir)) {
    candidates.push(join(dir, 'node_modules', path));
    if (dirname(dir) === dir) break;
  }
  return [...new Set(candidates)];
}

/** Foundry's `remappings.txt` (`prefix=target` per line); solc applies them itself. */
function readRemappings(cwd: string): string[] {
  const file = join(cwd, 'remappings.txt');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#') && line.includes('='));
}

function compilationFailed(
  unit: string,
  errors: SolcError[],
  compilerVersion: string,
  evmVersion: string,
): HyperdeployError {
  const text = errors.map((e) => (e.formattedMessage ?? e.message).trim()).join('\n\n');
  return new HyperdeployError('COMPILATION_FAILED', `Compiling ${unit} failed:\n${text}`, {
    hint: compileHint(errors, compilerVersion, evmVersion),
    step: 'input',
    details: {
      compilerVersion,
      errors: errors.map((e) => ({
        type: e.type,
        message: e.message,
        file: e.sourceLocation?.file,
      })),
    },
  });
}

function compileHint(errors: SolcError[], compilerVersion: string, evmVersion: string): string {
  const messages = errors.map((e) => e.message).join('\n');
  if (/Invalid EVM version/i.test(messages)) {
    return (
      `evmVersion "${evmVersion}" is unknown to solc ${compilerVersion}: ` +
      'use e.g. shanghai, cancun or prague.'
    );
  }
  if (/requires different compiler version/i.test(messages)) {
    return (
      `The bundled compiler is ${compilerVersion}: relax the pragma (e.g. ^0.8.20), ` +
      'or compile with your toolchain and pass the artifact.'
    );
  }
  if (errors.some((e) => /^Source ".*" not found/.test(e.message))) {
    return (
      'Install the imported package (npm i …), or add a line prefix=path/ to remappings.txt ' +
      'in the project root.'
    );
  }
  return 'Fix the compiler errors shown in the message and run the command again.';
}

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

const toPosix = (path: string): string => path.split(sep).join('/');
