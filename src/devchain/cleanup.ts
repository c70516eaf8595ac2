import type { ChildProcess } from 'node:child_process';

/** Children still running; killed when this process exits so no anvil is ever orphaned. */
const running = new Set<ChildProcess>();
let installed = false;

const killAll = (): void => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
};

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  // 'exit' does not run when a signal ends the process with its default action.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Someone else handles the signal (graceful shutdown): leave the children to 'exit'.
      if (process.listenerCount(signal) > 1) return;
      killAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Kill `child` when the parent exits, unless it has exited first. */
export function killOnExit(child: ChildProcess): void {
  install();
  running.add(child);
  child.once('exit', () => running.delete(child));
}
