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

/** One lookup's answer. */
type Lookup = { receipt: OnchainReceipt | null } | { error: unknown };

/**
 * One poll loop per chain client for every deployment waiting for a receipt. A hash is looked
 * up as soon as someone waits for it the first time (by that caller, before it waits); after
 * that, by the loop, once per tick only while it can have changed: when the head is another
 * block than the one it was last missing at (looked up twice per head, as a node may index
 * receipts a moment after its block number moves), and in any case every `recheckEveryTicks`
 * ticks. Each tick costs one eth_blockNumber; the lookups of one tick leave together (the
 * transport batches them). A failed lookup fails the waits on that hash, as their own poll
 * would have failed. A hash just accepted by the node can be looked up ahead (`prefetch`),
 * while the caller journals the broadcast: a receipt found so is kept for one poll interval.
 */
export class ReceiptWatcher {
  private readonly waiters = new Set<Waiter>();
  private readonly seen = new Map<Hex, Seen>();
  private readonly inflight = new Map<Hex, Promise<Lookup>>();
  /** Receipts a prefetch found that nobody has taken yet. */
  private readonly found = new Map<Hex, { receipt: OnchainReceipt; at: number }>();
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
   * once (or their lookup under way is joined); then it waits up to `timeoutMs` for the loop to
   * find one, else resolves null.
   */
  async wait(
    hashes: readonly Hex[],
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<OnchainReceipt | null> {
    const { signal } = options;
    if (signal?.aborted) throw abortReason(signal);
    const fresh = this.takeFound(hashes);
    if (fresh) return fresh;
    const unseen = hashes.filter((hash) => !this.seen.has(hash));
    if (unseen.length > 0) {
      const results = await Promise.all(unseen.map((hash) => this.lookUp(hash, this.head)));
      for (const hash of unseen) this.found.delete(hash);
      const receipt = results.find(
        (r): r is { receipt: OnchainReceipt } => 'receipt' in r && !!r.receipt,
      );
      if (receipt) return receipt.receipt;
      const failed = results.find((r): r is { error: unknown } => 'error' in r);
      if (failed) throw failed.error;
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

  /** Looks up a hash the node has just accepted, so that a wait right after may find it done. */
  prefetch(hash: Hex): void {
    const now = Date.now();
    for (const [known, entry] of this.found) {
      if (now - entry.at > this.options.pollIntervalMs) this.found.delete(known);
    }
    void this.lookUp(hash, this.head).then((result) => {
      if ('receipt' in result && result.receipt) {
        this.found.set(hash, { receipt: result.receipt, at: Date.now() });
      }
    });
  }

  /** A receipt a prefetch found within the last poll interval, taken once. */
  private takeFound(hashes: readonly Hex[]): OnchainReceipt | null {
    const now = Date.now();
    for (const hash of hashes) {
      const entry = this.found.get(hash);
      if (!entry) continue;
      this.found.delete(hash);
      if (now - entry.at <= this.options.pollIntervalMs) return entry.receipt;
    }
    return null;
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
      await Promise.all(due.map((hash) => this.lookUp(hash, head)));
    } finally {
      this.ticking = false;
      this.schedule();
    }
  }

  /**
   * Looks a hash up (lookups made together leave as one batch; one already under way is
   * joined), notes the answer and settles the waiters it answers.
   */
  private lookUp(hash: Hex, head: bigint | null): Promise<Lookup> {
    const running = this.inflight.get(hash);
    if (running) return running;
    const lookup = this.source
      .getReceipt(hash)
      .then(
        (receipt): Lookup => ({ receipt }),
        (error: unknown): Lookup => ({ error }),
      )
      .then((result) => {
        this.inflight.delete(hash);
        if ('error' in result || result.receipt) {
          this.seen.delete(hash);
          for (const waiter of this.waiters) {
            if (!waiter.hashes.includes(hash)) continue;
            if ('error' in result) waiter.reject(result.error);
            else if (result.receipt) waiter.resolve(result.receipt);
          }
          return result;
        }
        const before = this.seen.get(hash);
        const sameHead = before !== undefined && head !== null && before.head === head;
        this.seen.set(hash, {
          head,
          checksAtHead: sameHead ? before.checksAtHead + 1 : 1,
          checkedAt: Date.now(),
        });
        return result;
      });
    this.inflight.set(hash, lookup);
    return lookup;
  }
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
