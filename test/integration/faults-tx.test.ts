import { createWalletClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reader } from '../harness/chains.ts';
import {
  appThroughProxy,
  counterParams,
  type FaultyChain,
  startFaultyChain,
} from '../harness/faulty-chain.ts';

describe('stuck, dropped and foreign transactions', () => {
  let faulty: FaultyChain;
  beforeEach(async () => {
    faulty = await startFaultyChain({ blockTimeSec: 0.2 });
  });
  afterEach(async () => {
    await faulty?.stop();
  });

  it('replaces a stuck transaction with higher fees and the same nonce; the replacement is mined', async () => {
    const { app, address } = await appThroughProxy(faulty, { bumpAfterMs: 400 });
    const floor = ((await reader(faulty.chain).getGasPrice()) * 11n) / 10n;
    // A node that keeps anything under the floor pending forever.
    faulty.proxy.holdTransactions((tx) => (tx.gasPrice ?? tx.maxFeePerGas ?? 0n) < floor);
    const deployment = await app.deploy(await counterParams());
    faulty.proxy.holdTransactions(null);

    expect(deployment.status).toBe('complete');
    expect(deployment.txHashes.length).toBeGreaterThanOrEqual(2);
    const client = reader(faulty.chain);
    const mined = await client.getTransaction({ hash: deployment.txHash as `0x${string}` });
    expect(mined.nonce).toBe(0);
    expect(mined.gasPrice).toBeGreaterThanOrEqual(floor);
    expect(deployment.txHashes).toContain(mined.hash);
    expect(await client.getTransactionCount({ address })).toBe(1);
    const signed = (await app.events(deployment.id)).filter((e) => e.type === 'tx_signed');
    const prices = signed.map((e) =>
      e.type === 'tx_signed' && e.tx.fees.type === 'legacy' ? BigInt(e.tx.fees.gasPrice) : 0n,
    );
    for (let i = 1; i < prices.length; i++) {
      expect(prices[i]).toBeGreaterThanOrEqual(((prices[i - 1] as bigint) * 1125n + 999n) / 1000n);
    }
    await app.close();
  });

  it('rebroadcasts the same raw transaction when the node drops it', async () => {
    const { app, address } = await appThroughProxy(faulty);
    faulty.proxy.dropAfterAccept(1);
    const deployment = await app.deploy(await counterParams());

    expect(deployment.status).toBe('complete');
    expect(deployment.txHashes).toHaveLength(1);
    const events = await app.events(deployment.id);
    const rebroadcast = events.find((e) => e.type === 'tx_rebroadcast');
    expect(rebroadcast).toMatchObject({ hash: deployment.txHash });
    expect(await reader(faulty.chain).getTransactionCount({ address })).toBe(1);
    await app.close();
  });

  it('fails the attempt with NONCE_CONFLICT when a foreign transaction takes the nonce, then deploys with a fresh one', async () => {
    const { app, address, privateKey } = await appThroughProxy(faulty);
    // Our transaction stays in the proxy; another sender with the same key takes nonce 0.
    faulty.proxy.holdTransactions(() => true);
    const wallet = createWalletClient({
      account: privateKeyToAccount(privateKey),
      transport: http(faulty.chain.anvil.rpcUrl),
    });
    let foreign: Promise<`0x${string}`> | undefined;
    app.subscribe((entry) => {
      if (entry.type === 'tx_broadcast' && !foreign) {
        foreign = wallet.sendTransaction({ to: address, value: 1n, nonce: 0, chain: null });
        void foreign.then(() => faulty.proxy.holdTransactions(null));
      }
    });
    const deployment = await app.deploy(await counterParams());

    expect(deployment.status).toBe('complete');
    expect(deployment.nonce).toBe(1);
    const events = await app.events(deployment.id);
    const conflict = events.find((e) => e.type === 'retry_scheduled');
    expect(conflict).toMatchObject({ error: { code: 'NONCE_CONFLICT' } });
    expect(events.map((e) => e.type)).toContain('nonce_abandoned');
    const client = reader(faulty.chain);
    expect(await client.getTransactionCount({ address })).toBe(2);
    const foreignTx = await client.getTransaction({
      hash: await (foreign as Promise<`0x${string}`>),
    });
    expect(foreignTx.nonce).toBe(0);
    expect((await client.getTransaction({ hash: deployment.txHash as `0x${string}` })).nonce).toBe(
      1,
    );
    await app.close();
  });
});
