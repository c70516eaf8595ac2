import { basename, extname } from 'node:path';
import { HyperdeployError } from '../core/errors.ts';
import type { LinkReferences } from './types.ts';

/** The part of solc's per-contract output that hyperdeploy reads. */
export interface SolcContractOutput {
  abi?: unknown;
  metadata?: string;
  evm?: { bytecode?: { object?: string; linkReferences?: LinkReferences } };
}

/** solc's `contracts` output: source unit name -> contract name -> output. */
export type SolcContracts = Record<string, Record<string, SolcContractOutput>>;

export interface ContractSpec {
  /** The file part, e.g. `contracts/Multi.sol`. */
  path: string;
  /** The contract after the last `:`, if one was given. */
  contractName?: string;
}

/** Splits `path/File.sol:Name` (also `.json:Name`); a Windows drive colon is not a separator. */
export function splitContractSpec(spec: string): ContractSpec {
  const match = /^(.+\.(?:sol|json)):([A-Za-z_$][\w$]*)$/i.exec(spec);
  return match?.[1] && match[2] ? { path: match[1], contractName: match[2] } : { path: spec };
}

/** Merges a name given in the spec with one given separately; they must not disagree. */
export function mergeContractName(
  spec: ContractSpec,
  contractName: string | undefined,
): string | undefined {
  if (spec.contractName && contractName && spec.contractName !== contractName) {
    throw new HyperdeployError(
      'INVALID_INPUT',
      `Two contract names given: ${spec.path}:${spec.contractName} and --contract ${contractName}.`,
      { hint: `Give the contract once, e.g. ${spec.path}:${contractName}.`, step: 'input' },
    );
  }
  return spec.contractName ?? contractName;
}

export interface SelectContractOptions {
  /** `Name` or `path/File.sol:Name`; without it the only deployable contract is picked. */
  contractName?: string | undefined;
  /** Only contracts of this source unit are candidates (the compiled file, not its imports). */
  sourceUnit?: string | undefined;
  /** What to call the input in messages, e.g. `contracts/Multi.sol`. */
  origin: string;
}

export interface SelectedContract {
  sourceUnit: string;
  contractName: string;
  output: SolcContractOutput;
}

const hasBytecode = (output: SolcContractOutput): boolean =>
  (output.evm?.bytecode?.object ?? '').replace(/^0x/, '').length > 0;

/** Picks one contract of a solc output, by name or because it is the only deployable one. */
export function selectContract(
  contracts: SolcContracts,
  options: SelectContractOptions,
): SelectedContract {
  const all = Object.entries(contracts)
    .filter(([unit]) => options.sourceUnit === undefined || unit === options.sourceUnit)
    .flatMap(([sourceUnit, byName]) =>
      Object.entries(byName).map(([contractName, output]) => ({
        sourceUnit,
        contractName,
        output,
      })),
    );
  const fqn = (c: SelectedContract): string => `${c.sourceUnit}:${c.contractName}`;
  const step = 'input' as const;

  if (options.contractName) {
    const wanted = options.contractName;
    const matches = all.filter((c) => fqn(c) === wanted || matchesName(c, wanted));
    const [first] = matches;
    if (!first) {
      throw new HyperdeployError('INVALID_INPUT', `No contract ${wanted} in ${options.origin}.`, {
        hint: `Contracts found: ${all.map(fqn).join(', ') || 'none'}.`,
        step,
        details: { contracts: all.map(fqn) },
      });
    }
    if (matches.length > 1) {
      throw new HyperdeployError('INVALID_INPUT', `Contract name ${wanted} is ambiguous.`, {
        hint: `Name it fully: ${matches.map(fqn).join(' or ')}.`,
        step,
        details: { contracts: matches.map(fqn) },
      });
    }
    if (!hasBytecode(first.output)) {
      throw new HyperdeployError(
        'INVALID_INPUT',
        `${first.contractName} in ${options.origin} has no bytecode (an interface or abstract).`,
        { hint: 'Deploy a concrete contract that implements it.', step },
      );
    }
    return first;
  }

  const deployable = all.filter((c) => hasBytecode(c.output));
  if (deployable.length === 1 && deployable[0]) return deployable[0];
  if (deployable.length === 0) {
    throw new HyperdeployError('INVALID_INPUT', `No deployable contract in ${options.origin}.`, {
      hint: 'Interfaces, abstract contracts and files without contracts have no bytecode.',
      step,
      details: { contracts: all.map(fqn) },
    });
  }
  // Several: the contract named like its file is the usual intent (Token.sol -> Token).
  const likeFile = deployable.filter(
    (c) => basename(c.sourceUnit, extname(c.sourceUnit)) === c.contractName,
  );
  if (likeFile.length === 1 && likeFile[0]) return likeFile[0];
  const names = deployable.map(fqn);
  throw new HyperdeployError(
    'INVALID_INPUT',
    `${options.origin} has ${deployable.length} deployable contracts: ${names.join(', ')}.`,
    {
      hint: `Pick one with File.sol:Name, e.g. ${options.origin}:${deployable[0]?.contractName}.`,
      step,
      details: { contracts: names },
    },
  );
}

// `File.sol:Name` matches `path/to/File.sol:Name`; a bare name matches any file.
function matchesName(c: SelectedContract, wanted: string): boolean {
  const colon = wanted.lastIndexOf(':');
  if (colon === -1) return c.contractName === wanted;
  const file = wanted.slice(0, colon);
  return (
    c.contractName === wanted.slice(colon + 1) &&
    (c.sourceUnit === file || c.sourceUnit.endsWith(`/${file}`))
  );
}
