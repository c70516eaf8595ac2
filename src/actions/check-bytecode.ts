import { HyperdeployError } from '../core/errors.ts';
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
  if (bytecodeSize > MAX_INITCODE_BYTES) {
    throw new HyperdeployError(
      'CODE_SIZE_EXCEEDED',
      `Creation code of ${spec.contractName} is ${bytecodeSize.toLocaleString('en-US')} bytes; the limit is ${MAX_INITCODE_BYTES.toLocaleString('en-US')} (EIP-3860).`,
      { step: 'compiling', details: { bytecodeSize, limit: MAX_INITCODE_BYTES } },
    );
  }
  return { events: [{ type: 'bytecode_checked', at: at(ctx), deployData, bytecodeSize }] };
}
