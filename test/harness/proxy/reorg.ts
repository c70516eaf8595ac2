import type { Hex } from 'viem';
import { intIn, type Rng } from './prng.ts';
import type { ReorgRule } from './profiles.ts';

/** A JSON-RPC call straight to the target: never faulted. */
export type Control = <T = unknown>(method: string, params?: unknown[]) => Promise<T>;

export interface ReorgResult {
  depth: number;
  /** Head height before and after: anvil replaces `depth` blocks with as many empty ones. */
  height: number;
  replaced: { number: number; oldHash: Hex; newHash: Hex | null }[];
}

const blockHash = async (control: Control, n: number): Promise<Hex | null> =>
  (await control<{ hash: Hex } | null>('eth_getBlockByNumber', [`0x${n.toString(16)}`, false]))
    ?.hash ?? null;

/**
 * `anvil_reorg(depth, [])` (anvil 1.7): the last `depth` blocks are replaced by as many new empty
 * blocks, so the height is unchanged but their hashes differ. The transactions of the replaced
 * blocks are DROPPED, not returned to the mempool: `eth_getTransactionByHash` and the receipt answer
 * null, the sender's nonce (latest and pending) goes back, `txpool_content` is empty. A client must
 * rebroadcast the same raw tx (still valid: same nonce) to get it mined again. Depth is capped at the
 * height (anvil rejects a deeper reorg with -32602).
 */
export async function reorgNow(control: Control, depth: number): Promise<ReorgResult | null> {
  const height = Number(await control<string>('eth_blockNumber'));
  const d = Math.min(Math.max(1, Math.floor(depth)), height);
  if (d < 1) return null;
  const numbers = Array.from({ length: d }, (_, i) => height - d + 1 + i);
  const old = await Promise.all(numbers.map((n) => blockHash(control, n)));
  await control('anvil_reorg', [d, []]);
  const now = await Promise.all(numbers.map((n) => blockHash(control, n)));
  return {
    depth: d,
    height,
    replaced: numbers.map((number, i) => ({
      number,
      oldHash: old[i] as Hex,
      newHash: now[i] ?? null,
    })),
  };
}

/** Watches the target's head and reorgs it every ~`everyBlocks` blocks (gaps and depths by PRNG). */
export class ReorgScheduler {
  private timer: NodeJS.Timeout | undefined;
  private next: number | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly control: Control,
    private readonly rule: Required<ReorgRule>,
    private readonly rng: Rng,
    private readonly onReorg: (result: ReorgResult | null, error?: unknown) => void,
  ) {}

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private gap(): number {
    const n = this.rule.everyBlocks;
    return Math.max(1, intIn(this.rng(), Math.ceil(n / 2), Math.floor((3 * n) / 2)));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => this.schedule());
    }, this.rule.pollMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const head = Number(await this.control<string>('eth_blockNumber'));
      this.next ??= head + this.gap();
      if (head < this.next || this.stopped) return;
      const depth = intIn(this.rng(), 1, this.rule.maxDepth);
      this.next = head + this.gap();
      this.onReorg(await reorgNow(this.control, depth));
    } catch (error) {
      if (!this.stopped) this.onReorg(null, error);
    }
  }
}
