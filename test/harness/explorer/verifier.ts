import { rpcCall } from '../../../src/devchain/index.ts';
import type { SolcOutput } from '../../../src/inputs/solc.ts';
import { longCompilerVersion } from '../../../src/inputs/solc.ts';
import {
  type CodeMatch,
  compareCode,
  flattenRanges,
  splitCreationInput,
  strip0x,
} from './bytecode.ts';
import type { StandInCompiler } from './compiler.ts';

/** One verification job, as an explorer queues it. */
export interface VerificationJob {
  address: string;
  /** `path/File.sol:Name` or `Name`. */
  contractName: string;
  /** `v0.8.x+commit.…`. */
  compilerVersion: string;
  /** The standard JSON input, as text. */
  sourceCode: string;
  /** Hex without 0x; undefined: autodetect from the creation transaction (Blockscout). */
  constructorArgs: string | undefined;
}

export type VerificationOutcome =
  | {
      ok: true;
      match: Exclude<CodeMatch, 'mismatch'>;
      /** Whether the creation transaction (and so the constructor arguments) was compared. */
      creationChecked: boolean;
      constructorArgs: string;
      abi: unknown;
    }
  | { ok: false; reason: string };

const OUTPUTS = [
  'abi',
  'evm.bytecode.object',
  'evm.bytecode.linkReferences',
  'evm.deployedBytecode.object',
  'evm.deployedBytecode.linkReferences',
  'evm.deployedBytecode.immutableReferences',
];

interface ContractOutput {
  abi?: unknown;
  evm?: {
    bytecode?: { object?: string; linkReferences?: unknown };
    deployedBytecode?: { object?: string; linkReferences?: unknown; immutableReferences?: unknown };
  };
}

const fail = (reason: string): VerificationOutcome => ({ ok: false, reason });

/**
 * Recompiles the submitted input with the bundled solc and compares it with the chain: the
 * runtime code (`eth_getCode`), then the creation transaction's input (found with anvil's
 * `ots_getContractCreator`) = creation code + constructor arguments. Contracts created by
 * another contract, or a node without `ots_`, get the runtime comparison only.
 */
export async function verifyJob(
  job: VerificationJob,
  deps: { rpcUrl: string; compiler: StandInCompiler },
): Promise<VerificationOutcome> {
  const bundled = await deps.compiler.version();
  const wanted = /^v?(\d+\.\d+\.\d+)/.exec(job.compilerVersion)?.[1];
  if (!wanted || !bundled.startsWith(`${wanted}+`)) {
    return fail(
      `Compiler version ${job.compilerVersion} is not available on this explorer ` +
        `(it has ${longCompilerVersion(bundled)})`,
    );
  }
  let input: { settings?: Record<string, unknown> };
  try {
    input = JSON.parse(job.sourceCode);
    if (!input || typeof input !== 'object') throw new Error('not an object');
  } catch {
    return fail('The source is not a standard JSON input');
  }
  input.settings = { ...input.settings, outputSelection: { '*': { '*': OUTPUTS } } };
  const output = await deps.compiler.compile(JSON.stringify(input));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    return fail(
      `Compilation failed: ${(errors[0]?.formattedMessage ?? errors[0]?.message ?? '').trim()}`,
    );
  }
  const candidates = findContracts(output, job.contractName);
  if (candidates.length === 0)
    return fail(`Wrong contract name ${job.contractName}: not in the compiled output`);

  const deployed = strip0x(
    await rpcCall<string>(deps.rpcUrl, 'eth_getCode', [job.address, 'latest']),
  );
  // Without a name (Blockscout v2 allows it), the first contract whose runtime code matches.
  const matched = candidates
    .map((contract) => ({ contract, match: compareRuntime(contract, deployed) }))
    .find((candidate) => candidate.match !== 'mismatch');
  if (!matched) return fail('Bytecode does not match the deployed code');
  const { contract } = matched;
  const runtimeMatch = matched.match as Exclude<CodeMatch, 'mismatch'>;

  const creationInput = await creationTransactionInput(deps.rpcUrl, job.address);
  if (creationInput === undefined) {
    return {
      ok: true,
      match: runtimeMatch,
      creationChecked: false,
      constructorArgs: job.constructorArgs ?? '',
      abi: contract.abi,
    };
  }
  const creation = strip0x(contract.evm?.bytecode?.object ?? '');
  const split = splitCreationInput(
    creation,
    creationInput,
    flattenRanges(contract.evm?.bytecode?.linkReferences),
  );
  if (split.match === 'mismatch')
    return fail('Creation bytecode does not match the creation transaction');
  if (job.constructorArgs !== undefined && strip0x(job.constructorArgs) !== split.args) {
    return fail('Constructor arguments do not match the creation transaction');
  }
  const match = runtimeMatch === 'exact' && split.match === 'exact' ? 'exact' : 'partial';
  return { ok: true, match, creationChecked: true, constructorArgs: split.args, abi: contract.abi };
}

/** The contract named `path:Name` or `Name`; every contract when the name is empty. */
function findContracts(output: SolcOutput, name: string): ContractOutput[] {
  const contracts = (output.contracts ?? {}) as Record<string, Record<string, ContractOutput>>;
  const colon = name.lastIndexOf(':');
  if (colon >= 0) {
    const found = contracts[name.slice(0, colon)]?.[name.slice(colon + 1)];
    return found ? [found] : [];
  }
  const all = Object.values(contracts).flatMap((file) => Object.entries(file));
  return all.filter(([contractName]) => !name || contractName === name).map(([, output]) => output);
}

function compareRuntime(contract: ContractOutput, deployed: string): CodeMatch {
  const runtime = strip0x(contract.evm?.deployedBytecode?.object ?? '');
  const ignore = [
    ...flattenRanges(contract.evm?.deployedBytecode?.linkReferences),
    ...flattenRanges(contract.evm?.deployedBytecode?.immutableReferences),
  ];
  return compareCode(runtime, deployed, ignore);
}

/** The input of the transaction that created the address, when it was a plain CREATE tx. */
async function creationTransactionInput(
  rpcUrl: string,
  address: string,
): Promise<string | undefined> {
  try {
    const creator = await rpcCall<{ hash: string } | null>(rpcUrl, 'ots_getContractCreator', [
      address,
    ]);
    if (!creator?.hash) return undefined;
    const tx = await rpcCall<{ to: string | null; input: string } | null>(
      rpcUrl,
      'eth_getTransactionByHash',
      [creator.hash],
    );
    return tx && tx.to === null ? strip0x(tx.input) : undefined;
  } catch {
    return undefined;
  }
}
