/**
 * The error catalogue: every failure hyperdeploy reports has a stable `code` from this file.
 * Codes are forever (they are persisted in journals and matched by API clients): add, never rename.
 */

/** The pipeline step a failure happened in. */
export type Step =
  | 'input'
  | 'config'
  | 'compiling'
  | 'estimating_gas'
  | 'submitting'
  | 'submitted'
  | 'confirming'
  | 'verifying'
  | 'resume';

interface CatalogueEntry {
  /** Whether a later attempt of the same step may succeed without a change by a person. */
  readonly retryable: boolean;
  /** One line: what this code means. Used in the generated error docs. */
  readonly summary: string;
  /** The default next action; a specific error usually carries a more concrete hint. */
  readonly hint: string;
}

export const ERROR_CATALOGUE = {
  INVALID_BYTECODE: {
    retryable: false,
    summary: 'The creation bytecode is not valid hex, is empty, or has odd length.',
    hint: 'Pass the creation bytecode (0x-prefixed hex, e.g. `bytecode` of a Hardhat artifact), not the runtime bytecode or a file path.',
  },
  INVALID_ABI: {
    retryable: false,
    summary: 'The ABI does not parse as a JSON ABI array.',
    hint: 'Pass the `abi` array of the compiler output (a JSON array of fragments).',
  },
  INVALID_INPUT: {
    retryable: false,
    summary: 'The contract input file cannot be read or is not a known artifact format.',
    hint: 'Pass a .sol file, a Hardhat/Foundry/Truffle artifact JSON, or --bytecode with --abi.',
  },
  UNLINKED_LIBRARY: {
    retryable: false,
    summary: 'The bytecode contains unlinked library placeholders.',
    hint: 'Deploy the library first and pass --libraries Name=0x… to link it.',
  },
  CONSTRUCTOR_ARGS_INVALID: {
    retryable: false,
    summary: 'The constructor arguments do not match the constructor in the ABI.',
    hint: 'Pass --args as a JSON array with one value per constructor parameter, in order.',
  },
  COMPILATION_FAILED: {
    retryable: false,
    summary: 'solc reported errors while compiling the source.',
    hint: 'Fix the compiler errors shown in the message and run the command again.',
  },
  CONFIG_INVALID: {
    retryable: false,
    summary: 'The configuration (file, environment or flags) is invalid.',
    hint: 'Correct the field named in the message.',
  },
  UNKNOWN_CHAIN: {
    retryable: false,
    summary: 'The chain is neither a preset nor configured.',
    hint: 'Use one of the presets (metis-andromeda, metis-sepolia, hyperion-testnet, local) or add the chain to hyperdeploy.config.json.',
  },
  SIGNER_MISSING: {
    retryable: false,
    summary: 'No private key is configured for signing.',
    hint: 'Set HYPERDEPLOY_PRIVATE_KEY to the deployer key (0x-prefixed, 32 bytes).',
  },
  CHAIN_ID_MISMATCH: {
    retryable: false,
    summary: 'The RPC endpoint serves a different chain than the preset.',
    hint: 'Check the --rpc URL or the chain preset: they must name the same chain.',
  },
  TX_TYPE_UNSUPPORTED: {
    retryable: false,
    summary:
      'The node does not accept this transaction type (e.g. EIP-1559 on a legacy-only chain).',
    hint: 'Set "txType": "legacy" for this chain in hyperdeploy.config.json.',
  },
  INSUFFICIENT_FUNDS: {
    retryable: false,
    summary: 'The deployer cannot pay for the deployment transaction.',
    hint: 'Fund the deployer address and run `hyperdeploy resume`.',
  },
  TX_REVERTED: {
    retryable: false,
    summary: 'The constructor reverted (in simulation or on chain).',
    hint: 'Fix the constructor arguments or the contract: the decoded revert reason is in the message.',
  },
  CODE_SIZE_EXCEEDED: {
    retryable: false,
    summary: 'The runtime code exceeds the chain limit (24,576 bytes, EIP-170).',
    hint: 'Enable the optimizer with a low `runs` value or split the contract into libraries.',
  },
  INITCODE_SIZE_EXCEEDED: {
    retryable: false,
    summary: 'The creation code exceeds the chain limit (49,152 bytes, EIP-3860).',
    hint: 'Enable the optimizer, shorten constructor-time code, or split the contract into libraries.',
  },
  TX_TOO_LARGE: {
    retryable: false,
    summary: 'The node rejected the signed transaction as too large (l2geth: over 64 KB).',
    hint: 'Reduce the creation code and constructor arguments (optimizer, libraries, fewer literals).',
  },
  GAS_LIMIT_EXCEEDED: {
    retryable: false,
    summary: "The transaction's gas limit is above the block gas limit.",
    hint: 'Lower gasBuffer, or make the contract cheaper to deploy (optimizer, libraries).',
  },
  GAS_LIMIT_TOO_LOW: {
    retryable: false,
    summary: "The transaction's gas limit is below what it needs (intrinsic cost or code storage).",
    hint: 'Raise gasBuffer (e.g. 1.5) and run `hyperdeploy resume`.',
  },
  UNSUPPORTED_OPCODE: {
    retryable: false,
    summary: 'The bytecode uses an opcode the target chain does not support.',
    hint: 'Compile with evmVersion shanghai for Metis Andromeda/Sepolia.',
  },
  NONCE_CONFLICT: {
    retryable: true,
    summary: "The transaction's nonce was used by a transaction that is not this deployment's.",
    hint: 'Another process is sending from the same key; hyperdeploy retries with a fresh nonce.',
  },
  TX_ALREADY_KNOWN: {
    retryable: true,
    summary: 'The node already has this exact signed transaction: a rebroadcast counts as sent.',
    hint: 'Nothing to do: hyperdeploy waits for the transaction that is already in the pool.',
  },
  RPC_TIMEOUT: {
    retryable: true,
    summary: 'The RPC endpoint did not answer in time.',
    hint: 'hyperdeploy retries; if it persists, add another --rpc URL for the chain.',
  },
  RPC_RATE_LIMITED: {
    retryable: true,
    summary: 'The RPC endpoint rate-limited the request.',
    hint: 'hyperdeploy retries with backoff; use a dedicated RPC URL for sustained load.',
  },
  RPC_UNAVAILABLE: {
    retryable: true,
    summary: 'The RPC endpoint could not be reached or answered with a server error.',
    hint: 'Check the RPC URL and the network; hyperdeploy retries.',
  },
  RPC_REFUSED: {
    retryable: false,
    summary: 'The RPC endpoint refused the request (HTTP 401, 403, 404 or 405).',
    hint: 'Check the RPC URL and its API key; a public endpoint may not allow sending transactions.',
  },
  TXPOOL_FULL: {
    retryable: true,
    summary: "The node's transaction pool is full.",
    hint: 'hyperdeploy retries later; if it persists, raise the fee or use another RPC URL.',
  },
  FEE_TOO_LOW: {
    retryable: true,
    summary: 'The node rejected the fee as too low.',
    hint: 'hyperdeploy raises the fee and retries.',
  },
  REPLACEMENT_UNDERPRICED: {
    retryable: true,
    summary:
      'A transaction with the same nonce is pending and the new one does not pay enough more.',
    hint: 'hyperdeploy raises every fee field by at least 12.5% and replaces it.',
  },
  FEE_TOO_HIGH: {
    retryable: true,
    summary: 'The node rejected the fee as too high (l2geth gas price band, or the node fee cap).',
    hint: 'hyperdeploy re-signs at the price the node names; otherwise lower maxFeePerGas.',
  },
  DEPLOYMENT_NOT_FOUND: {
    retryable: false,
    summary: 'No deployment with this id exists in the store.',
    hint: 'List deployments with `hyperdeploy list`.',
  },
  CANCEL_NOT_ALLOWED: {
    retryable: false,
    summary: 'The deployment cannot be cancelled any more: a transaction was signed.',
    hint: 'Wait for the deployment to finish; a signed transaction may still be mined.',
  },
  VERIFICATION_FAILED: {
    retryable: false,
    summary: 'The explorer refused the verification.',
    hint: 'Check the compiler version, settings and constructor arguments.',
  },
  INVALID_REQUEST: {
    retryable: false,
    summary: 'The HTTP request does not match the API schema.',
    hint: 'Correct the field named in the message; GET /openapi.json describes every field.',
  },
  UNAUTHORIZED: {
    retryable: false,
    summary: 'The request has no valid API token.',
    hint: 'Send the header `Authorization: Bearer <HYPERDEPLOY_API_TOKEN>`.',
  },
  IDEMPOTENCY_CONFLICT: {
    retryable: false,
    summary: 'The Idempotency-Key was used before with a different request body.',
    hint: 'Use a new Idempotency-Key for a different deployment, or resend the same body.',
  },
  NOT_FOUND: {
    retryable: false,
    summary: 'No such route.',
    hint: 'See GET /openapi.json for the routes.',
  },
  INTERNAL: {
    retryable: false,
    summary: 'An unexpected error inside hyperdeploy.',
    hint: 'Run `hyperdeploy logs <id>` and report the journal with the issue.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The structured error stored on a failed deployment and returned by every interface. */
export interface DeploymentError {
  code: ErrorCode;
  message: string;
  hint: string;
  retryable: boolean;
  step: Step;
  attempt: number;
  details?: Record<string, unknown>;
}

export interface HyperdeployErrorOptions {
  hint?: string;
  step?: Step;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The one error class hyperdeploy throws; `code` is from the catalogue. */
export class HyperdeployError extends Error {
  override name = 'HyperdeployError';
  readonly code: ErrorCode;
  readonly hint: string;
  readonly retryable: boolean;
  readonly step: Step | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: HyperdeployErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint ?? ERROR_CATALOGUE[code].hint;
    this.retryable = ERROR_CATALOGUE[code].retryable;
    this.step = options.step;
    this.details = options.details;
  }

  toDeploymentError(step: Step, attempt: number): DeploymentError {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      retryable: this.retryable,
      step: this.step ?? step,
      attempt,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const isHyperdeployError = (error: unknown): error is HyperdeployError =>
  error instanceof HyperdeployError;
