import { type ChainFlags, type GlobalFlags, openApp } from '../app.ts';
import { EXIT } from '../exit.ts';
import { describeDeployment } from '../format.ts';

export interface VerifyFlags extends GlobalFlags, Omit<ChainFlags, 'confirmations'> {
  json?: boolean;
}

/** Verifies a deployment again by hand and waits for the explorer's outcome. */
export async function verifyCommand(id: string, flags: VerifyFlags): Promise<number> {
  const { app } = await openApp(flags, flags);
  try {
    const deployment = await app.verify(id);
    process.stdout.write(
      flags.json
        ? `${JSON.stringify(deployment, null, 2)}\n`
        : `${describeDeployment(deployment)}\n`,
    );
    return deployment.verification.status === 'verified' ? EXIT.ok : EXIT.failed;
  } finally {
    await app.close();
  }
}
