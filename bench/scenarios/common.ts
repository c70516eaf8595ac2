import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Address, type Hex, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { ChainConfig } from '../../src/chains/types.ts';
import type { JournalEntry } from '../../src/core/events.ts';
import {
  type AnvilInstance,
  fundAccount,
  rpcCall,
  type StartAnvilOptions,
  startAnvil,
} from '../../src/devchain/index.ts';
import { compileSolidity } from '../../src/inputs/index.ts';
import type { ContractArtifact } from '../../src/inputs/types.ts';
import { percentile } from '../metrics.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CHAIN_ID = 31337;
export const CHAIN_NAME = 'bench';

// ---------------------------------------------------------------------------------------------
// Cleanup: everything a scenario starts is registered here and undone in reverse order.

type Undo = () => unknown;
const undos: Undo[] = [];

/** Registers an undo step; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(undo: Undo): () => Promise<void> {
  let done = false;
  const run = async () => {
    if (done) return;
    done = true;
    const index = undos.indexOf(wrapped);
    if (index >= 0) undos.splice(index, 1);
    await undo();
  };
  const wrapped: Undo = run;
  undos.push(wrapped);
  return run;
}

/** Runs every registered undo step, newest first; errors are reported, not thrown. */
export async function cleanupAll(): Promise<void> {
  while (undos.length > 0) {
    const undo = undos.pop() as Undo;
    try {
      await undo();
    } catch (error) {
      process.stderr.write(`cleanup failed: ${String(error)}\n`);
    }
  }
}

/**
 * What must not outlive the process even when it is cut short (a second Ctrl-C): run
 * synchronously on 'exit'. Anvils are SIGKILLed on exit by src/devchain itself.
 */
const onExit = new Set<() => void>();
process.on('exit', () => {
  for (const action of onExit) {
    try {
      action();
    } catch {
      // best effort
    }
  }
});

export function tempDir(prefix = 'hyperdeploy-bench-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  onExit.add(remove);
  onCleanup(() => {
    remove();
    onExit.delete(remove);
  });
  return dir;
}

/** A fresh anvil (shanghai, like the Metis pair), stopped by cleanup or by the returned stop. */
export async function freshAnvil(
  options: Partial<StartAnvilOptions> = {},
): Promise<AnvilInstance & { release: () => Promise<void> }> {
  const anvil = await startAnvil({ chainId: CHAIN_ID, hardfork: 'shanghai', ...options });
  const release = onCleanup(() => anvil.stop());
  return { ...anvil, release };
}

/** Kills a child process on cleanup (SIGKILL after 3 s of SIGTERM). */
export function ownChild(child: ChildProcess): () => Promise<void> {
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  onExit.add(killNow);
  child.once('exit', () => onExit.delete(killNow));
  return onCleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  });
}

/** A `local`-like chain config pointing at the given RPC. */
export function benchChain(rpcUrl: string, overrides: Partial<ChainConfig> = {}): ChainConfig {
  return {
    name: CHAIN_NAME,
    chainId: CHAIN_ID,
    displayName: 'Bench (anvil)',
    currency: { symbol: 'ETH', decimals: 18 },
    rpc: [rpcUrl],
    txType: 'eip1559',
    evmVersion: 'shanghai',
    confirmations: 1,
    pollIntervalMs: 50,
    ...overrides,
  };
}

export async function newFundedKey(
  rpcUrl: string,
  eth = '1000',
): Promise<{ privateKey: Hex; address: Address }> {
  const privateKey = generatePrivateKey();
  const { address } = privateKeyToAccount(privateKey);
  await fundAccount(rpcUrl, address, parseEther(eth));
  return { privateKey, address };
}

/** The deploy request of the Counter on the bench chain, without verification. */
export const counterParams = (artifact: ContractArtifact) => ({
  chain: CHAIN_NAME,
  bytecode: artifact.bytecode,
  abi: artifact.abi,
  contractName: 'Counter',
  verify: false,
});

let counter: Promise<ContractArtifact> | undefined;
/** contracts/Counter.sol compiled for shanghai (once per process). */
export function counterArtifact(): Promise<ContractArtifact> {
  counter ??= compileSolidity({
    file: 'contracts/Counter.sol',
    contractName: 'Counter',
    evmVersion: 'shanghai',
    cwd: REPO,
  });
  return counter;
}

export async function blockNumber(rpcUrl: string): Promise<number> {
  return Number(await rpcCall<string>(rpcUrl, 'eth_blockNumber'));
}

/** Resolves just after the chain produced a new block (interval mining). */
export async function nextBlock(rpcUrl: string, pollMs = 5): Promise<number> {
  const start = await blockNumber(rpcUrl);
  for (;;) {
    await sleep(pollMs);
    const now = await blockNumber(rpcUrl);
    if (now > start) return now;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Statistics and tables.

export interface Stats {
  n: number;
  median: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const at = (p: number) => percentile(sorted, p) ?? Number.NaN;
  return {
    n,
    median: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[n - 1] ?? Number.NaN,
    mean: n ? sorted.reduce((a, b) => a + b, 0) / n : Number.NaN,
  };
}

export const round = (value: number, digits = 2): number =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value;

export const fmt = (value: number | null | undefined, digits = 2): string =>
  value === null || value === undefined || !Number.isFinite(value)
    ? '–'
    : value.toFixed(digits).replace(/\.?0+$/, (m) => (m.startsWith('.') ? '' : m));

export function mdTable(headers: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map(String).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export const now = (): number => performance.now();

export interface Machine {
  cpuCount: number;
  cpuModel: string;
  node: string;
  platform: string;
  totalMemMb: number;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  loadAvg1m: number;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpuCount: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    totalMemMb: Math.round(totalmem() / 1024 / 1024),
    loadAvg1m: round(loadavg()[0] ?? 0, 2),
  };
}

// ---------------------------------------------------------------------------------------------
// Journal step timing: how long each pipeline step took, from the events' `at`.

/** Milliseconds from the previous event to each event, keyed by the event's type. */
export function stepDurations(entries: JournalEntry[]): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (let i = 1; i < entries.length; i++) {
    const prev = entries[i - 1] as JournalEntry;
    const entry = entries[i] as JournalEntry;
    out.push([entry.type, Date.parse(entry.at) - Date.parse(prev.at)]);
  }
  return out;
}

/** Median ms per step over many journals, in journal order. */
export function stepTable(journals: JournalEntry[][]): Array<{ step: string; medianMs: number }> {
  const by = new Map<string, number[]>();
  for (const journal of journals) {
    for (const [step, ms] of stepDurations(journal)) {
      const list = by.get(step) ?? [];
      list.push(ms);
      by.set(step, list);
    }
  }
  return [...by.entries()].map(([step, list]) => ({ step, medianMs: stats(list).median }));
}

// ---------------------------------------------------------------------------------------------
// A counting JSON-RPC proxy: how many calls of each method a client makes.

export interface CountingProxy {
  url: string;
  counts: Map<string, number>;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const count = (body: unknown) => {
    const calls = Array.isArray(body) ? body : [body];
    for (const call of calls) {
      const method = (call as { method?: string })?.method ?? '?';
      counts.set(method, (counts.get(method) ?? 0) + 1);
    }
  };
  const read = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const text = await read(request);
      try {
        count(JSON.parse(text));
      } catch {
        counts.set('?', (counts.get('?') ?? 0) + 1);
      }
      try {
        const upstream = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: text,
        });
        const answer = await upstream.text();
        response.writeHead(upstream.status, { 'content-type': 'application/json' });
        response.end(answer);
      } catch (error) {
        response.writeHead(502);
        response.end(String(error));
      }
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const close = onCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => counts.clear(),
    close,
  };
}

/** Per-scenario result: markdown for people, a record for `--json`. */
export interface ScenarioResult {
  title: string;
  markdown: string;
  json: Record<string, unknown>;
}

export interface ScenarioOptions {
  quick: boolean;
  log: (line: string) => void;
}

// ---------------------------------------------------------------------------------------------
// Diagnostics: JSON-RPC calls (count and wall time per method) seen by `fetch` in this process.

export interface FetchTrace {
  byMethod: Map<string, { calls: number; ms: number }>;
  calls(): number;
  ms(): number;
  reset(): void;
  stop(): void;
}

/** Wraps globalThis.fetch (viem's http transport calls it per request) until `stop()`. */
export function traceFetch(): FetchTrace {
  const original = globalThis.fetch;
  const byMethod = new Map<string, { calls: number; ms: number }>();
  const methodsOf = (body: unknown): string[] => {
    if (typeof body !== 'string') return ['?'];
    try {
      const parsed = JSON.parse(body) as unknown;
      const calls = Array.isArray(parsed) ? parsed : [parsed];
      return calls.map((c) => (c as { method?: string })?.method ?? '?');
    } catch {
      return ['?'];
    }
  };
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const methods = methodsOf(init?.body);
    const start = performance.now();
    try {
      return await original(input, init);
    } finally {
      const ms = (performance.now() - start) / methods.length;
      for (const method of methods) {
        const entry = byMethod.get(method) ?? { calls: 0, ms: 0 };
        entry.calls++;
        entry.ms += ms;
        byMethod.set(method, entry);
      }
    }
  }) as typeof fetch;
  const stop = onCleanup(() => {
    globalThis.fetch = original;
  });
  const sum = (key: 'calls' | 'ms') => [...byMethod.values()].reduce((s, e) => s + e[key], 0);
  return {
    byMethod,
    calls: () => sum('calls'),
    ms: () => sum('ms'),
    reset: () => byMethod.clear(),
    stop: () => void stop(),
  };
}

/** A Store whose calls are timed (wall ms per method), for "time in the store" breakdowns. */
export function timeStore<T extends object>(
  store: T,
): { store: T; ms: () => number; reset: () => void } {
  let total = 0;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || property === 'constructor') return value;
      return (...args: unknown[]) => {
        const start = performance.now();
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise)
          return result.finally(() => {
            total += performance.now() - start;
          });
        total += performance.now() - start;
        return result;
      };
    },
  });
  return {
    store: proxy,
    ms: () => total,
    reset: () => {
      total = 0;
    },
  };
}

/** CPU time (user + system) of a process so far, from /proc. */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    return Number.NaN;
  }
}
