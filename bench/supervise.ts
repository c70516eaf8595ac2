import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Every child the benchmark started, so that cleanup (also on error or Ctrl-C) can end them. */
const children = new Set<ChildProcess>();

export interface WorkerSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout and stderr of start k go to `${logPrefix}-k.log`. */
  logPrefix: string;
}

/** Starts one worker process with its output in a log file. */
export function startWorker(spec: WorkerSpec, generation: number): ChildProcess {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(`${spec.logPrefix}-${generation}.log`);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  children.add(child);
  child.once('close', () => {
    children.delete(child);
    log.end();
  });
  return child;
}

const running = (child: ChildProcess): boolean =>
  child.exitCode === null && child.signalCode === null;

/** Sends a signal and waits until the process is gone. */
export async function killChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (!running(child)) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** SIGKILLs every child still running (cleanup path). */
export async function killAllChildren(): Promise<void> {
  await Promise.allSettled([...children].map((c) => killChild(c, 'SIGKILL')));
}

export interface SuperviseOptions {
  spec: WorkerSpec;
  /** True when every deployment is terminal (read from the worker's durable records). */
  isDone: () => Promise<boolean>;
  /** SIGKILL the worker this often and start a new one; undefined: never. */
  killEverySec?: number;
  /** The first SIGKILL comes this long after the start (default killEverySec): staggers workers. */
  firstKillAfterSec?: number;
  /** Sent when done to a worker that does not exit on its own (SIGKILL after 10 s). */
  stopSignal?: NodeJS.Signals;
  timeLimitMs: number;
  pollMs?: number;
}

export interface SuperviseResult {
  starts: number;
  kills: number;
  /** Exits the worker chose itself: code or signal per start. */
  exits: string[];
  timedOut: boolean;
  wallMs: number;
}

/**
 * Runs a worker until `isDone`, restarting it when it exits early and, with `killEverySec`,
 * SIGKILLing it on that period (a crash at an arbitrary point) and starting a fresh one.
 */
export async function supervise(options: SuperviseOptions): Promise<SuperviseResult> {
  const pollMs = options.pollMs ?? 200;
  const begin = Date.now();
  const result: SuperviseResult = { starts: 0, kills: 0, exits: [], timedOut: false, wallMs: 0 };
  let child: ChildProcess | null = null;
  let startedAt = 0;
  let killAfterSec = options.firstKillAfterSec ?? options.killEverySec;
  const killedByUs = new WeakSet<ChildProcess>();
  const launch = () => {
    result.starts++;
    startedAt = Date.now();
    const c = startWorker(options.spec, result.starts);
    c.once('exit', (code, signal) => {
      if (!killedByUs.has(c)) result.exits.push(signal ?? `exit ${code}`);
    });
    child = c;
  };
  try {
    launch();
    for (;;) {
      await sleep(pollMs);
      const current = child as ChildProcess | null;
      if (await options.isDone()) break;
      if (Date.now() - begin > options.timeLimitMs) {
        result.timedOut = true;
        break;
      }
      if (current && !running(current)) {
        if (current.exitCode === 2) throw new Error('worker exited with 2 (usage/config error)');
        // Exited with unfinished deployments (or crashed): start again, like a process manager.
        await sleep(500);
        if (!(await options.isDone())) launch();
        continue;
      }
      if (current && killAfterSec && Date.now() - startedAt >= killAfterSec * 1000) {
        killAfterSec = options.killEverySec;
        killedByUs.add(current); // its SIGKILL exit is ours, not recorded as a worker exit
        await killChild(current, 'SIGKILL');
        result.kills++;
        launch();
      }
    }
  } finally {
    const last = child as ChildProcess | null;
    // Finished (or timed out): stop the worker, or give one that is exiting on its own a moment.
    result.wallMs = Date.now() - begin; // the work, not the shutdown
    if (last && running(last)) {
      killedByUs.add(last);
      const exited = once(last, 'exit');
      if (options.stopSignal && !result.timedOut) last.kill(options.stopSignal);
      const grace = result.timedOut ? 0 : options.stopSignal ? 10_000 : 3_000;
      await Promise.race([exited, sleep(grace)]);
      await killChild(last, 'SIGKILL');
    }
  }
  return result;
}
