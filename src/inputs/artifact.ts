import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { HyperdeployError } from '../core/errors.ts';
import {
  type BuildInfo,
  findHardhatBuildInfo,
  sourceFromBuildInfo,
  withInput,
} from './build-info.ts';
import { linkLibraries, validateAbi, validateBytecode } from './bytecode.ts';
import { sourceFromMetadata } from './metadata-source.ts';
import {
  mergeContractName,
  type SolcContracts,
  selectContract,
  splitContractSpec,
} from './select.ts';
import type {
  ContractArtifact,
  LibraryAddresses,
  LinkReferences,
  SolidityBuildSource,
} from './types.ts';

export interface ParseArtifactOptions {
  /** Which contract, for files holding several (build-info, solc output). */
  contractName?: string | undefined;
  /** Library addresses to link, by name or `path/Lib.sol:Lib`. */
  libraries?: LibraryAddresses | undefined;
  /** The file the JSON came from: names it in messages and locates sources/build-info. */
  path?: string | undefined;
}

/**
 * Reads a compiler artifact: Hardhat, Foundry, Truffle, Waffle, Hardhat build-info or solc
 * standard JSON output. `path` may end in `:Name` to pick a contract.
 */
export async function loadArtifactFile(
  path: string,
  contractName?: string,
  options: { libraries?: LibraryAddresses; cwd?: string } = {},
): Promise<ContractArtifact> {
  const spec = splitContractSpec(path);
  const file = resolve(options.cwd ?? process.cwd(), spec.path);
  const json = await readJson(file, spec.path);
  return parseArtifact(json, {
    contractName: mergeContractName(spec, contractName),
    libraries: options.libraries,
    path: file,
  });
}

/** Detects the artifact format of parsed JSON (also for artifacts posted to the HTTP API). */
export function parseArtifact(json: unknown, options: ParseArtifactOptions = {}): ContractArtifact {
  const origin = options.path ? basename(options.path) : 'The artifact';
  if (!isRecord(json)) throw unknownShape(origin, json);
  const output = json.output;
  if (isRecord(output) && isRecord(output.contracts)) {
    const buildInfo = withInput(json as BuildInfo, options.path);
    return fromSolcOutput(output.contracts as SolcContracts, origin, options, buildInfo);
  }
  if (isRecord(json.contracts) && json.abi === undefined) {
    return fromSolcOutput(json.contracts as SolcContracts, origin, options, undefined);
  }
  const bytecode = pickBytecode(json);
  if (json.abi === undefined || bytecode === undefined) throw unknownShape(origin, json);

  const name = singleContractName(json, options.path);
  if (options.contractName && !contractNameMatches(options.contractName, name)) {
    throw new HyperdeployError(
      'INVALID_INPUT',
      `${origin} holds contract ${name}, not ${options.contractName}.`,
      {
        hint: `Pass the artifact of ${options.contractName}, or drop the contract name.`,
        step: 'input',
      },
    );
  }
  const linkReferences = pickLinkReferences(json);
  return {
    contractName: name,
    abi: validateAbi(json.abi),
    bytecode: link(bytecode, linkReferences, options.libraries),
    ...optionalSource(() => singleContractSource(json, name, options.path)),
  };
}

function fromSolcOutput(
  contracts: SolcContracts,
  origin: string,
  options: ParseArtifactOptions,
  buildInfo: BuildInfo | undefined,
): ContractArtifact {
  const selected = selectContract(contracts, { contractName: options.contractName, origin });
  const { sourceUnit, contractName, output } = selected;
  const linkReferences = output.evm?.bytecode?.linkReferences ?? {};
  return {
    contractName,
    abi: validateAbi(output.abi),
    bytecode: link(output.evm?.bytecode?.object ?? '', linkReferences, options.libraries),
    ...optionalSource(() =>
      buildInfo ? sourceFromBuildInfo(buildInfo, sourceUnit, contractName, output) : undefined,
    ),
  };
}

function pickBytecode(json: Record<string, unknown>): string | undefined {
  if (typeof json.bytecode === 'string') return json.bytecode; // Hardhat, Truffle
  const foundry = isRecord(json.bytecode) ? json.bytecode.object : undefined;
  if (typeof foundry === 'string') return foundry;
  const evm =
    isRecord(json.evm) && isRecord(json.evm.bytecode) ? json.evm.bytecode.object : undefined;
  return typeof evm === 'string' ? evm : undefined; // Waffle, solc per-contract output
}

function pickLinkReferences(json: Record<string, unknown>): LinkReferences {
  const candidates = [
    json.linkReferences,
    isRecord(json.bytecode) ? json.bytecode.linkReferences : undefined,
    isRecord(json.evm) && isRecord(json.evm.bytecode)
      ? json.evm.bytecode.linkReferences
      : undefined,
  ];
  return (candidates.find(isRecord) as LinkReferences | undefined) ?? {};
}

// Hardhat and Truffle record the name; Foundry has it in the metadata; else the file name.
function singleContractName(json: Record<string, unknown>, path: string | undefined): string {
  if (typeof json.contractName === 'string') return json.contractName;
  const metadata = parseMaybeJson(json.rawMetadata ?? json.metadata);
  const target =
    isRecord(metadata) && isRecord(metadata.settings)
      ? metadata.settings.compilationTarget
      : undefined;
  const fromTarget = isRecord(target) ? Object.values(target)[0] : undefined;
  if (typeof fromTarget === 'string') return fromTarget;
  return path ? basename(path).replace(/\.json$/i, '') : 'Contract';
}

function singleContractSource(
  json: Record<string, unknown>,
  name: string,
  path: string | undefined,
): SolidityBuildSource | undefined {
  if (!path) return undefined;
  const sourceName = json.sourceName ?? json.inputSourceName;
  if (typeof json._format === 'string' && typeof sourceName === 'string') {
    const buildInfo = findHardhatBuildInfo(path, json);
    const output = buildInfo?.output?.contracts?.[sourceName]?.[name];
    return buildInfo ? sourceFromBuildInfo(buildInfo, sourceName, name, output) : undefined;
  }
  return sourceFromMetadata(json.rawMetadata ?? json.metadata, path);
}

// Source info only serves verification: a problem finding it must not stop a deployment.
function optionalSource(find: () => SolidityBuildSource | undefined): {
  source?: SolidityBuildSource;
} {
  try {
    const source = find();
    return source ? { source } : {};
  } catch {
    return {};
  }
}

function link(bytecode: string, linkReferences: LinkReferences, libraries?: LibraryAddresses) {
  const linked = libraries ? linkLibraries(bytecode, libraries, linkReferences) : bytecode;
  return validateBytecode(linked, { linkReferences });
}

const contractNameMatches = (wanted: string, name: string): boolean =>
  wanted === name || wanted.endsWith(`:${name}`);

async function readJson(file: string, shown: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HyperdeployError(
      'INVALID_INPUT',
      `Cannot read artifact ${shown}: ${code ?? String(error)}.`,
      {
        hint:
          code === 'ENOENT'
            ? `No file at ${file}: build the project first (forge build, npx hardhat compile) ` +
              'or fix the path.'
            : 'Pass the path of one artifact JSON file.',
        step: 'input',
        cause: error,
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HyperdeployError(
      'INVALID_INPUT',
      `${shown} is not valid JSON: ${(error as Error).message}`,
      {
        hint: 'Pass an artifact JSON file as written by the compiler toolchain.',
        step: 'input',
        cause: error,
      },
    );
  }
}

function unknownShape(origin: string, json: unknown): HyperdeployError {
  const keys = isRecord(json) ? Object.keys(json).slice(0, 20) : [];
  const abiOnly = isRecord(json) && json.abi !== undefined;
  const hint = Array.isArray(json)
    ? 'This is an ABI without bytecode: pass the full artifact, or --bytecode with --abi.'
    : abiOnly
      ? 'It has an ABI but no bytecode (interface or ABI-only export): use the contract artifact.'
      : 'Pass the contract artifact, e.g. out/X.sol/X.json or artifacts/contracts/X.sol/X.json.';
  return new HyperdeployError(
    'INVALID_INPUT',
    `${origin} is not a known contract artifact: expected \`abi\` with \`bytecode\` ` +
      '(Hardhat, Truffle), `bytecode.object` (Foundry), `evm.bytecode.object` (Waffle) ' +
      'or `output.contracts` (Hardhat build-info, solc standard JSON output).',
    { hint, step: 'input', details: { keys } },
  );
}

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
