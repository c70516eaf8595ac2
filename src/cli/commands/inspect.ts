import { HyperdeployError } from '../../core/errors.ts';
import { STATUSES, type Status } from '../../core/status.ts';
import { type GlobalFlags, openApp } from '../app.ts';
import { EXIT } from '../exit.ts';
import { describeDeployment, describeEntry, table } from '../format.ts';

interface JsonFlag extends GlobalFlags {
  json?: boolean;
}

const notFound = (id: string) =>
  new HyperdeployError('DEPLOYMENT_NOT_FOUND', `No deployment ${id} in the store.`, {
    step: 'input',
  });

export async function statusCommand(id: string, flags: JsonFlag): Promise<number> {
  const { app } = await openApp(flags);
  try {
    const deployment = await app.get(id);
    if (!deployment) throw notFound(id);
    process.stdout.write(
      flags.json
        ? `${JSON.stringify(deployment, null, 2)}\n`
        : `${describeDeployment(deployment)}\n`,
    );
    return EXIT.ok;
  } finally {
    await app.close();
  }
}

export interface ListFlags extends JsonFlag {
  status?: string;
  chainId?: number;
  buildId?: string;
  limit?: number;
}

export async function listCommand(flags: ListFlags): Promise<number> {
  if (flags.status && !STATUSES.includes(flags.status as Status)) {
    throw new HyperdeployError('CONFIG_INVALID', `--status ${flags.status} is not a status.`, {
      step: 'input',
      hint: `Use one of: ${STATUSES.join(', ')}.`,
    });
  }
  const { app } = await openApp(flags);
  try {
    const page = await app.list({
      ...(flags.status ? { status: flags.status as Status } : {}),
      ...(flags.chainId !== undefined ? { chainId: flags.chainId } : {}),
      ...(flags.buildId ? { buildId: flags.buildId } : {}),
      limit: flags.limit ?? 50,
    });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(page.items, null, 2)}\n`);
      return EXIT.ok;
    }
    const rows = page.items.map((d) => [
      d.id,
      d.status,
      d.chain,
      d.contractName,
      d.contractAddress ?? '-',
      d.error?.code ?? '',
      d.createdAt,
    ]);
    process.stdout.write(
      `${table(['id', 'status', 'chain', 'contract', 'address', 'error', 'created'], rows)}\n`,
    );
    return EXIT.ok;
  } finally {
    await app.close();
  }
}

export async function logsCommand(id: string, flags: JsonFlag): Promise<number> {
  const { app } = await openApp(flags);
  try {
    if (!(await app.get(id))) throw notFound(id);
    const entries = await app.events(id);
    if (flags.json) process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    else process.stdout.write(`${entries.map(describeEntry).join('\n')}\n`);
    return EXIT.ok;
  } finally {
    await app.close();
  }
}
