import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/hyperdeploy.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `hyperdeploy` bin in a child process. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd = REPO,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', HYPERDEPLOY_PRIVATE_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** `deploy contracts/Counter.sol` to metis-sepolia on the given RPC and store, 1 confirmation. */
export const counterDeployArgs = (rpcUrl: string, db: string, ...extra: string[]): string[] => [
  'deploy',
  'contracts/Counter.sol',
  '--chain',
  'metis-sepolia',
  '--rpc',
  rpcUrl,
  '--db',
  db,
  '--confirmations',
  '1',
  ...extra,
];

/** A long-running `hyperdeploy` process (serve, worker) whose JSON log lines are kept. */
export interface CliProcess {
  readonly pid: number;
  /** Parsed JSON lines of its stdout so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Resolves with the first log line `match` accepts (rejects if the process exits first). */
  waitForLog(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves when it exited, with its code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts the real `hyperdeploy` bin as a long-running child process. */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', HYPERDEPLOY_PRIVATE_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line));
      } catch {
        // not a log line (e.g. a banner)
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    pid: child.pid ?? -1,
    logs,
    exited,
    kill: (signal) => child.kill(signal),
    waitForLog(match) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.find(match);
          if (!found) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
        void exited.then(({ code, signal }) => {
          if (!waiters.delete(check)) return;
          reject(
            new Error(`hyperdeploy ${args[0]} exited (${code ?? signal}): ${stderr.slice(-2000)}`),
          );
        });
      });
    },
  };
}
