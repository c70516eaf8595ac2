import type { ErrorCode } from './errors.ts';

/** What the caller should do about a classified error. */
export type Disposition = 'retry' | 'bump_fees' | 'resync_nonce' | 'fail' | 'already_known';

/** Codes whose disposition is not `fail`; every other code fails at once. */
export const DISPOSITION_OF_CODE: Readonly<Partial<Record<ErrorCode, Disposition>>> = {
  RPC_TIMEOUT: 'retry',
  RPC_RATE_LIMITED: 'retry',
  RPC_UNAVAILABLE: 'retry',
  TXPOOL_FULL: 'retry',
  FEE_TOO_LOW: 'bump_fees',
  REPLACEMENT_UNDERPRICED: 'bump_fees',
  // Only with the price the node names (l2geth band); without one it fails (see classify).
  FEE_TOO_HIGH: 'bump_fees',
  NONCE_CONFLICT: 'resync_nonce',
  TX_ALREADY_KNOWN: 'already_known',
};

/** viem error class names that decide the code alone (matched by name: core imports no viem). */
export const NAME_RULES: Readonly<Record<string, ErrorCode>> = {
  TimeoutError: 'RPC_TIMEOUT',
  LimitExceededRpcError: 'RPC_RATE_LIMITED',
  // cockatiel's: every RPC URL of the chain failed lately; try again after a pause.
  BrokenCircuitError: 'RPC_UNAVAILABLE',
  InsufficientFundsError: 'INSUFFICIENT_FUNDS',
  FeeCapTooLowError: 'FEE_TOO_LOW',
  NonceTooHighError: 'NONCE_CONFLICT',
  IntrinsicGasTooLowError: 'GAS_LIMIT_TOO_LOW',
  IntrinsicGasTooHighError: 'GAS_LIMIT_EXCEEDED',
  TransactionTypeNotSupportedError: 'TX_TYPE_UNSUPPORTED',
  ChainMismatchError: 'CHAIN_ID_MISMATCH',
  // Fees that viem refuses to sign are a bug in the fees hyperdeploy computed.
  TipAboveFeeCapError: 'INTERNAL',
  FeeCapTooHighError: 'INTERNAL',
};

/** viem classes that say "the transport failed" without saying how: the last resort. */
export const TRANSPORT_ERROR_NAMES: ReadonlySet<string> = new Set([
  'HttpRequestError',
  'WebSocketRequestError',
  'SocketClosedError',
  'InternalRpcError',
  'ResourceUnavailableRpcError',
]);

/** Our own raw transaction is already in the node's pool (geth, reth, anvil, nethermind, parity). */
export const ALREADY_KNOWN =
  /already known|\bknown transaction|\bAlreadyKnown\b|already imported|already exists in the pool/i;

/** geth/anvil cap an estimate at balance ÷ gasPrice and then report the allowance. */
export const FUNDS_ALLOWANCE = /gas required exceeds allowance/i;

/** l2geth's gas price band: `gas price too low: X wei, use at least tx.gasPrice = Y wei`. */
export const GAS_PRICE_BAND =
  /gas price too (?:low|high): \d+ wei, use at (?:least|most) tx\.gasPrice = (\d+) wei/i;

/** Node messages (geth, l2geth, reth, erigon, nethermind, anvil) to codes, first match wins. */
export const MESSAGE_RULES: ReadonlyArray<readonly [RegExp, ErrorCode]> = [
  // First: a revert reason is free text that could name any of the patterns below.
  [/execution reverted|VM Exception while processing transaction: revert/i, 'TX_REVERTED'],
  [ALREADY_KNOWN, 'TX_ALREADY_KNOWN'],
  [
    /insufficient funds|insufficient balance|gas required exceeds allowance|\bInsufficientFunds\b|exceeds account balance|not enough funds/i,
    'INSUFFICIENT_FUNDS',
  ],
  [
    /nonce (?:is )?too (?:low|high)|invalid (?:transaction )?nonce|\bOldNonce\b|\bNonceGap\b/i,
    'NONCE_CONFLICT',
  ],
  [
    /replacement transaction underpriced|replacement fee too low|another transaction with same nonce|same nonce in the tx ?pool/i,
    'REPLACEMENT_UNDERPRICED',
  ],
  [/gas price too high|exceeds the configured cap|fee cap exceeded/i, 'FEE_TOO_HIGH'],
  [
    /gas ?price (?:is )?too low|underpriced|max fee per gas less than block base fee|fee cap (?:less than|too low)|\bFeeTooLow|cannot accept 0 gas price|below (?:configured )?minimum gas price|gasprice is less than gas price minimum/i,
    'FEE_TOO_LOW',
  ],
  [/oversized data|transaction (?:is )?too (?:big|large)|payload too large/i, 'TX_TOO_LARGE'],
  // Before code size: "max initcode size exceeded" contains "code size exceeded".
  [/initcode size|CreateInitCodeSizeLimit|EIP-3860/i, 'INITCODE_SIZE_EXCEEDED'],
  [
    /max code size exceeded|CreateContractSizeLimit|contract code size|code size (?:limit|exceeded)/i,
    'CODE_SIZE_EXCEEDED',
  ],
  [
    /exceeds block gas limit|intrinsic gas too high|gas limit reached|\bGasLimitExceeded\b/i,
    'GAS_LIMIT_EXCEEDED',
  ],
  [/intrinsic gas too low|L2 gas limit too low|code storage out of gas/i, 'GAS_LIMIT_TOO_LOW'],
  // 0xfe is the designated INVALID (old solc assert), not an opcode missing from the fork.
  [/invalid opcode: INVALID|InvalidFEOpcode/i, 'TX_REVERTED'],
  [
    /invalid opcode|opcode 0x[0-9a-f]+ not defined|OpcodeNotFound|\bNotActivated\b/i,
    'UNSUPPORTED_OPCODE',
  ],
  [/stack underflow|stack overflow|invalid jump|StackUnderflow|InvalidJump/i, 'TX_REVERTED'],
  [
    /transaction type not (?:supported|valid)|tx type not supported|expected input list for types\.txdata|typed transaction too short|EIP-1559 style fee params|Eip1559Disabled|unknown transaction type/i,
    'TX_TYPE_UNSUPPORTED',
  ],
  [
    /invalid chain ?id|chain ?id mismatch|incorrect chain ?id|wrong chain ?id|invalid sender|does not match the target chain/i,
    'CHAIN_ID_MISMATCH',
  ],
  [/tx ?pool is full|queue full|pool full|too many transactions in the queue/i, 'TXPOOL_FULL'],
  [
    /rate limit|request rate exceeded|too many requests|exceeded .*(?:capacity|quota|compute units)|request count exceeded|throttled/i,
    'RPC_RATE_LIMITED',
  ],
  [/timed? ?out|timeout|ETIMEDOUT|deadline exceeded/i, 'RPC_TIMEOUT'],
  [
    /header not found|missing trie node|unknown block|ECONNRESET|ECONNREFUSED|ECONNABORTED|EAI_AGAIN|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|fetch failed|other side closed|UND_ERR|bad gateway|service unavailable|connection (?:reset|refused|closed)/i,
    'RPC_UNAVAILABLE',
  ],
];

/** HTTP statuses that decide the code whatever the body says. */
export const DECISIVE_HTTP_STATUS: Readonly<Record<number, ErrorCode>> = {
  401: 'RPC_REFUSED',
  403: 'RPC_REFUSED',
  408: 'RPC_TIMEOUT',
  413: 'TX_TOO_LARGE',
  429: 'RPC_RATE_LIMITED',
};

/** Codes for the other statuses, used only when no node message matched. */
export function codeOfHttpStatus(status: number): ErrorCode | undefined {
  if (status === 504) return 'RPC_TIMEOUT';
  if (status >= 500) return 'RPC_UNAVAILABLE';
  if (status === 404 || status === 405) return 'RPC_REFUSED';
  return undefined;
}

/** JSON-RPC error codes that decide the code: -32005 limit exceeded, 429 used by some providers. */
export const DECISIVE_RPC_CODES: Readonly<Record<number, ErrorCode>> = {
  [-32005]: 'RPC_RATE_LIMITED',
  429: 'RPC_RATE_LIMITED',
};
