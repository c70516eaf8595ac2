/**
 * The naive baseline: deploys like a simple script does. One child process (killed and restarted
 * by the benchmark with --kill-every); its only durable state is a JSON progress file of the
 * deployments it finished. Run as: node --import tsx bench/naive-worker.ts <job.json>
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  type Abi,
  BaseError,
  createPublicClient,
  createWalletClient,
  type Hex,
  HttpRequestError,
  http,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { metisSepolia } from 'viem/chains';

export interface NaiveJob {
  rpc: string;
  deployments: number;
  concurrency: number;
  attempts: number;
  retryDelayMs: number;
  receiptTimeoutMs: number;
  confirmations: number;
  bytecode: Hex;
  abi: Abi;
  progressPath: string;
}

export type NaiveRecord =
  | { status: 'done'; address: string; hash: string; at: number }
  | { status: 'failed'; error: string; at: number };

export type NaiveProgress = Record<string, NaiveRecord>;

const TAG_PREFIX = 'b3c40000';

/**
 * 32 bytes appended to the creation code of deployment i (Counter's constructor takes no
 * arguments, so they are ignored). Measurement only: it lets the benchmark map every creation
 * tx on chain to its deployment, including those whose hash the script never learnt.
 */
export const naiveTag = (i: number): string => TAG_PREFIX + i.toString(16).padStart(56, '0');

/** The deployment index of a creation tx's input, or null when it carries no tag. */
export function naiveIndexOf(input: string): number | null {
  const tail = input.slice(-64);
  return tail.startsWith(TAG_PREFIX) ? Number.parseInt(tail.slice(8), 16) : null;
}

export function readProgress(path: string): NaiveProgress {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as NaiveProgress;
  } catch {
    return {};
  }
}

/** The viem errors of a chain of causes, outermost first. */
function viemChain(error: unknown): BaseError[] {
  const chain: BaseError[] = [];
  for (let e: unknown = error; e instanceof BaseError && chain.length < 10; e = e.cause)
    chain.push(e);
  return chain;
}

/** Outer and first inner viem error names, e.g. TransactionExecutionError/NonceTooLowError. */
export function errorName(error: unknown): string {
  const [outer, inner] = viemChain(error);
  if (!outer) return error instanceof Error ? error.name : 'UnknownError';
  return inner ? `${outer.name}/${inner.name}` : outer.name;
}

/** The node's words (or the HTTP status), numbers masked, so that like errors count together. */
export function errorDetail(error: unknown): string {
  const root = viemChain(error).at(-1);
  if (!root) return String(error).slice(0, 60);
  const status = (root as BaseError & { status?: number }).status;
  if (root instanceof HttpRequestError && status) return `HTTP_${status}`;
  return root.details
    .replace(/0x[0-9a-f]+/gi, '0x…')
    .replace(/\d+/g, '#')
    .replace(/\s+/g, '_')
    .slice(0, 60);
}

async function main(jobPath: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobPath, 'utf8')) as NaiveJob;
  const key = process.env.NAIVE_PRIVATE_KEY as Hex | undefined;
  if (!key) throw new Error('NAIVE_PRIVATE_KEY is not set');
  const account = privateKeyToAccount(key);
  // viem defaults, as a script would have them (http transport: 3 retries with backoff).
  const transport = http(job.rpc);
  const wallet = createWalletClient({ account, chain: metisSepolia, transport });
  const reader = createPublicClient({ chain: metisSepolia, transport, pollingInterval: 500 });

  const progress = readProgress(job.progressPath);
  const save = (i: number, record: NaiveRecord) => {
    progress[i] = record;
    const tmp = `${job.progressPath}.tmp`;
    writeFileSync(tmp, JSON.stringify(progress));
    renameSync(tmp, job.progressPath);
  };

  const deployOne = async (i: number) => {
    let last: unknown;
    for (let attempt = 1; attempt <= job.attempts; attempt++) {
      try {
        // No nonce: viem asks the node for the pending count on every send.
        const hash = await wallet.deployContract({
          abi: job.abi,
          bytecode: `${job.bytecode}${naiveTag(i)}` as Hex,
        });
        const receipt = await reader.waitForTransactionReceipt({
          hash,
          confirmations: job.confirmations,
          timeout: job.receiptTimeoutMs,
        });
        if (receipt.status !== 'success' || !receipt.contractAddress) {
          throw Object.assign(new Error(`deployment ${i} reverted`), { name: 'Reverted' });
        }
        save(i, { status: 'done', address: receipt.contractAddress, hash, at: Date.now() });
        return;
      } catch (error) {
        last = error;
        process.stderr.write(`attempt-error ${errorName(error)}(${errorDetail(error)})\n`); // for the report only
        if (attempt < job.attempts) await sleep(job.retryDelayMs); // then send a NEW deployment
      }
    }
    save(i, { status: 'failed', error: errorName(last), at: Date.now() });
  };

  const todo = Array.from({ length: job.deployments }, (_, i) => i).filter((i) => !progress[i]);
  let next = 0;
  const lane = async () => {
    for (let k = next++; k < todo.length; k = next++) await deployOne(todo[k] as number);
  };
  await Promise.all(Array.from({ length: Math.max(1, job.concurrency) }, lane));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2] ?? '').then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`naive worker: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
