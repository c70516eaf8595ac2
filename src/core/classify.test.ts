import {
  type BaseError,
  type Chain,
  ChainMismatchError,
  HttpRequestError,
  InternalRpcError,
  InvalidInputRpcError,
  LimitExceededRpcError,
  RpcRequestError,
  TimeoutError,
  TipAboveFeeCapError,
  TransactionRejectedRpcError,
} from 'viem';
import { getEstimateGasError, getNodeError } from 'viem/utils';
import { describe, expect, it } from 'vitest';
import { type Classified, classify } from './classify.ts';
import { DISPOSITION_OF_CODE } from './classify-rules.ts';
import { ERROR_CATALOGUE, type ErrorCode, HyperdeployError } from './errors.ts';

const URL = 'https://user:pass@rpc.example/v3/SECRETKEY123456789';
const BODY = { method: 'eth_sendRawTransaction', params: ['0x02f8b1'] };

type Expected = Pick<Classified, 'code' | 'disposition'> & Partial<Classified>;

const retry = (code: ErrorCode): Expected => ({ code, disposition: 'retry' });
const bump = (code: ErrorCode, suggestedGasPriceWei?: bigint): Expected => ({
  code,
  disposition: 'bump_fees',
  ...(suggestedGasPriceWei === undefined ? {} : { suggestedGasPriceWei }),
});
const fail = (code: ErrorCode): Expected => ({ code, disposition: 'fail' });
const NONCE: Expected = { code: 'NONCE_CONFLICT', disposition: 'resync_nonce' };
const KNOWN: Expected = { code: 'TX_ALREADY_KNOWN', disposition: 'already_known' };

/** Error messages as nodes send them (sources: client code, Metis l2geth, anvil 1.7.1 live). */
const NODE_MESSAGES: ReadonlyArray<readonly [client: string, message: string, Expected]> = [
  ['geth', 'nonce too low: next nonce 5, tx nonce 3', NONCE],
  [
    'geth',
    'nonce too high: address 0xab5801a7d398351b8be11c439e05c5b3259aec9b, tx: 9 state: 5',
    NONCE,
  ],
  ['geth', 'already known', KNOWN],
  ['geth', 'replacement transaction underpriced', bump('REPLACEMENT_UNDERPRICED')],
  ['geth', 'transaction underpriced: tip needed 1, tip permitted 0', bump('FEE_TOO_LOW')],
  ['geth', 'transaction underpriced: gas tip cap 1, minimum needed 2', bump('FEE_TOO_LOW')],
  [
    'geth',
    'max fee per gas less than block base fee: address 0xab5801a7d398351b8be11c439e05c5b3259aec9b, maxFeePerGas: 1, baseFee: 7',
    bump('FEE_TOO_LOW'),
  ],
  [
    'geth',
    'insufficient funds for gas * price + value: address 0xab5801a7d398351b8be11c439e05c5b3259aec9b have 0 want 1000',
    fail('INSUFFICIENT_FUNDS'),
  ],
  ['geth', 'gas required exceeds allowance (30000000)', fail('INSUFFICIENT_FUNDS')],
  ['geth', 'exceeds block gas limit', fail('GAS_LIMIT_EXCEEDED')],
  ['geth', 'intrinsic gas too low: have 21000, want 53000', fail('GAS_LIMIT_TOO_LOW')],
  ['geth', 'contract creation code storage out of gas', fail('GAS_LIMIT_TOO_LOW')],
  ['geth', 'execution reverted', fail('TX_REVERTED')],
  // A revert reason is free text: it must not be read as a node condition.
  ['geth', 'execution reverted: insufficient balance', fail('TX_REVERTED')],
  ['geth', 'invalid opcode: MCOPY', fail('UNSUPPORTED_OPCODE')],
  ['geth', 'invalid opcode: INVALID', fail('TX_REVERTED')],
  ['geth', 'max code size exceeded', fail('CODE_SIZE_EXCEEDED')],
  [
    'geth',
    'max initcode size exceeded: code size 49153, limit 49152',
    fail('INITCODE_SIZE_EXCEEDED'),
  ],
  ['geth', 'oversized data: transaction size 131073, limit 131072', fail('TX_TOO_LARGE')],
  ['geth', 'transaction type not supported', fail('TX_TYPE_UNSUPPORTED')],
  ['geth', 'invalid sender', fail('CHAIN_ID_MISMATCH')],
  ['geth', 'only replay-protected (EIP-155) transactions allowed over RPC', fail('INTERNAL')],
  ['geth', 'tx fee (1.23 ether) exceeds the configured cap (1.00 ether)', fail('FEE_TOO_HIGH')],
  ['geth', 'txpool is full', retry('TXPOOL_FULL')],
  ['geth', 'header not found', retry('RPC_UNAVAILABLE')],
  ['geth', 'missing trie node 8d3f2c7e0bd9d7a5f4c1ec1d5a0bb6b1 (path )', retry('RPC_UNAVAILABLE')],
  [
    'l2geth',
    'gas price too low: 1000 wei, use at least tx.gasPrice = 2000 wei',
    bump('FEE_TOO_LOW', 2000n),
  ],
  [
    'l2geth',
    'gas price too low: 18000000000 wei, use at least tx.gasPrice = 19500000000 wei',
    bump('FEE_TOO_LOW', 19_500_000_000n),
  ],
  [
    'l2geth',
    'gas price too high: 90000000000 wei, use at most tx.gasPrice = 45000000000 wei',
    bump('FEE_TOO_HIGH', 45_000_000_000n),
  ],
  ['l2geth', 'cannot accept 0 gas price transaction', bump('FEE_TOO_LOW')],
  [
    'l2geth',
    'invalid transaction: insufficient funds for l1Fee + l2Fee + value',
    fail('INSUFFICIENT_FUNDS'),
  ],
  ['l2geth', 'L2 gas limit too low', fail('GAS_LIMIT_TOO_LOW')],
  ['l2geth', 'invalid opcode: opcode 0x5e not defined', fail('UNSUPPORTED_OPCODE')],
  ['l2geth', 'rlp: expected input list for types.txdata', fail('TX_TYPE_UNSUPPORTED')],
  [
    'l2geth',
    'gas required exceeds allowance (8000000) or always failing transaction',
    fail('INSUFFICIENT_FUNDS'),
  ],
  ['reth', 'nonce too low: next nonce 5, tx nonce 3', NONCE],
  ['reth', 'already known', KNOWN],
  ['reth', 'already imported', KNOWN],
  ['reth', 'transaction already exists in the pool', KNOWN],
  ['reth', 'replacement transaction underpriced', bump('REPLACEMENT_UNDERPRICED')],
  ['reth', 'transaction underpriced', bump('FEE_TOO_LOW')],
  ['reth', 'max initcode size exceeded', fail('INITCODE_SIZE_EXCEEDED')],
  ['reth', 'Invalid chain id', fail('CHAIN_ID_MISMATCH')],
  ['reth', 'intrinsic gas too high', fail('GAS_LIMIT_EXCEEDED')],
  ['reth', 'EVM error OpcodeNotFound', fail('UNSUPPORTED_OPCODE')],
  ['reth', 'unknown transaction type', fail('TX_TYPE_UNSUPPORTED')],
  ['anvil', 'transaction already imported', KNOWN],
  ['anvil', 'nonce too low', NONCE],
  ['anvil', 'Insufficient funds for gas * price + value', fail('INSUFFICIENT_FUNDS')],
  ['anvil', 'Out of gas: gas required exceeds allowance: 0', fail('INSUFFICIENT_FUNDS')],
  ['anvil', 'max fee per gas less than block base fee', bump('FEE_TOO_LOW')],
  [
    'anvil',
    'intrinsic gas too high -- tx.gas_limit > env.block.gas_limit',
    fail('GAS_LIMIT_EXCEEDED'),
  ],
  ['anvil', 'EVM error NotActivated', fail('UNSUPPORTED_OPCODE')],
  ['anvil', 'EVM error InvalidFEOpcode', fail('TX_REVERTED')],
  ['anvil', 'EVM error StackUnderflow', fail('TX_REVERTED')],
  ['anvil', 'EVM error CreateContractSizeLimit', fail('CODE_SIZE_EXCEEDED')],
  [
    'anvil',
    "EIP-1559 style fee params (maxFeePerGas or maxPriorityFeePerGas) received but they are not supported by the current hardfork.\n\nYou can use them by running anvil with '--hardfork london' or later.",
    fail('TX_TYPE_UNSUPPORTED'),
  ],
  [
    'erigon',
    'fee cap less than block base fee: address 0xab5801a7d398351b8be11c439e05c5b3259aec9b, gasFeeCap: 1 baseFee: 7',
    bump('FEE_TOO_LOW'),
  ],
  ['nethermind', 'OldNonce, Current nonce: 5, nonce of rejected tx: 3', NONCE],
  ['nethermind', 'NonceGap, Future nonce. Expected nonce: 5', NONCE],
  ['nethermind', 'AlreadyKnown', KNOWN],
  [
    'nethermind',
    'FeeTooLow, MaxFeePerGas too low. MaxFeePerGas: 1, BaseFee: 7, MaxPriorityFeePerGas:1, Block number: 10',
    bump('FEE_TOO_LOW'),
  ],
  [
    'nethermind',
    'InsufficientFunds, Account balance: 0, cumulative cost: 1000',
    fail('INSUFFICIENT_FUNDS'),
  ],
  ['besu', 'Known transaction', KNOWN],
  ['besu', 'Gas price below configured minimum gas price', bump('FEE_TOO_LOW')],
  ['besu', 'Upfront cost exceeds account balance', fail('INSUFFICIENT_FUNDS')],
  ['parity', 'Transaction nonce is too low. Try incrementing the nonce.', NONCE],
  ['parity', 'Transaction with the same hash was already imported.', KNOWN],
  ['infura', 'daily request count exceeded, request rate limited', retry('RPC_RATE_LIMITED')],
  [
    'alchemy',
    'Your app has exceeded its compute units per second capacity.',
    retry('RPC_RATE_LIMITED'),
  ],
  ['node', 'connect ECONNREFUSED 127.0.0.1:8545', retry('RPC_UNAVAILABLE')],
  ['node', 'read ECONNRESET', retry('RPC_UNAVAILABLE')],
  ['node', 'socket hang up', retry('RPC_UNAVAILABLE')],
  ['node', 'request timed out', retry('RPC_TIMEOUT')],
  ['unknown', 'the flux capacitor is out of sync', fail('INTERNAL')],
];

/** What viem throws for eth_sendRawTransaction: an EIP-1474 class around RpcRequestError. */
function viaSendRawTransaction(message: string, code = -32000): BaseError {
  const request = new RpcRequestError({ body: BODY, url: URL, error: { code, message } });
  return code === -32003
    ? new TransactionRejectedRpcError(request)
    : new InvalidInputRpcError(request);
}

describe('classify: node messages', () => {
  it.each(NODE_MESSAGES)('%s: %j', (_client, message, expected) => {
    expect(classify(new Error(message))).toMatchObject(expected);
  });

  it.each(NODE_MESSAGES)('%s via viem sendRawTransaction: %j', (_client, message, expected) => {
    expect(classify(viaSendRawTransaction(message, -32003))).toMatchObject(expected);
  });

  it.each(NODE_MESSAGES)('%s via viem getNodeError: %j', (_client, message, expected) => {
    const typed = getNodeError(viaSendRawTransaction(message), {});
    expect(classify(typed)).toMatchObject(expected);
  });

  it('carries no suggested price outside the l2geth band', () => {
    expect(classify(new Error('transaction underpriced'))).not.toHaveProperty(
      'suggestedGasPriceWei',
    );
  });
});

describe('classify: viem typed errors', () => {
  it('files "already known" under NonceTooLowError; classify reads it as already known', () => {
    const typed = getNodeError(viaSendRawTransaction('already known'), {});
    expect(typed.name).toBe('NonceTooLowError');
    expect(classify(typed)).toEqual({ ...KNOWN, message: 'already known' });
  });

  it('reads a balance-capped estimate (ExecutionRevertedError) as insufficient funds', () => {
    const rejected = viaSendRawTransaction('Out of gas: gas required exceeds allowance: 0', -32003);
    const error = getEstimateGasError(rejected, {});
    const filed = error.walk((e) => (e as Error).name === 'ExecutionRevertedError');
    expect(filed).not.toBeNull();
    expect(classify(error)).toMatchObject(fail('INSUFFICIENT_FUNDS'));
    expect(classify(error).message).toContain('gas required exceeds allowance');
  });

  it('reads a constructor revert during estimation as TX_REVERTED', () => {
    const request = new RpcRequestError({
      body: BODY,
      url: URL,
      error: { code: 3, message: 'execution reverted: insufficient funds', data: '0x' },
    });
    expect(classify(getEstimateGasError(request, {}))).toMatchObject(fail('TX_REVERTED'));
  });

  it('reads an internal error with an opcode message (anvil on shanghai) as UNSUPPORTED_OPCODE', () => {
    const request = new RpcRequestError({
      body: BODY,
      url: URL,
      error: { code: -32603, message: 'EVM error NotActivated' },
    });
    const error = getEstimateGasError(new InternalRpcError(request), {});
    expect(classify(error)).toMatchObject(fail('UNSUPPORTED_OPCODE'));
  });

  it('retries a bare internal error', () => {
    const request = new RpcRequestError({
      body: BODY,
      url: URL,
      error: { code: -32603, message: 'internal error' },
    });
    expect(classify(new InternalRpcError(request))).toMatchObject(retry('RPC_UNAVAILABLE'));
  });

  it('retries a -32005 limit, with the provider backoff as the delay', () => {
    const error = new RpcRequestError({
      body: BODY,
      url: URL,
      error: { code: -32005, message: 'limit exceeded', data: { rate: { backoff_seconds: 30 } } },
    });
    expect(classify(new LimitExceededRpcError(error))).toMatchObject({
      ...retry('RPC_RATE_LIMITED'),
      retryAfterMs: 30_000,
    });
    expect(classify(error)).toMatchObject(retry('RPC_RATE_LIMITED'));
  });

  it('retries a TimeoutError', () => {
    expect(classify(new TimeoutError({ body: BODY, url: URL }))).toMatchObject(
      retry('RPC_TIMEOUT'),
    );
  });

  it('fails on fees viem refuses to sign and on a chain mismatch', () => {
    const tip = new TipAboveFeeCapError({ maxFeePerGas: 1n, maxPriorityFeePerGas: 2n });
    expect(classify(tip)).toMatchObject(fail('INTERNAL'));
    const chain = { id: 1088, name: 'Metis Andromeda' } as Chain;
    const mismatch = new ChainMismatchError({ chain, currentChainId: 59902 });
    expect(classify(mismatch)).toMatchObject(fail('CHAIN_ID_MISMATCH'));
  });

  it('keeps the code of our own errors', () => {
    expect(classify(new HyperdeployError('RPC_TIMEOUT', 'slow'))).toMatchObject(
      retry('RPC_TIMEOUT'),
    );
    const wrapped = new HyperdeployError('UNSUPPORTED_OPCODE', 'MCOPY at 0x12', {
      cause: new Error('already known'),
    });
    expect(classify(wrapped)).toMatchObject(fail('UNSUPPORTED_OPCODE'));
  });
});

describe('classify: HTTP', () => {
  const http = (
    status: number | undefined,
    options: { details?: string; retryAfter?: string } = {},
  ) =>
    new HttpRequestError({
      url: URL,
      body: BODY,
      ...(status === undefined ? {} : { status }),
      ...(options.details ? { details: options.details } : {}),
      ...(options.retryAfter
        ? { headers: new Headers({ 'Retry-After': options.retryAfter }) }
        : {}),
    });

  it('retries a 429 after Retry-After seconds', () => {
    expect(classify(http(429, { retryAfter: '2' }))).toEqual({
      code: 'RPC_RATE_LIMITED',
      disposition: 'retry',
      retryAfterMs: 2000,
      httpStatus: 429,
      message: 'HTTP request failed (HTTP 429)',
    });
  });

  it('reads an HTTP-date Retry-After against the given clock, and ignores it without one', () => {
    const error = http(503, { retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' });
    const now = Date.parse('Wed, 21 Oct 2015 07:27:30 GMT');
    expect(classify(error, now)).toMatchObject({
      ...retry('RPC_UNAVAILABLE'),
      retryAfterMs: 30_000,
    });
    expect(classify(error, now + 60_000).retryAfterMs).toBe(0);
    expect(classify(error)).not.toHaveProperty('retryAfterMs');
  });

  it.each([
    [500, retry('RPC_UNAVAILABLE')],
    [502, retry('RPC_UNAVAILABLE')],
    [503, retry('RPC_UNAVAILABLE')],
    [504, retry('RPC_TIMEOUT')],
    [408, retry('RPC_TIMEOUT')],
    [401, fail('RPC_REFUSED')],
    [403, fail('RPC_REFUSED')],
    [404, fail('RPC_REFUSED')],
    [413, fail('TX_TOO_LARGE')],
  ] as const)('HTTP %i', (status, expected) => {
    expect(classify(http(status))).toMatchObject({ ...expected, httpStatus: status });
  });

  it('prefers the node message in the body over a 5xx status', () => {
    const details = '{"code":-32000,"message":"nonce too low: next nonce 5, tx nonce 3"}';
    expect(classify(http(500, { details }))).toMatchObject({ ...NONCE, httpStatus: 500 });
  });

  it('retries a connection refused behind fetch', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8545'), {
      code: 'ECONNREFUSED',
    });
    const fetchFailed = new TypeError('fetch failed', { cause: refused });
    const error = new HttpRequestError({ url: URL, body: BODY, cause: fetchFailed });
    expect(classify(error)).toMatchObject(retry('RPC_UNAVAILABLE'));
    expect(classify(error).message).toBe(
      'HTTP request failed: connect ECONNREFUSED 127.0.0.1:8545',
    );
  });

  it('retries an HTTP failure without status or cause', () => {
    expect(classify(http(undefined))).toMatchObject(retry('RPC_UNAVAILABLE'));
  });
});

describe('classify: messages', () => {
  const secrets = ['pass', 'SECRETKEY'];

  it.each([
    ['HttpRequestError', new HttpRequestError({ url: URL, body: BODY, status: 502 })],
    ['TimeoutError', new TimeoutError({ body: BODY, url: URL })],
    ['node error via viem', viaSendRawTransaction('nonce too low', -32003)],
    ['plain error', new Error(`request to ${URL} failed, reason: socket hang up`)],
    ['userinfo only', new Error('connect to user:pass@rpc.example failed: ECONNRESET')],
  ])('%s: one line without the URL or its credentials', (_label, error) => {
    const { message } = classify(error);
    for (const secret of secrets) expect(message).not.toContain(secret);
    expect(message).not.toContain('\n');
    expect(message.length).toBeGreaterThan(0);
  });

  it('leaves out the HTML of a gateway error page', () => {
    const details = '<html><head><title>502</title></head><body>Bad Gateway</body></html>';
    const error = new HttpRequestError({ url: URL, status: 502, details });
    expect(classify(error).message).toBe('HTTP request failed (HTTP 502): 502 Bad Gateway');
  });

  it('keeps the node words after viem short message', () => {
    expect(classify(viaSendRawTransaction('nonce too low', -32003)).message).toBe(
      'Transaction creation failed: nonce too low',
    );
  });

  it('classifies thrown non-errors', () => {
    expect(classify('socket hang up')).toMatchObject(retry('RPC_UNAVAILABLE'));
    expect(classify(undefined)).toMatchObject(fail('INTERNAL'));
    expect(classify(42)).toMatchObject(fail('INTERNAL'));
  });
});

describe('dispositions and the catalogue', () => {
  it('marks retryable exactly the codes whose disposition is not fail', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      const disposition = DISPOSITION_OF_CODE[code as ErrorCode] ?? 'fail';
      expect([code, entry.retryable]).toEqual([code, disposition !== 'fail']);
    }
  });

  it('agrees with the catalogue for every node message, except a band price never named', () => {
    for (const [, message, expected] of NODE_MESSAGES) {
      const { code, disposition, suggestedGasPriceWei } = classify(new Error(message));
      const exception = code === 'FEE_TOO_HIGH' && suggestedGasPriceWei === undefined;
      expect([message, disposition !== 'fail']).toEqual([
        message,
        ERROR_CATALOGUE[code].retryable && !exception,
      ]);
      expect(code).toBe(expected.code);
    }
  });
});
