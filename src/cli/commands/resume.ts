import { type GlobalFlags, openApp } from '../app.ts';
import { installCrashHook } from '../crash-hook.ts';
import { EXIT } from '../exit.ts';
import { progressLine, table } from '../format.ts';

export interface ResumeFlags extends GlobalFlags {
  chain?: string;
  rpc: string[];
  json?: boolean;
}

/** Continues every unfinished deployment from its journal. RPC overrides are given again here. */
export async function resumeCommand(flags: ResumeFlags): Promise<number> {
  const { app } = await openApp(flags, {
    ...(flags.chain ? { chain: flags.chain } : {}),
    rpc: flags.rpc,
  });
  try {
    const start = Date.now();
    const out = flags.json ? process.stderr : process.stdout;
    app.subscribe((entry, deployment) => {
      const line = progressLine(entry, deployment, start);
      if (line) out.write(`${line}  [${deployment.id}]\n`);
    });
    installCrashHook(app);
    const finished = await app.resume(flags.chain ? { chain: flags.chain } : {});
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(finished, null, 2)}\n`);
    } else if (finished.length === 0) {
      process.stdout.write('nothing to resume: every deployment is finished\n');
    } else {
      const rows = finished.map((d) => [
        d.id,
        d.status,
        d.chain,
        d.contractAddress ?? '-',
        d.error?.code ?? '',
      ]);
      process.stdout.write(`\n${table(['id', 'status', 'chain', 'address', 'error'], rows)}\n`);
    }
    return finished.every((d) => d.status === 'complete') ? EXIT.ok : EXIT.failed;
  } finally {
    await app.close();
  }
}
