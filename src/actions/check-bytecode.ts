import { HyperdeployError } from '../core/errors.ts';
import { findUnsupportedOpcodes, unsupportedOpcodesFor } from '../core/opcodes.ts';
import type { Hex } from '../core/types.ts';
import { validateBytecode } from '../inputs/bytecode.ts';
import { encodeConstructorArgs } from '../inputs/constructor-args.ts';
import { type ActionContext, type ActionResult, at } from './context.ts';

/** EIP-3860 limit on creation code (Shanghai and later). */
const MAX_INITCODE_BYTES = 49_152;

/**
 * Validates the bytecode and encodes the constructor arguments into the deploy data.
 * SIDE EFFECTS: none (CPU only); it is a step so the journal records what will be sent.
 */
export async function checkBytecode(ctx: ActionContext): Promise<ActionResult> {
  const { spec } = ctx.state;
  const bytecode = validateBytecode(spec.bytecode);
  const deployData = encodeConstructorArgs({
    abi: spec.abi as never,
    bytecode,
    args: spec.constructorArgs,
    contractName: spec.contractName,
  });
  const bytecodeSize = (deployData.length - 2) / 2;
  refuseUnsupportedOpcodes(ctx, bytecode);
  if (bytecodeSize > MAX_INITCODE_BYTES) {
    throw new HyperdeployError(
      'INITCODE_SIZE_EXCEEDED',
      `Creation code of ${spec.contractName} is ${bytecodeSize.toLocaleString('en-US')} bytes; the limit is ${MAX_INITCODE_BYTES.toLocaleString('en-US')} (EIP-3860).`,
      { step: 'compiling', details: { bytecodeSize, limit: MAX_INITCODE_BYTES } },
    );
  }
  return { events: [{ type: 'bytecode_checked', at: at(ctx), deployData, bytecodeSize }] };
}

/** Opcodes the target lacks would fail on chain after gas is spent: refuse them here. */
function refuseUnsupportedOpcodes(ctx: ActionContext, bytecode: Hex): void {
  const { chain } = ctx;
  const hits = findUnsupportedOpcodes(bytecode, unsupportedOpcodesFor(chain.evmVersion));
  const first = hits[0];
  if (!first) return;
  const names = [...new Set(hits.map((hit) => hit.name))].join(', ');
  throw new HyperdeployError(
    'UNSUPPORTED_OPCODE',
    `${ctx.state.spec.contractName} uses ${names} (first at byte ${first.offset}), which ${chain.displayName} (EVM ${chain.evmVersion}) does not support.`,
    {
      step: 'compiling',
      hint: `Compile with evmVersion ${chain.evmVersion} (hyperdeploy does this for .sol files; in Hardhat/Foundry set evmVersion "${chain.evmVersion}").`,
      details: { opcodes: names, offset: first.offset },
    },
  );
}
