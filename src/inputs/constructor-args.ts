import {
  type Abi,
  type AbiParameter,
  BaseError,
  encodeAbiParameters,
  encodeDeployData,
  type Hex,
} from 'viem';
import { HyperdeployError } from '../core/errors.ts';
import { ArgumentValueError, coerceArgument } from './coerce.ts';

type AbiConstructor = Extract<Abi[number], { type: 'constructor' }>;

export interface EncodeConstructorArgsParameters {
  /** The contract's ABI; no constructor in it means no arguments. */
  abi: Abi;
  /** Creation bytecode, 0x-prefixed. */
  bytecode: Hex;
  /** One JSON value per constructor parameter, in order. */
  args: unknown[];
  /** Names the contract in messages (`Token constructor takes …`). */
  contractName?: string;
}

/** Returns the deploy data: creation bytecode followed by the ABI-encoded constructor arguments. */
export function encodeConstructorArgs(params: EncodeConstructorArgsParameters): Hex {
  const { abi, bytecode, args } = params;
  const inputs =
    abi.find((item): item is AbiConstructor => item.type === 'constructor')?.inputs ?? [];
  const label = `${params.contractName ?? 'The'} constructor`;
  if (!Array.isArray(args)) {
    throw argsError(`Constructor arguments must be an array; got ${typeof args}.`, inputs);
  }
  if (args.length !== inputs.length) {
    const list = inputs.map(formatParameter).join(', ');
    const plural = inputs.length === 1 ? '' : 's';
    const takes =
      inputs.length === 0
        ? 'takes no arguments'
        : `takes ${inputs.length} argument${plural} (${list})`;
    throw argsError(`${label} ${takes}; got ${args.length}.`, inputs, { got: args.length });
  }
  if (inputs.length === 0) return bytecode;

  const values = inputs.map((input, index) => {
    try {
      return coerceArgument(input, args[index], input.name || `argument ${index + 1}`);
    } catch (error) {
      if (!(error instanceof ArgumentValueError)) throw error;
      throw argumentError(index, input, error.reason, error.path, error);
    }
  });
  try {
    return encodeDeployData({ abi, bytecode, args: values });
  } catch (error) {
    // Encode one parameter at a time to name the one viem refused.
    const index = inputs.findIndex((input, i) => !encodes(input, values[i]));
    const reason = error instanceof BaseError ? error.shortMessage : String(error);
    const input = inputs[index];
    if (!input)
      throw argsError(`Cannot encode the constructor arguments: ${reason}`, inputs, {}, error);
    throw argumentError(index, input, reason, input.name || `argument ${index + 1}`, error);
  }
}

/** Parses the CLI's `--args '[1000, "0xabc…"]'`; large integers keep every digit. */
export function parseArgsJson(text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(quoteUnsafeNumbers(text));
  } catch (error) {
    throw new HyperdeployError(
      'CONSTRUCTOR_ARGS_INVALID',
      `--args is not valid JSON: ${(error as Error).message}`,
      {
        hint:
          'Pass a JSON array in single quotes, strings in double quotes: ' +
          `--args '["My Token", "MTK", 1000]'.`,
        step: 'input',
        details: { text: text.slice(0, 200) },
      },
    );
  }
  if (!Array.isArray(parsed)) {
    throw new HyperdeployError(
      'CONSTRUCTOR_ARGS_INVALID',
      `--args must be a JSON array; got ${describe(parsed)}.`,
      {
        hint: `Wrap the values in [ ], one per parameter: --args '[${JSON.stringify(parsed)}]'.`,
        step: 'input',
      },
    );
  }
  return parsed;
}

/** `uint256 initialSupply`, `(address to, uint96 share)[] splits`. */
export function formatParameter(param: AbiParameter): string {
  const tuple = /^tuple(\[\d*\])*$/.exec(param.type);
  const type =
    tuple && 'components' in param
      ? `(${param.components.map(formatParameter).join(', ')})${param.type.slice('tuple'.length)}`
      : param.type;
  return param.name ? `${type} ${param.name}` : type;
}

// JSON.parse turns 1000000000000000000000 into a float: quote integers that would lose digits
// so that coercion reads them exactly. String literals are copied untouched.
function quoteUnsafeNumbers(text: string): string {
  const token = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  return text.replace(token, (match) => {
    if (match.startsWith('"')) return match;
    const value = Number(match);
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? `"${match}"` : match;
  });
}

function encodes(input: AbiParameter, value: unknown): boolean {
  try {
    encodeAbiParameters([input], [value]);
    return true;
  } catch {
    return false;
  }
}

function argumentError(
  index: number,
  input: AbiParameter,
  reason: string,
  path: string,
  cause: unknown,
): HyperdeployError {
  const type = formatParameter({ ...input, name: '' });
  const where = `Constructor argument ${index + 1} ${path} (${type})`;
  return new HyperdeployError(
    'CONSTRUCTOR_ARGS_INVALID',
    `${where}: ${reason.replace(/\.$/, '')}.`,
    {
      hint: `Pass a valid ${input.type} as value ${index + 1} of the --args array.`,
      step: 'input',
      details: { index, name: input.name, type: input.type, path },
      cause,
    },
  );
}

function argsError(
  message: string,
  inputs: readonly AbiParameter[],
  details: Record<string, unknown> = {},
  cause?: unknown,
): HyperdeployError {
  const expected = inputs.map(formatParameter);
  const hint =
    inputs.length === 0
      ? 'This constructor takes no arguments: pass --args [] or leave --args out.'
      : `Pass --args as a JSON array, one value per parameter in order: [${expected.join(', ')}].`;
  return new HyperdeployError('CONSTRUCTOR_ARGS_INVALID', message, {
    hint,
    step: 'input',
    details: { expected, ...details },
    cause,
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
