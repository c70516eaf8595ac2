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
