import {
  CompilationError,
  RpcFailure,
  SolidityCompilation,
  type SolidityJsonInput,
  SourcifyChain,
  setLibSourcifyLogger,
  Verification,
  VerificationError,
  type VerificationStatus,
} from '@ethereum-sourcify/lib-sourcify';
import { getAddress, isAddress } from 'viem';
import type { ChainConfig } from '../../chains/types.ts';
import type { LocalProof, SourceProver, VerificationSource } from '../../ports/prover.ts';
import { describeDifference, immutableRanges, linkRanges } from './diff.ts';
import {
  BundledSolidityCompiler,
  bundledSolcVersion,
  normalizeSolcVersion,
  SolcCompileError,
  sameSolcVersion,
} from './solc-compiler.ts';

export { describeDifference } from './diff.ts';
export { BundledSolidityCompiler, normalizeSolcVersion } from './solc-compiler.ts';

export interface SourceProverOptions {
  /** Per-request RPC timeout when the chain sets none (default 15 s). */
  rpcTimeoutMs?: number;
}

const DEFAULT_RPC_TIMEOUT_MS = 15_000;
/** lib-sourcify's own default is 10 s, on a timer that keeps the process alive that long. */
const LIB_GLOBAL_RPC_TIMEOUT_MS = 5_000;

/**
 * The local proof of source with `@ethereum-sourcify/lib-sourcify` and the bundled solc-js:
 * recompiles the standard JSON input and matches it against the runtime code at the address and
 * the creation transaction's input (constructor arguments, immutables, libraries and the
 * metadata hash handled the way Sourcify does: `perfect` -> exact, `partial` -> partial).
 */
export function createSourceProver(options: SourceProverOptions = {}): SourceProver {
  quietLibSourcify();
  const compiler = new BundledSolidityCompiler();
  return {
    async prove({ chain, address, creationTxHash, source }) {
      try {
        return await prove(compiler, chain, address, creationTxHash, source, options);
      } catch (error) {
        return { result: 'unavailable', reason: `local proof failed: ${messageOf(error)}` };
      }
    },
  };
}

async function prove(
  compiler: BundledSolidityCompiler,
  chain: ChainConfig,
  address: string,
  creationTxHash: string,
  source: VerificationSource,
  options: SourceProverOptions,
): Promise<LocalProof> {
  const bundled = await bundledSolcVersion();
  if (!sameSolcVersion(source.compilerVersion, bundled)) {
    return {
      result: 'unavailable',
      reason:
        `the source was compiled with solc v${normalizeSolcVersion(source.compilerVersion)}, ` +
        `but only v${bundled} is bundled`,
    };
  }
  const target = splitFullyQualifiedName(source.fullyQualifiedName);
  if (!target) {
    return {
      result: 'unavailable',
      reason: `"${source.fullyQualifiedName}" is not a fully qualified name (path/File.sol:Name)`,
    };
  }
  const input = readJsonInput(source.standardJsonInput);
  if (typeof input === 'string') return { result: 'unavailable', reason: input };
  if (!input.sources[target.path]) {
    return {
      result: 'mismatch',
      reason: `source ${target.path} is not in the standard JSON input`,
    };
  }
  if (!isAddress(address, { strict: false })) {
    return { result: 'unavailable', reason: `"${address}" is not an address` };
  }
  const rpcs = chain.rpc.filter((url) => /^https?:\/\//i.test(url));
  if (rpcs.length === 0) {
    return { result: 'unavailable', reason: `chain ${chain.name} has no HTTP RPC URL` };
  }

  const checksummed = getAddress(address);
  const sourcifyChain = sourcifyChainFor(chain, rpcs, options);
  const compilation = new SolidityCompilation(
    compiler,
    normalizeSolcVersion(bundled),
    input,
    target,
  );
  const verification = new Verification(compilation, sourcifyChain, checksummed, creationTxHash);
  try {
    await verification.verify();
  } catch (error) {
    return failure(error, verification, checksummed, target);
  } finally {
    for (const rpc of sourcifyChain.rpcs) rpc.provider?.destroy();
  }
  return outcome(verification, creationTxHash);
}

/** The verdict from lib-sourcify's statuses: both codes must match when both were compared. */
function outcome(verification: Verification, creationTxHash: string): LocalProof {
  const { runtimeMatch, creationMatch } = verification.status;
  const creationCompared = verification.deploymentInfo.txHash !== undefined;
  if (!isMatch(runtimeMatch)) {
    return mismatch(verification, 'runtime');
  }
  if (creationCompared && !isMatch(creationMatch)) {
    return mismatch(verification, 'creation');
  }
  const partial = runtimeMatch === 'partial' || creationMatch === 'partial';
  const notes: string[] = [];
  if (partial) {
    notes.push(
      'the code matches but the metadata hash differs (comments, whitespace, file names or ' +
        'metadata settings differ from what was deployed)',
    );
  }
  if (!creationCompared) {
    notes.push(
      `creation code not compared: transaction ${creationTxHash} could not be read or did not ` +
        'create this contract directly',
    );
  }
  return {
    result: partial ? 'partial_match' : 'exact_match',
    ...(notes.length > 0 ? { reason: notes.join('; ') } : {}),
  };
}

const isMatch = (status: VerificationStatus): boolean =>
  status === 'perfect' || status === 'partial';

function failure(
  error: unknown,
  verification: Verification,
  address: string,
  target: { path: string; name: string },
): LocalProof {
  if (error instanceof VerificationError) {
    switch (error.code) {
      case 'cannot_fetch_bytecode':
        return {
          result: 'unavailable',
          reason: `cannot read the code at ${address} from the chain's RPC`,
        };
      case 'contract_not_deployed':
        return { result: 'mismatch', reason: `no code at address ${address}` };
      case 'compiled_bytecode_is_zero':
        return {
          result: 'mismatch',
          reason: `${target.name} compiles to empty bytecode (abstract contract or interface?)`,
        };
      case 'bytecode_length_mismatch':
      case 'no_match':
        return mismatch(verification, 'runtime', error.message);
      case 'extra_file_input_bug':
        return { result: 'mismatch', reason: error.message };
      default:
        return { result: 'unavailable', reason: error.message };
    }
  }
  if (error instanceof CompilationError) {
    if (error.code === 'contract_not_found_in_compiler_output') {
      return {
        result: 'mismatch',
        reason: `contract ${target.name} not in the compiler output of ${target.path}`,
      };
    }
    if (error.code === 'compiler_error') {
      const data = (error as { data?: { compilerErrors?: unknown; compilerErrorMessage?: string } })
        .data;
      const reason = compilerErrorText(data?.compilerErrors) ?? data?.compilerErrorMessage;
      if (reason?.includes('is not bundled')) return { result: 'unavailable', reason };
      return {
        result: 'mismatch',
        reason: `the source does not compile: ${reason ?? error.message}`,
      };
    }
    return { result: 'unavailable', reason: error.message };
  }
  if (error instanceof SolcCompileError) {
    return { result: 'mismatch', reason: `the source does not compile: ${error.message}` };
  }
  return { result: 'unavailable', reason: messageOf(error) };
}

/** A mismatch with where the codes differ; `fallback` when the diff cannot be computed. */
function mismatch(
  verification: Verification,
  kind: 'runtime' | 'creation',
  fallback = "the deployed and recompiled bytecode don't match",
): LocalProof {
  try {
    const { compilation } = verification;
    const difference =
      kind === 'runtime'
        ? describeDifference(
            'runtime',
            compilation.runtimeBytecode,
            verification.onchainRuntimeBytecode,
            [
              ...immutableRanges(compilation.immutableReferences),
              ...linkRanges(compilation.runtimeLinkReferences),
            ],
          )
        : describeDifference(
            'creation',
            compilation.creationBytecode,
            verification.onchainCreationBytecode,
            linkRanges(compilation.creationLinkReferences),
          );
    return { result: 'mismatch', reason: difference?.reason ?? `${kind} code: ${fallback}` };
  } catch {
    return { result: 'mismatch', reason: fallback };
  }
}

function sourcifyChainFor(
  chain: ChainConfig,
  rpcs: string[],
  options: SourceProverOptions,
): SourcifyChain {
  const sourcifyChain = new SourcifyChain({
    name: chain.displayName || chain.name,
    chainId: chain.chainId,
    rpcs: rpcs.map((rpc) => ({ rpc, maskedUrl: maskUrl(rpc) })),
    supported: true,
  });
  // lib-sourcify races every RPC call against a timer it never clears, so each call kept the
  // process alive for the global timeout (10 s). This instance's timer is unref'd and per chain.
  const timeoutMs = chain.rpcTimeoutMs ?? options.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  sourcifyChain.rejectInMs = (host?: string) =>
    new Promise<never>((_resolve, reject) => {
      setTimeout(
        () => reject(new RpcFailure(`RPC ${host ?? ''} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      ).unref();
    });
  return sourcifyChain;
}

let quieted = false;

/**
 * lib-sourcify logs every step to the console by default; a CLI and a server must not print
 * that. Its global RPC timeout (used by SourcifyChain instances other than ours) is shortened so
 * that its uncleared timers do not hold the process for 10 s.
 */
function quietLibSourcify(): void {
  if (quieted) return;
  quieted = true;
  setLibSourcifyLogger({ logLevel: 0, setLevel() {}, log() {} });
  if (SourcifyChain.getGlobalRpcTimeout() > LIB_GLOBAL_RPC_TIMEOUT_MS) {
    SourcifyChain.setGlobalRpcTimeout(LIB_GLOBAL_RPC_TIMEOUT_MS);
  }
}

function splitFullyQualifiedName(name: string): { path: string; name: string } | undefined {
  const colon = name.lastIndexOf(':');
  if (colon <= 0 || colon === name.length - 1) return undefined;
  return { path: name.slice(0, colon), name: name.slice(colon + 1) };
}

/** A deep copy of the standard JSON input (lib-sourcify rewrites its outputSelection), or why not. */
function readJsonInput(value: unknown): SolidityJsonInput | string {
  let input: unknown = value;
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch {
      return 'the standard JSON input is not valid JSON';
    }
  }
  if (!input || typeof input !== 'object') return 'the standard JSON input is not an object';
  const object = input as { language?: unknown; sources?: unknown; settings?: unknown };
  if (object.language !== undefined && object.language !== 'Solidity') {
    return `the standard JSON input is ${String(object.language)}, not Solidity`;
  }
  if (!object.sources || typeof object.sources !== 'object') {
    return 'the standard JSON input has no sources';
  }
  for (const [path, entry] of Object.entries(object.sources as Record<string, unknown>)) {
    if (typeof (entry as { content?: unknown } | null)?.content !== 'string') {
      return `source ${path} has no inline content in the standard JSON input`;
    }
  }
  const copy = structuredClone(object) as SolidityJsonInput;
  copy.language = 'Solidity';
  copy.settings = (copy.settings ?? {}) as SolidityJsonInput['settings'];
  return copy;
}

function compilerErrorText(errors: unknown): string | undefined {
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const first = errors[0] as { formattedMessage?: string; message?: string };
  // solc's formatted message: the error, then ` --> file:line:column:` and a source excerpt.
  const text = (first.formattedMessage ?? first.message)?.trim();
  return text
    ?.split('\n')
    .slice(0, 2)
    .map((line) => line.trim())
    .join(' ');
}

/** The URL without credentials or path/query (API keys often sit there). */
function maskUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'rpc';
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
