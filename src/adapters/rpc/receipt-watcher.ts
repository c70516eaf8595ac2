import type { Hex } from '../../core/types.ts';
import type { OnchainReceipt } from '../../ports/chain-client.ts';

/** The two reads the watcher makes. */
export interface ReceiptSource {
  getBlockNumber(): Promise<bigint>;
  getReceipt(hash: Hex): Promise<OnchainReceipt | null>;
}

export interface ReceiptWatcherOptions {
  pollIntervalMs: number;
  /** Look a waiting hash up again after this many ticks even if no new block was seen (10). */
  recheckEveryTicks?: number;
}

interface Waiter {
  hashes: readonly Hex[];
  resolve: (receipt: OnchainReceipt | null) => void;
  reject: (error: unknown) => void;
  done: () => void;
}

/** What the watcher knows about a hash nobody found a receipt for yet. */
interface Seen {
  /** The head read before the last lookup, or null when none was known. */
  head: bigint | null;
  /** Lookups answered "no receipt" at that head (a node may index receipts a moment late). */
  checksAtHead: number;
  checkedAt: number;
}

/**
 * One poll loop per chain client for every deployment waiting for a receipt. A hash is looked
 * up as soon as someone waits for it the first time (by that caller, before it waits); after
 * that, by the loop, once per tick only while it
 * can have changed: when the head is another block than the one it was last missing at (looked
 * up twice per head, as a node may index receipts just after its block number moves), and in any case
 * every `recheckEveryTicks` ticks. Each tick costs one eth_blockNumber; the lookups of one tick
 * leave together (the transport batches them). A failed lookup fails the waits on that hash,
 * as their own poll would have failed.
 */
export class ReceiptWatcher {
  private readonly waiters = new Set<Waiter>();
  private readonly seen = new Map<Hex, Seen>();
  private head: bigint | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private readonly recheckMs: number;

  constructor(
    private readonly source: ReceiptSource,
    private readonly options: ReceiptWatcherOptions,
  ) {
    this.recheckMs = options.pollIntervalMs * (options.recheckEveryTicks ?? 10);
  }

  /**
   * The first receipt found for any of `hashes`: hashes never looked up before are looked up at
   * once; then it waits up to `timeoutMs` for the loop to find one, else resolves null.
   */
  async wait(
    hashes: readonly Hex[],
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<OnchainReceipt | null> {
    const { signal } = options;
    if (signal?.aborted) throw abortReason(signal);
    const unseen = hashes.filter((hash) => !this.seen.has(hash));
    if (unseen.length > 0) {
      const { receipt, error } = await this.lookUp(unseen, this.head);
      if (receipt) return receipt;
      if (error !== undefined) throw error.cause;
      if (signal?.aborted) throw abortReason(signal);
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        waiter.done();
        reject(abortReason(signal as AbortSignal));
      };
      const timeout = setTimeout(() => {
        waiter.done();
        resolve(null);
      }, options.timeoutMs);
      const waiter: Waiter = {
        hashes,
        resolve: (receipt) => {
          waiter.done();
          resolve(receipt);
        },
        reject: (error) => {
          waiter.done();
          reject(error);
        },
        done: () => {
          clearTimeout(timeout);
          signal?.removeEventListener('abort', onAbort);
          this.waiters.delete(waiter);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.schedule();
    });
  }

  /** Hashes some waiter still waits for. */
  private waitedFor(): Set<Hex> {
    const hashes = new Set<Hex>();
    for (const waiter of this.waiters) for (const hash of waiter.hashes) hashes.add(hash);
    return hashes;
  }

  private schedule(): void {
    if (this.timer || this.ticking || this.waiters.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, this.options.pollIntervalMs);
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    try {
      const waited = this.waitedFor();
      for (const hash of this.seen.keys()) if (!waited.has(hash)) this.seen.delete(hash);
      if (waited.size === 0) return;
      const head = await this.source.getBlockNumber().catch(() => null);
      if (head !== null) this.head = head;
      const now = Date.now();
      const due = [...waited].filter((hash) => {
        const seen = this.seen.get(hash);
        // Without a head (the read failed), every hash is looked up, as each poll used to.
        if (!seen || head === null || seen.head !== head) return true;
        return seen.checksAtHead < 2 || now - seen.checkedAt >= this.recheckMs;
      });
      if (due.length > 0) await this.lookUp(due, head);
    } finally {
      this.ticking = false;
      this.schedule();
    }
  }

  /**
   * Looks the hashes up (in parallel: one batch) and settles the waiters they answer; returns
   * the first receipt found, else the first error, for a caller looking up at once.
   */
  private async lookUp(
    hashes: readonly Hex[],
    head: bigint | null,
  ): Promise<{ receipt?: OnchainReceipt; error?: { cause: unknown } }> {
    const outcome: { receipt?: OnchainReceipt; error?: { cause: unknown } } = {};
    await Promise.all(
      hashes.map(async (hash) => {
        let receipt: OnchainReceipt | null;
        try {
          receipt = await this.source.getReceipt(hash);
        } catch (error) {
          this.seen.delete(hash);
          outcome.error ??= { cause: error };
          for (const waiter of this.waiters) if (waiter.hashes.includes(hash)) waiter.reject(error);
          return;
        }
        if (receipt) {
          this.seen.delete(hash);
          outcome.receipt ??= receipt;
          for (const waiter of this.waiters)
            if (waiter.hashes.includes(hash)) waiter.resolve(receipt);
          return;
        }
        const before = this.seen.get(hash);
        const sameHead = before !== undefined && head !== null && before.head === head;
        this.seen.set(hash, {
          head,
          checksAtHead: sameHead ? before.checksAtHead + 1 : 1,
          checkedAt: Date.now(),
        });
      }),
    );
    return outcome;
  }
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
