import type { Hyperdeploy } from '../hyperdeploy.ts';

/**
 * Test-only fault injection: HYPERDEPLOY_TEST_CRASH_AFTER=<event type> kills this process
 * with SIGKILL right after that journal event is committed (e.g. `tx_signed`, `tx_broadcast`),
 * so crash tests hit an exact point of the transaction protocol.
 */
export function installCrashHook(app: Hyperdeploy): void {
  const crashAfter = process.env.HYPERDEPLOY_TEST_CRASH_AFTER;
  if (!crashAfter) return;
  app.subscribe((entry) => {
    if (entry.type === crashAfter) process.kill(process.pid, 'SIGKILL');
  });
}
