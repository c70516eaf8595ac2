import type { DeploymentEvent, JournalEntry } from '../core/events.ts';
import { reduce } from '../core/reduce.ts';
import type { DeploymentState } from '../core/state.ts';
import type { JournalNotification, Store } from '../ports/store.ts';
import { KeyedMutex } from '../util/keyed-mutex.ts';

export type JournalListener = (entry: JournalEntry, state: DeploymentState) => void;

/** Deployments whose last delivered state is remembered (least recently used beyond it go). */
const REMEMBERED = 10_000;

/**
 * Delivers every journal entry to this process's subscribers once, in seq order per
 * deployment — whether this process appended it (the engine) or another process did and the
 * store announced it (a shared store's notifications). An entry at or below the last seq
 * delivered for its deployment is a duplicate and dropped.
 */
export class JournalFanout {
  private readonly listeners = new Set<JournalListener>();
  private readonly latest = new Map<string, DeploymentState>();
  private readonly catchingUp = new KeyedMutex();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  subscribe(listener: JournalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(entry: JournalEntry, state: DeploymentState): void {
    const id = state.id;
    const last = this.latest.get(id);
    if (last && last.seq >= entry.seq) return;
    this.latest.delete(id); // re-insert: Map order is recency
    this.latest.set(id, state);
    if (this.latest.size > REMEMBERED)
      this.latest.delete(this.latest.keys().next().value as string);
    for (const listener of this.listeners) {
      try {
        listener(entry, state);
      } catch (error) {
        this.onListenerError(error); // a listener's exception must never stop a deployment
      }
    }
  }

  /**
   * Delivers what another process appended: the entries after the last one delivered here, or
   * — for a deployment not seen yet — the notified append's own entries.
   */
  catchUp(store: Store, { deploymentId: id, seq, count }: JournalNotification): Promise<void> {
    return this.catchingUp.run(id, async () => {
      const known = this.latest.get(id);
      if (known && known.seq >= seq) return;
      // The state after each entry is folded from the last one (or the whole journal).
      const entries = await store.events(id, known?.seq ?? 0);
      let state: DeploymentState | null = known ?? null;
      for (const entry of entries) {
        const { seq: _seq, ...event } = entry;
        state = { ...reduce(state, event as DeploymentEvent), seq: entry.seq };
        if (known || entry.seq > seq - count) this.publish(entry, state);
      }
    });
  }
}
