/**
 * Child process of the memory scenario: a `serve`-like process (library + HTTP API + stream,
 * info-level JSON logs to /dev/null, as `hyperdeploy serve` logs to stdout), sampling its own
 * RSS every 50 ms. Args: <db path> <chains JSON>; env BENCH_KEY holds the deployer key.
 * stdin commands, one JSON line answered on stdout each: `STATUS`, `STATUS GC` (after a full
 * GC), `SNAPSHOT <path>` (heap snapshot, for digging), `QUIT`.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { writeHeapSnapshot } from 'node:v8';
import { pino } from 'pino';
import type { ChainConfig } from '../../src/chains/types.ts';
import { createHyperdeploy } from '../../src/hyperdeploy.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { buildServer } from '../../src/server/app.ts';

const [dbPath, chainsJson] = process.argv.slice(2);
if (!dbPath || !chainsJson) throw new Error('usage: memory-server.ts <db> <chains JSON>');
const chains = JSON.parse(chainsJson) as Record<string, ChainConfig>;
const logger = createLogger({
  level: 'info',
  destination: pino.destination({ dest: '/dev/null', sync: false }),
});
const hd = createHyperdeploy({ db: dbPath, chains, privateKey: process.env.BENCH_KEY, logger });
const app = await buildServer({ hd, chains, logger });
const address = await app.listen({ host: '127.0.0.1', port: 0 });

const mb = (bytes: number) => bytes / 1024 / 1024;
let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
sample();
const sampler = setInterval(sample, 50);

/** The kernel's own high-water mark of this process's resident set. */
const vmHwmMb = (): number | null => {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : null;
};

const reply = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
reply({ type: 'listening', url: address, rssMb: mb(process.memoryUsage().rss) });

createInterface({ input: process.stdin }).on('line', (line) => {
  void (async () => {
    const command = line.trim();
    if (command === 'STATUS' || command === 'STATUS GC') {
      sample();
      // With GC: the heap still in use after a full collection (node runs with --expose-gc).
      if (command === 'STATUS GC') (globalThis as { gc?: () => void }).gc?.();
      const usage = process.memoryUsage();
      reply({
        type: 'status',
        rssMb: mb(usage.rss),
        peakRssMb: mb(peakRss),
        vmHwmMb: vmHwmMb(),
        heapUsedMb: mb(usage.heapUsed),
        externalMb: mb(usage.external),
        counts: await hd.countByStatus(),
      });
    } else if (command.startsWith('SNAPSHOT ')) {
      // Diagnostics: a heap snapshot to the given path (after a full GC when exposed).
      (globalThis as { gc?: () => void }).gc?.();
      reply({ type: 'snapshot', path: writeHeapSnapshot(command.slice('SNAPSHOT '.length)) });
    } else if (command === 'QUIT') {
      clearInterval(sampler);
      await app.close();
      await hd.close();
      process.stdout.write(`${JSON.stringify({ type: 'bye' })}\n`, () => process.exit(0));
    }
  })();
});
