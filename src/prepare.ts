import { randomUUID } from 'node:crypto';
import type { ChainConfig } from './chains/types.ts';
import { resolveChain } from './config/resolve-chain.ts';
import { HyperdeployError } from './core/errors.ts';
import {
  type Address,
  DEFAULT_FEE_POLICY,
  type DeploymentSpec,
  type VerificationSource,
} from './core/types.ts';
import { validateAbi, validateBytecode } from './inputs/bytecode.ts';
import { encodeConstructorArgs } from './inputs/constructor-args.ts';

export interface DeployParams {
  /** Chain name (preset or configured) or chain id. */
  chain: string | number;
  /** Creation bytecode (0x hex) without constructor arguments. */
  bytecode: string;
  /** The contract's JSON ABI. */
  abi: unknown;
  contractName?: string;
  /** Constructor arguments as JSON values, in ABI order. */
  args?: unknown[];
  /** The caller's build reference; generated when absent. */
  buildId?: string;
  /** Overrides the chain's default confirmations. */
  confirmations?: number;
  /** Submit to the chain's explorer after confirmation (default true). */
  verify?: boolean;
  /** The source for verification (kept by compiling a .sol file, or given by the caller). */
  source?: VerificationSource;
}

/**
 * Checks everything that can be checked without a chain and builds the spec that opens the
 * journal. Throws a HyperdeployError (nothing is stored) on any bad input.
 */
export function prepareSpec(
  params: DeployParams,
  context: { chains: Record<string, ChainConfig>; signer: Address; gasBuffer: number },
): DeploymentSpec {
  const chain = resolveChain(context, params.chain);
  const bytecode = validateBytecode(params.bytecode);
  const abi = validateAbi(params.abi);
  const args = params.args ?? [];
  if (!Array.isArray(args)) {
    throw new HyperdeployError(
      'CONSTRUCTOR_ARGS_INVALID',
      'Constructor arguments must be an array.',
      { step: 'input' },
    );
  }
  encodeConstructorArgs({ abi, bytecode, args, contractName: params.contractName }); // throws CONSTRUCTOR_ARGS_INVALID naming the parameter
  const confirmations = params.confirmations ?? chain.confirmations;
  if (!Number.isInteger(confirmations) || confirmations < 1 || confirmations > 1000) {
    throw new HyperdeployError(
      'CONFIG_INVALID',
      `confirmations: ${confirmations} is not an integer from 1 to 1000.`,
      {
        step: 'input',
        hint: 'Pass --confirmations with a whole number of blocks, e.g. 2.',
      },
    );
  }
  return {
    buildId: params.buildId ?? `build_${randomUUID()}`,
    chainId: chain.chainId,
    chainName: chain.name,
    contractName: params.contractName ?? 'Contract',
    bytecode,
    abi,
    constructorArgs: args,
    signer: context.signer,
    confirmations,
    gasBuffer: context.gasBuffer,
    verify: params.verify ?? true,
    ...(params.source ? { source: params.source } : {}),
    feePolicy: {
      bumpAfterMs: chain.bumpAfterMs ?? DEFAULT_FEE_POLICY.bumpAfterMs,
      maxBumps: chain.maxFeeBumps ?? DEFAULT_FEE_POLICY.maxBumps,
      maxFeePerGas: chain.maxFeePerGas ?? DEFAULT_FEE_POLICY.maxFeePerGas,
    },
  };
}
