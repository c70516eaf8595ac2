import { randomBytes } from 'node:crypto';
import { rpcCall } from '../../../src/devchain/index.ts';
import type { StandInCompiler } from './compiler.ts';
import { type VerificationJob, type VerificationOutcome, verifyJob } from './verifier.ts';

/** A contract the stand-in holds as verified. */
export interface VerifiedContract {
  /** Lower-case address. */
  address: string;
  contractName: string;
  compilerVersion: string;
  /** The standard JSON input, as submitted. */
  sourceCode: string;
  /** Hex without 0x (autodetected ones included). */
  constructorArgs: string;
  abi: unknown;
  /** `partial`: only the metadata hash differs (e.g. comments changed). */
  match: 'exact' | 'partial' | 'marked';
  /** Whether the creation transaction, hence the constructor arguments, was compared. */
  creationChecked: boolean;
  /** Which API verified it. */
  via: 'api' | 'v2' | 'marked';
  verifiedAt: number;
}

export interface Submission {
  /** The guid (`/api`), or a generated id for v2 submissions (never shown to clients). */
  id: string;
  address: string;
  via: 'api' | 'v2';
  job: VerificationJob;
  /** Polls answered so far. */
  polls: number;
  outcome?: VerificationOutcome;
  /** Set when a poll revealed the outcome. */
  settled?: { outcome: VerificationOutcome; alreadyVerified: boolean };
}

export interface StandInStateOptions {
  rpcUrl: string;
  compiler: StandInCompiler;
  indexingDelayMs: number;
  notIndexedAttempts: number;
  pendingPolls: number;
}

/** What the explorer knows: indexed code, queued submissions, verified contracts. */
export class StandInState {
  indexingDelayMs: number;
  readonly verified = new Map<string, VerifiedContract>();
  readonly #options: StandInStateOptions;
  readonly #firstSeen = new Map<string, number>();
  readonly #notIndexedLeft = new Map<string, number>();
  readonly #submissions = new Map<string, Submission>();

  constructor(options: StandInStateOptions) {
    this.#options = options;
    this.indexingDelayMs = options.indexingDelayMs;
  }

  #indexer: NodeJS.Timeout | undefined;
  #indexedBlock: number | undefined;
  #indexing = false;

  /**
   * Follows the chain like an explorer's indexer: every new block's contract creations are
   * "seen" when the indexer reads the block. Contracts it cannot see (created by a contract,
   * or before the stand-in started) are seen at the first request that finds their code.
   */
  startIndexer(intervalMs = 50): void {
    this.#indexer ??= setInterval(() => {
      if (this.#indexing) return;
      this.#indexing = true;
      this.#indexBlocks()
        .catch(() => {})
        .finally(() => {
          this.#indexing = false;
        });
    }, intervalMs);
    this.#indexer.unref();
  }

  stopIndexer(): void {
    clearInterval(this.#indexer);
    this.#indexer = undefined;
  }

  async #indexBlocks(): Promise<void> {
    const rpcUrl = this.#options.rpcUrl;
    const head = Number(await rpcCall<string>(rpcUrl, 'eth_blockNumber'));
    if (this.#indexedBlock === undefined || head < this.#indexedBlock) {
      this.#indexedBlock = head; // start (or a reorg below us): follow from here
      return;
    }
    for (let number = this.#indexedBlock + 1; number <= head; number++) {
      const block = await rpcCall<{
        transactions: Array<{ hash: string; to: string | null }>;
      } | null>(rpcUrl, 'eth_getBlockByNumber', [`0x${number.toString(16)}`, true]);
      for (const tx of block?.transactions ?? []) {
        if (tx.to !== null) continue;
        const receipt = await rpcCall<{ contractAddress: string | null } | null>(
          rpcUrl,
          'eth_getTransactionReceipt',
          [tx.hash],
        );
        const address = receipt?.contractAddress?.toLowerCase();
        if (address && !this.#firstSeen.has(address)) this.#firstSeen.set(address, Date.now());
      }
      this.#indexedBlock = number;
    }
  }

  /** Indexed = code on the chain, seen by the stand-in at least `indexingDelayMs` ago. */
  async isIndexed(address: string): Promise<boolean> {
    const key = address.toLowerCase();
    let seen = this.#firstSeen.get(key);
    if (seen === undefined) {
      const code = await rpcCall<string>(this.#options.rpcUrl, 'eth_getCode', [key, 'latest']);
      if (!code || code === '0x') return false;
      seen = Date.now();
      this.#firstSeen.set(key, seen);
    }
    return Date.now() - seen >= this.indexingDelayMs;
  }

  /** Counts a submission for the address: true while it is one of the first K ("not indexed"). */
  consumeNotIndexedAttempt(address: string): boolean {
    const key = address.toLowerCase();
    const left = this.#notIndexedLeft.get(key) ?? this.#options.notIndexedAttempts;
    this.#notIndexedLeft.set(key, Math.max(0, left - 1));
    return left > 0;
  }

  /** Queues a verification; the recompile-and-compare job starts at once. */
  submit(job: VerificationJob, via: 'api' | 'v2'): Submission {
    const id = randomBytes(32).toString('hex').slice(0, 50);
    const submission: Submission = { id, address: job.address.toLowerCase(), via, job, polls: 0 };
    this.#submissions.set(id, submission);
    verifyJob(job, this.#options)
      .catch(
        (error: unknown): VerificationOutcome => ({
          ok: false,
          reason: `Internal error: ${error instanceof Error ? error.message : String(error)}`,
        }),
      )
      .then((outcome) => {
        submission.outcome = outcome;
      });
    return submission;
  }

  byId(id: string): Submission | undefined {
    return this.#submissions.get(id);
  }

  /** The latest v2 submission for the address, if any. */
  latestV2(address: string): Submission | undefined {
    const key = address.toLowerCase();
    return [...this.#submissions.values()]
      .filter((s) => s.via === 'v2' && s.address === key)
      .at(-1);
  }

  /**
   * One poll: pending until the job is done and `pendingPolls` polls were answered; then the
   * outcome, applied once (a success makes the address verified).
   */
  poll(submission: Submission): 'pending' | NonNullable<Submission['settled']> {
    if (submission.settled) return submission.settled;
    const { outcome } = submission;
    if (!outcome || submission.polls < this.#options.pendingPolls) {
      submission.polls++;
      return 'pending';
    }
    const alreadyVerified = this.verified.has(submission.address);
    if (outcome.ok && !alreadyVerified) {
      this.verified.set(submission.address, {
        address: submission.address,
        contractName: submission.job.contractName,
        compilerVersion: submission.job.compilerVersion,
        sourceCode: submission.job.sourceCode,
        constructorArgs: outcome.constructorArgs,
        abi: outcome.abi,
        match: outcome.match,
        creationChecked: outcome.creationChecked,
        via: submission.via,
        verifiedAt: Date.now(),
      });
    }
    submission.settled = { outcome, alreadyVerified };
    return submission.settled;
  }
}
