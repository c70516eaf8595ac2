import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import type { ContractArtifact } from '../src/inputs/index.ts';
import { REPO } from './hyperdeploy-run.ts';
import type { Outcome } from './metrics.ts';
import { type NaiveJob, readProgress } from './naive-worker.ts';
import { type SuperviseResult, supervise } from './supervise.ts';

const WORKER = join(REPO, 'bench/naive-worker.ts');

export interface NaiveRunOptions {
  dir: string;
  rpc: string;
  privateKey: Hex;
  artifact: ContractArtifact;
  deployments: number;
  concurrency: number;
  attempts: number;
  retryDelayMs: number;
  receiptTimeoutMs: number;
  confirmations: number;
  killEverySec?: number;
  timeLimitMs: number;
}

export interface NaiveRun {
  outcomes: Outcome[];
  supervise: SuperviseResult;
  /** Errors of failed attempts (each followed by a new deployment tx), by viem error name. */
  attemptErrors: Record<string, number>;
}

/** Counts the `attempt-error <name>` lines the workers wrote to their logs. */
function attemptErrors(dir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const file of readdirSync(dir).filter((f) => /^naive-worker-\d+\.log$/.test(f))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const name = /^attempt-error (\S+)/.exec(line)?.[1];
      if (name) counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}

/**
 * Runs the naive script in a child process until every deployment is recorded in its progress
 * file (done or given up), SIGKILLing and restarting it every `killEverySec` like hyperdeploy's
 * worker. Time to complete is measured from the moment the N jobs were handed to it.
 */
export async function runNaive(options: NaiveRunOptions): Promise<NaiveRun> {
  const progressPath = join(options.dir, 'naive-progress.json');
  const jobPath = join(options.dir, 'naive-job.json');
  const job: NaiveJob = {
    rpc: options.rpc,
    deployments: options.deployments,
    concurrency: options.concurrency,
    attempts: options.attempts,
    retryDelayMs: options.retryDelayMs,
    receiptTimeoutMs: options.receiptTimeoutMs,
    confirmations: options.confirmations,
    bytecode: options.artifact.bytecode,
    abi: options.artifact.abi,
    progressPath,
  };
  writeFileSync(jobPath, JSON.stringify(job));
  const handedOverAt = Date.now();
  const result = await supervise({
    spec: {
      command: process.execPath,
      args: ['--import', 'tsx', WORKER, jobPath],
      env: { ...process.env, NAIVE_PRIVATE_KEY: options.privateKey },
      cwd: REPO,
      logPrefix: join(options.dir, 'naive-worker'),
    },
    isDone: async () => Object.keys(readProgress(progressPath)).length >= options.deployments,
    ...(options.killEverySec ? { killEverySec: options.killEverySec } : {}),
    timeLimitMs: options.timeLimitMs,
  });
  const progress = readProgress(progressPath);
  const outcomes: Outcome[] = Array.from({ length: options.deployments }, (_, i) => {
    const record = progress[i];
    if (!record) return { key: String(i), status: 'lost', address: null, durationMs: null };
    if (record.status === 'failed') {
      return {
        key: String(i),
        status: 'failed',
        errorCode: record.error,
        address: null,
        durationMs: null,
      };
    }
    return {
      key: String(i),
      status: 'succeeded',
      address: record.address.toLowerCase(),
      durationMs: record.at - handedOverAt,
    };
  });
  return { outcomes, supervise: result, attemptErrors: attemptErrors(options.dir) };
}
