import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Hex } from '../../core/types.ts';
import type { OnchainReceipt } from '../../ports/chain-client.ts';
import { ReceiptWatcher } from './receipt-watcher.ts';

const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const receiptOf = (hash: Hex, blockNumber: bigint): OnchainReceipt => ({
  hash,
  status: 'success',
  blockNumber,
  blockHash: h(1000 + Number(blockNumber)),
  contractAddress: `0x${'b'.repeat(40)}`,
  gasUsed: 1n,
  effectiveGasPrice: 1n,
});

/** A chain in memory: mine() puts hashes in a new block; every read is counted. */
function fakeChain() {
  let head = 1n;
  const mined = new Map<Hex, OnchainReceipt>();
  const lookups: Hex[] = [];
  let headReads = 0;
  let failLookups = false;
  return {
    source: {
      getBlockNumber: async () => {
        headReads++;
        return head;
      },
      getReceipt: async (hash: Hex) => {
        lookups.push(hash);
        if (failLookups) throw new Error('lookup failed');
        return mined.get(hash) ?? null;
      },
    },
    mine(...hashes: Hex[]) {
      head++;
      for (const hash of hashes) mined.set(hash, receiptOf(hash, head));
    },
    lookups,
    headReads: () => headReads,
    failLookups(fail: boolean) {
      failLookups = fail;
    },
  };
}

const POLL = 100;

describe('ReceiptWatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('looks a new hash up at once and returns a receipt that is already there', async () => {
    const chain = fakeChain();
    chain.mine(h(1));
    const watcher = new ReceiptWatcher(chain.source, { pollIntervalMs: POLL });
    const receipt = await watcher.wait([h(1)], { timeoutMs: POLL });
    expect(receipt?.hash).toBe(h(1));
    expect(chain.lookups).toEqual([h(1)]);
    expect(chain.headReads()).toBe(0);
  });

  it('resolves null when nothing is mined within the timeout', async () => {
    const chain = fakeChain();
    const watcher = new ReceiptWatcher(chain.source, { pollIntervalMs: POLL });
    const waiting = watcher.wait([h(1)], { timeoutMs: POLL });
    await vi.advanceTimersByTimeAsync(POLL);
    expect(await waiting).toBeNull();
  });

  it('serves many waiters with one head read per tick, looking hashes up only when the head moves', async () => {
    const chain = fakeChain();
    const watcher = new ReceiptWatcher(chain.source, { pollIntervalMs: POLL });
    const hashes = Array.from({ length: 50 }, (_, i) => h(i + 1));
    const waits = hashes.map((hash) => watcher.wait([hash], { timeoutMs: 60 * POLL }));
    await vi.advanceTimersByTimeAsync(0);
    expect(chain.lookups).toHaveLength(50); // each looked up once, at once
    // Twenty ticks without a block: one head read each; each hash looked up twice at the head
    // and once more after ten ticks (polling each would have been 20 more lookups per hash).
    await vi.advanceTimersByTimeAsync(20 * POLL);
    expect(chain.headReads()).toBe(20);
    expect(chain.lookups.length).toBeLessThanOrEqual(50 * 4);
    const before = chain.lookups.length;
    chain.mine(...hashes);
    await vi.advanceTimersByTimeAsync(POLL);
    const receipts = await Promise.all(waits);
    expect(receipts.map((r) => r?.hash)).toEqual(hashes);
    expect(chain.lookups.length - before).toBe(50);
  });

  it('finds a receipt mined while waiting, on the next tick', async () => {
    const chain = fakeChain();
    const watcher = new ReceiptWatcher(chain.source, { pollIntervalMs: POLL });
    const waiting = watcher.wait([h(1), h(2)], { timeoutMs: 10 * POLL });
    await vi.advanceTimersByTimeAsync(3 * POLL);
    chain.mine(h(2));
    await vi.advanceTimersByTimeAsync(POLL);
    expect((await waiting)?.hash).toBe(h(2));
  });

  it('fails the waits on a hash whose lookup fails', async () => {
    const chain = fakeChain();
    const watcher = new ReceiptWatcher(chain.source, { pollIntervalMs: POLL });
    chain.failLookups(true);
    await expect(watcher.wait([h(1)], { timeoutMs: POLL })).rejects.toThrow('lookup failed');
    chain.failLookups(false);
    const waiting = watcher.wait([h(1)], { timeoutMs: 10 * POLL });
    const outcome = expect(waiting).rejects.toThrow('lookup failed');
    chain.failLookups(true);
    chain.mine();
    await vi.advanceTimersByTimeAsync(POLL);
    await outcome;
  });

  it('stops waiting when the signal aborts, and stops polling when nobody waits', async () => {
    const chain = fakeChain();
    const watcher = new ReceiptWatcher(chain.source, { pollIntervalMs: POLL });
    const abort = new AbortController();
    const waiting = watcher.wait([h(1)], { timeoutMs: 10 * POLL, signal: abort.signal });
    await vi.advanceTimersByTimeAsync(0);
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    await vi.advanceTimersByTimeAsync(10 * POLL);
    expect(chain.headReads()).toBeLessThanOrEqual(1);
  });

  it('hands a receipt found by a prefetch to the next wait, once', async () => {
    const chain = fakeChain();
    chain.mine(h(1));
    const watcher = new ReceiptWatcher(chain.source, { pollIntervalMs: POLL });
    watcher.prefetch(h(1));
    await vi.advanceTimersByTimeAsync(0);
    expect((await watcher.wait([h(1)], { timeoutMs: POLL }))?.hash).toBe(h(1));
    expect(chain.lookups).toEqual([h(1)]);
    // Taken: a later wait (e.g. after a reorg) looks it up again.
    await watcher.wait([h(1)], { timeoutMs: POLL });
    expect(chain.lookups).toEqual([h(1), h(1)]);
  });
});
