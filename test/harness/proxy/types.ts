import type { Hex } from 'viem';
import type { RawTx } from './held.ts';
import type { FaultKind, ProfileName, ProfileSpec } from './profiles.ts';
import type { ReorgResult } from './reorg.ts';

export interface ChaosProxyOptions {
  /** The anvil RPC URL. */
  target: string;
  profile?: ProfileName | ProfileSpec;
  seed: number;
  /** 0 (default): a free port. */
  port?: number;
  /** `drop`: 0 (default) drops before the client gets the hash; > 0 drops that long after. */
  dropDelayMs?: number;
}

export interface FaultEvent {
  /** 1-based index of the HTTP request; for reorgs and delayed drops, the latest one then. */
  seq: number;
  methods: string[];
  fault: FaultKind | 'reorg' | 'held' | 'rejectSend' | 'lostResponse';
}

export interface ChaosProxy {
  url: string;
  stop(): Promise<void>;
  /** Flat counters: `requests`, `failures`, one per fault kind, `requests.<m>`, `faults.<m>`… */
  stats(): Record<string, number>;
  /** The last 10,000 injected faults in order (for determinism checks and debugging). */
  events(): FaultEvent[];
  setProfile(profile: ProfileName | ProfileSpec): void;
  /** The next `times` requests containing `method` ('*': any) get `fault`. */
  failNext(method: string, fault: FaultKind, times?: number): void;
  /** Matching `eth_sendRawTransaction` are answered with their hash but kept from the node. */
  holdTransactions(predicate: ((tx: RawTx) => boolean) | null): void;
  hold(predicate: ((tx: RawTx) => boolean) | null): void;
  /** Forwards the held txs (by sender, nonce); returns the hashes the node accepted. */
  releaseHeld(): Promise<Hex[]>;
  release(): Promise<Hex[]>;
  held(): RawTx[];
  /** The next `times` sendRawTransaction are forwarded, then dropped from anvil's mempool. */
  dropAfterAccept(times?: number): void;
  /**
   * Drops this tx from anvil's mempool now (pending or queued; not if mined). The sender's other
   * pool txs stay (re-sent from the raw bytes seen by the proxy). True if it was dropped.
   */
  drop(hash: Hex): Promise<boolean>;
  /** The next `times` sendRawTransaction get `{ code: -32000, message }`, not forwarded. */
  rejectSend(message: string, times?: number): void;
  reorg(depth?: number): Promise<ReorgResult | null>;
}
