import { type GlobalFlags, openApp } from '../app.ts';
import { EXIT } from '../exit.ts';

/** Cancels a deployment that has not signed a transaction yet. */
export async function cancelCommand(
  id: string,
  flags: GlobalFlags & { json?: boolean },
): Promise<number> {
  const { app } = await openApp(flags);
  try {
    const deployment = await app.cancel(id, 'cancelled from the CLI');
    process.stdout.write(
      flags.json ? `${JSON.stringify(deployment, null, 2)}\n` : `${id} cancelled\n`,
    );
    return EXIT.ok;
  } finally {
    await app.close();
  }
}
