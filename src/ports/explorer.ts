import type { Address, Hex } from '../core/types.ts';

/** What an explorer needs to verify one contract. */
export interface VerificationRequest {
  chainId: number;
  address: Address;
  /** Fully qualified name, `path/File.sol:Name`. */
  contractName: string;
  /** Long compiler version, `v0.8.x+commit.xxxxxxxx`. */
  compilerVersion: string;
  /** solc standard JSON input. */
  standardJsonInput: unknown;
  /** ABI-encoded constructor arguments, 0x-prefixed ('0x' when none). */
  constructorArgs: Hex;
}

/** An explorer's answer, mapped from whatever it said (both `message` and `result`). */
export type ExplorerAnswer =
  | { kind: 'verified'; alreadyVerified: boolean; message: string }
  /** Accepted and queued: poll `check` with the reference (a guid, or the address for Blockscout v2). */
  | { kind: 'pending'; reference: string; message: string }
  /** Not now: not indexed yet, rate limited, queue busy. Try again later. */
  | { kind: 'retry_later'; message: string; retryAfterMs?: number }
  /** Refused for good (bytecode or arguments do not match, bad input): the explorer's text. */
  | { kind: 'failed'; message: string };

/** A block explorer's verification API. Implementations never throw for an explorer's answer. */
export interface Explorer {
  /** Checks whether the address is verified already, else submits. */
  submit(request: VerificationRequest): Promise<ExplorerAnswer>;
  /** Polls a pending submission. */
  check(reference: string, request: VerificationRequest): Promise<ExplorerAnswer>;
  /** The explorer page of an address. */
  addressUrl(address: Address): string;
}
