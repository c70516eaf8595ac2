import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import { setIntervalMining } from '../../src/devchain/index.ts';
import { fundedKey, reader, startChain, type TestChain, tempDbPath } from '../harness/chains.ts';
import { counterDeployArgs, runCli } from '../harness/cli.ts';

/**
 * Kills the deploying process (SIGKILL) at two points of the transaction protocol on a chain
 * that does not mine, then lets the chain mine and resumes: each deployment must complete
 * with exactly one transaction on chain.
 */
describe('crash safety', () => {
  let chain: TestChain;
  let db: string;
  let key: { privateKey: `0x${string}`; address: `0x${string}` };
  const deployArgs = () => counterDeployArgs(chain.anvil.rpcUrl, db);
  const journal = async (id: string) => {
    const store = new SqliteStore(db);
    try {
      return await store.events(id);
    } finally {
      await store.close();
    }
  };
  const onlyDeploymentIds = async () => {
    const store = new SqliteStore(db);
    try {
      return (await store.list({})).items.map((d) => d.id).reverse();
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    chain = await startChain('metis-sepolia', { noMining: true });
    key = await fundedKey([chain]);
    db = tempDbPath();
  });
  afterAll(async () => {
    await chain?.anvil.stop();
  });

  it('resumes a deployment killed after tx_signed and one killed after the broadcast', async () => {
    const client = reader(chain);
    const env = { HYPERDEPLOY_PRIVATE_KEY: key.privateKey };

    const afterSign = await runCli(deployArgs(), {
      ...env,
      HYPERDEPLOY_TEST_CRASH_AFTER: 'tx_signed',
    });
    expect(afterSign.signal).toBe('SIGKILL');
    const [signedId] = await onlyDeploymentIds();
    const signedJournal = await journal(signedId as string);
    expect(signedJournal.at(-1)?.type).toBe('tx_signed');
    const signedTx = signedJournal.find((e) => e.type === 'tx_signed');
    if (signedTx?.type !== 'tx_signed') throw new Error('no tx_signed');
    // Write-ahead: the node never saw it.
    expect(await client.getTransaction({ hash: signedTx.tx.hash }).catch(() => null)).toBeNull();

    const afterBroadcast = await runCli(deployArgs(), {
      ...env,
      HYPERDEPLOY_TEST_CRASH_AFTER: 'tx_broadcast',
    });
    expect(afterBroadcast.signal).toBe('SIGKILL');
    const [, broadcastId] = await onlyDeploymentIds();
    const broadcastJournal = await journal(broadcastId as string);
    expect(broadcastJournal.at(-1)?.type).toBe('tx_broadcast');
    const sentTx = broadcastJournal.find((e) => e.type === 'tx_signed');
    if (sentTx?.type !== 'tx_signed') throw new Error('no tx_signed');
    expect(sentTx.tx.nonce).toBe(signedTx.tx.nonce + 1);
    expect(await client.getTransaction({ hash: sentTx.tx.hash })).toMatchObject({
      blockHash: null,
    });
    expect(await client.getTransactionCount({ address: key.address })).toBe(0);

    await setIntervalMining(chain.anvil.rpcUrl, 1);
    const resumed = await runCli(
      ['resume', '--chain', 'metis-sepolia', '--rpc', chain.anvil.rpcUrl, '--db', db, '--json'],
      env,
    );
    expect(resumed.code).toBe(0);
    const finished = JSON.parse(resumed.stdout) as Array<{
      id: string;
      status: string;
      txHashes: string[];
      contractAddress: string;
    }>;
    expect(finished.map((d) => [d.id, d.status]).sort()).toEqual(
      [
        [signedId, 'complete'],
        [broadcastId, 'complete'],
      ].sort(),
    );

    // Exactly one transaction per deployment: the recorded one, mined, with code at its address.
    expect(await client.getTransactionCount({ address: key.address })).toBe(2);
    for (const deployment of finished) {
      expect(deployment.txHashes).toHaveLength(1);
      const receipt = await client.getTransactionReceipt({
        hash: deployment.txHashes[0] as `0x${string}`,
      });
      expect(receipt.contractAddress?.toLowerCase()).toBe(deployment.contractAddress.toLowerCase());
      expect(
        await client.getCode({ address: deployment.contractAddress as `0x${string}` }),
      ).toMatch(/^0x6080/);
    }
    const head = await client.getBlockNumber();
    let fromSigner = 0;
    for (let n = 0n; n <= head; n++) {
      const block = await client.getBlock({ blockNumber: n, includeTransactions: true });
      fromSigner += block.transactions.filter(
        (tx) => tx.from.toLowerCase() === key.address.toLowerCase(),
      ).length;
    }
    expect(fromSigner).toBe(2);
    // The never-sent transaction was sent by the resume, with the same raw bytes (same hash).
    const types = (await journal(signedId as string)).map((e) => e.type);
    expect(types.slice(types.indexOf('tx_signed'))).toEqual(
      expect.arrayContaining(['tx_broadcast', 'tx_mined', 'deployment_completed']),
    );
    expect(types.filter((t) => t === 'tx_signed')).toHaveLength(1);
  });
});
