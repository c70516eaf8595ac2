import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundedKey, reader, startChain, type TestChain } from '../harness/chains.ts';
import { counterDeployArgs, runCli } from '../harness/cli.ts';
import { startPostgres, type TestPostgres } from '../harness/postgres.ts';

describe('hyperdeploy on PostgreSQL (--db postgres://…)', () => {
  let chain: TestChain;
  let postgres: TestPostgres;
  beforeAll(async () => {
    [chain, postgres] = await Promise.all([
      startChain('metis-sepolia', { blockTimeSec: 0.2 }),
      startPostgres(),
    ]);
  });
  afterAll(async () => {
    await postgres?.stop();
    await chain?.anvil.stop();
  });

  it('deploys, lists and shows the journal from the PostgreSQL store, never printing its password', async () => {
    const { privateKey, address } = await fundedKey([chain]);
    const db = postgres.url;
    const deploy = await runCli(
      counterDeployArgs(chain.anvil.rpcUrl, db, '--no-verify', '--json'),
      { HYPERDEPLOY_PRIVATE_KEY: privateKey },
    );
    expect(deploy.code).toBe(0);
    const deployment = JSON.parse(deploy.stdout);
    expect(deployment.status).toBe('complete');
    expect(await reader(chain).getTransactionCount({ address })).toBe(1);

    const list = await runCli(['list', '--db', db, '--json']);
    expect(JSON.parse(list.stdout).map((d: { id: string }) => d.id)).toContain(deployment.id);
    const logs = await runCli(['logs', deployment.id, '--db', db, '--json']);
    const seqs = JSON.parse(logs.stdout).map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));
    const password = new URL(db).password;
    for (const output of [deploy, list, logs])
      expect(output.stdout + output.stderr).not.toContain(`:${password}@`);
  });
});
