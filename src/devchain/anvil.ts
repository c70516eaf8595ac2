import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { HyperdeployError } from '../core/errors.ts';
import { anvilBinaryPath } from './binary.ts';
import { killOnExit } from './cleanup.ts';
import { getChainId } from './rpc.ts';

export type AnvilHardfork = 'shanghai' | 'cancun' | 'prague';

export interface StartAnvilOptions {
  chainId: number;
  /** Defaults to anvil's latest; use shanghai to mimic Metis Andromeda/Sepolia. */
  hardfork?: AnvilHardfork;
  /** Interval mining (fractions allowed); default is automine. */
  blockTimeSec?: number;
  /** Mine only on `mine()`; cannot be combined with `blockTimeSec`. */
  noMining?: boolean;
  /** 0 (default): a free port picked by the OS. */
  port?: number;
  /** Balance of each dev account in ether (anvil default 10000). */
  balanceEth?: number | bigint;
  /** Number of dev accounts (anvil default 10). */
  accounts?: number;
  startTimeoutMs?: number;
  /** Defaults to the binary of the installed @foundry-rs platform package. */
  binaryPath?: string;
  extraArgs?: string[];
}

export interface AnvilInstance {
  rpcUrl: string;
  chainId: number;
  port: number;
  process: ChildProcess;
  /** Kills anvil (SIGTERM, then SIGKILL after 3 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

const LISTENING_RE = /Listening on ([\d.]+):(\d+)/;
const TAIL_CHARS = 2000;
const KILL_GRACE_MS = 3000;

function invalid(option: string, problem: string): HyperdeployError {
  return new HyperdeployError('INTERNAL', `startAnvil: ${option} ${problem}`, {
    hint: 'Fix the option passed to startAnvil().',
  });
}

function buildArgs(options: StartAnvilOptions): string[] {
  const { chainId, blockTimeSec, port = 0 } = options;
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw invalid('chainId', 'must be > 0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid('port', 'out of range');
  if (blockTimeSec !== undefined && !(blockTimeSec > 0))
    throw invalid('blockTimeSec', 'must be > 0');
  if (blockTimeSec !== undefined && options.noMining) {
    throw invalid('blockTimeSec', 'cannot be combined with noMining');
  }
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId)];
  if (options.hardfork) args.push('--hardfork', options.hardfork);
  if (blockTimeSec !== undefined) args.push('--block-time', String(blockTimeSec));
  if (options.noMining) args.push('--no-mining');
  if (options.balanceEth !== undefined) args.push('--balance', String(options.balanceEth));
  if (options.accounts !== undefined) args.push('--accounts', String(options.accounts));
  // Not --silent: it also hides the "Listening on" line we read the port from.
  return [...args, ...(options.extraArgs ?? [])];
}

/** Keeps the last characters of a stream; anvil logs every request, so the stream must be drained. */
function tail(stream: Readable, onText?: (all: string) => void): () => string {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text = (text + chunk).slice(-TAIL_CHARS);
    onText?.(text);
  });
  return () => text.trim();
}

/** Starts anvil on a free port and resolves once its RPC answers `eth_chainId`. */
export async function startAnvil(options: StartAnvilOptions): Promise<AnvilInstance> {
  const args = buildArgs(options);
  const binary = options.binaryPath ?? anvilBinaryPath();
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= kill(child);
    return stopping;
  };

  const port = new Promise<number>((resolve) => {
    let found = false;
    tail(child.stdout as Readable, (text) => {
      const match = found ? null : LISTENING_RE.exec(text);
      if (match) {
        found = true;
        resolve(Number(match[2]));
      }
    });
  });
  const stderr = tail(child.stderr as Readable);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(
        new HyperdeployError('INTERNAL', `anvil could not be started: ${error.message}`, {
          hint: 'Check that the anvil binary exists and is executable (reinstall with `npm ci`).',
          cause: error,
        }),
      ),
    );
    child.once('exit', (code, signal) => {
      const why = stderr().split('\n').slice(-5).join(' | ') || 'no output';
      reject(
        new HyperdeployError(
          'INTERNAL',
          `anvil exited before it was ready (${signal ?? `code ${code}`}): ${why}`,
          {
            hint: "Read anvil's error in the message; for a port in use, omit port to get a free one.",
          },
        ),
      );
    });
  });
  failed.catch(() => {}); // Only observed while starting.

  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HyperdeployError('INTERNAL', `anvil did not answer within ${timeoutMs} ms`, {
            hint: 'The machine may be overloaded: raise startTimeoutMs.',
          }),
        ),
      timeoutMs,
    );
  });

  try {
    const listenPort = await Promise.race([port, failed, timedOut]);
    const rpcUrl = `http://127.0.0.1:${listenPort}`;
    const chainId = await Promise.race([waitForRpc(rpcUrl, deadline), failed, timedOut]);
    if (chainId !== options.chainId) {
      throw new HyperdeployError(
        'INTERNAL',
        `anvil answered chain id ${chainId}, expected ${options.chainId}`,
        { hint: 'Check extraArgs: they must not override --chain-id.' },
      );
    }
    // A running dev chain alone should not keep this process alive; 'exit' then kills it.
    child.unref();
    (child.stdout as Readable & { unref?: () => void }).unref?.();
    (child.stderr as Readable & { unref?: () => void }).unref?.();
    return { rpcUrl, chainId, port: listenPort, process: child, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function waitForRpc(rpcUrl: string, deadline: number): Promise<number> {
  for (;;) {
    try {
      return await getChainId(rpcUrl);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

async function kill(child: ChildProcess): Promise<void> {
  // No pid: spawn failed, there is nothing to kill and no 'exit' will come.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
