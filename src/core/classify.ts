import type { ErrorCode } from './errors.ts';

export interface Classified {
  code: ErrorCode;
  message: string;
}

/** Node messages (geth, l2geth, reth, anvil) mapped to catalogue codes, most specific first. */
const MESSAGE_RULES: ReadonlyArray<readonly [RegExp, ErrorCode]> = [
  // "exceeds allowance": geth/anvil cap an estimate at balance ÷ gasPrice.
  [/insufficient funds|gas required exceeds allowance/i, 'INSUFFICIENT_FUNDS'],
  [/max code size|code size exceeded|contract code size/i, 'CODE_SIZE_EXCEEDED'],
  [/invalid opcode|opcode .* not (defined|supported)/i, 'UNSUPPORTED_OPCODE'],
  [/underpriced|fee cap .* too low|gas price too low|max fee per gas less than/i, 'FEE_TOO_LOW'],
  [/nonce too low|nonce too high/i, 'NONCE_CONFLICT'],
  [/execution reverted|reverted/i, 'TX_REVERTED'],
  [/rate limit|too many requests|-32005|status: 429/i, 'RPC_RATE_LIMITED'],
  [/timed? ?out|timeout/i, 'RPC_TIMEOUT'],
  [
    /fetch failed|ECONNREFUSED|ECONNRESET|EAI_AGAIN|socket hang up|header not found|HTTP request failed|status: 5\d\d/i,
    'RPC_UNAVAILABLE',
  ],
];

/** viem error class names (matched by name to keep the core free of IO libraries). */
const NAME_RULES: Readonly<Record<string, ErrorCode>> = {
  TimeoutError: 'RPC_TIMEOUT',
  InsufficientFundsError: 'INSUFFICIENT_FUNDS',
  FeeCapTooLowError: 'FEE_TOO_LOW',
  NonceTooLowError: 'NONCE_CONFLICT',
  NonceTooHighError: 'NONCE_CONFLICT',
  ExecutionRevertedError: 'TX_REVERTED',
  LimitExceededRpcError: 'RPC_RATE_LIMITED',
};

/** Maps any thrown value to a catalogue code. Pure: reads names and messages only. */
export function classify(error: unknown): Classified {
  const chain = causeChain(error);
  const message = describe(error);
  const text = chain.map((link) => link.message).join('\n');
  // Funds first: viem files an estimate capped by the balance under ExecutionRevertedError.
  if (/insufficient funds|gas required exceeds allowance/i.test(text)) {
    return { code: 'INSUFFICIENT_FUNDS', message };
  }
  for (const link of chain) {
    const byName = NAME_RULES[link.name];
    if (byName) return { code: byName, message };
    if (link.name === 'HttpRequestError' && link.status === 429) {
      return { code: 'RPC_RATE_LIMITED', message };
    }
  }
  for (const [pattern, code] of MESSAGE_RULES) {
    if (pattern.test(text)) return { code, message };
  }
  return { code: 'INTERNAL', message };
}

interface Link {
  name: string;
  message: string;
  status?: number;
}

function causeChain(error: unknown): Link[] {
  const links: Link[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    if (typeof current !== 'object') {
      links.push({ name: 'Error', message: String(current) });
      break;
    }
    const record = current as {
      name?: unknown;
      message?: unknown;
      status?: unknown;
      cause?: unknown;
    };
    links.push({
      name: typeof record.name === 'string' ? record.name : 'Error',
      message: typeof record.message === 'string' ? record.message : '',
      ...(typeof record.status === 'number' ? { status: record.status } : {}),
    });
    current = record.cause;
  }
  return links;
}

/** viem's shortMessage leaves out the request details (URL, body) that full messages carry. */
function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const { shortMessage, message } = error as { shortMessage?: unknown; message?: unknown };
    if (typeof shortMessage === 'string') return shortMessage;
    if (typeof message === 'string') return message.split('\n')[0] ?? message;
  }
  return String(error);
}
