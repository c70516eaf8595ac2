import { createPublicClient, type Hex, http, keccak256, parseGwei } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { type AnvilInstance, mine, rpcCall, startAnvil } from '../../../src/devchain/index.ts';
import { type ChaosProxy, type ProfileSpec, startChaosProxy } from './index.ts';
import { rpc, signer } from './util.ts';

const CHAIN_ID = 31337;
const stops: (() => Promise<void>)[] = [];

async function setup(
  profile: ProfileSpec | 'none' | 'hostile' = 'none',
  anvilOptions: { noMining?: boolean; blockTimeSec?: number } = { noMining: true },
): Promise<{ anvil: AnvilInstance; proxy: ChaosProxy }> {
  const anvil = await startAnvil({ chainId: CHAIN_ID, ...anvilOptions });
  const proxy = await startChaosProxy({ target: anvil.rpcUrl, profile, seed: 5 });
  stops.push(
    () => anvil.stop(),
    () => proxy.stop(),
  );
  return { anvil, proxy };
}

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function waitReceipt(url: string, hash: Hex) {
  for (;;) {
    const { result } = await rpc<{ blockHash: Hex; blockNumber: Hex }>(
      url,
      'eth_getTransactionReceipt',
      [hash],
    );
    if (result) return result;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const direct = <T>(anvil: AnvilInstance, method: string, params: unknown[] = []) =>
  rpcCall<T>(anvil.rpcUrl, method, params);

describe('chaos proxy: transactions', () => {
  it('holdTransactions answers the hash, keeps the tx pending forever, releaseHeld sends it', async () => {
    const { anvil, proxy } = await setup();
    const { account, sign } = await signer(anvil.rpcUrl, CHAIN_ID);
    const floor = parseGwei('2');
    proxy.holdTransactions((tx) => tx.price < floor);
    const low = await sign(0, '1');
    const { result: hash } = await rpc<Hex>(proxy.url, 'eth_sendRawTransaction', [low]);
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await direct(anvil, 'eth_getTransactionByHash', [hash])).toBeNull();

    const client = createPublicClient({ transport: http(proxy.url, { retryCount: 0 }) });
    const pending = await client.getTransaction({ hash: hash as Hex });
    expect(pending).toMatchObject({ blockHash: null, from: account.address, nonce: 0 });
    expect(pending.gasPrice).toBe(parseGwei('1'));
    expect(
      await client.getTransactionCount({ address: account.address, blockTag: 'pending' }),
    ).toBe(1);
    expect(proxy.held().map((t) => t.hash)).toEqual([hash]);
    expect(proxy.stats().held).toBe(1);

    // A same-nonce replacement above the floor is forwarded and evicts the held one.
    const { result: bumped } = await rpc<Hex>(proxy.url, 'eth_sendRawTransaction', [
      await sign(0, '3'),
    ]);
    expect(await direct(anvil, 'eth_getTransactionByHash', [bumped])).not.toBeNull();
    expect(proxy.held()).toEqual([]);
    expect((await rpc(proxy.url, 'eth_getTransactionByHash', [hash])).result).toBeNull();

    // releaseHeld forwards what is still held.
    const next = await sign(1, '1');
    await rpc(proxy.url, 'eth_sendRawTransaction', [next]);
    const released = await proxy.releaseHeld();
    expect(released).toHaveLength(1);
    expect(await direct(anvil, 'eth_getTransactionByHash', [released[0]])).not.toBeNull();
  });

  it('dropAfterAccept: the client gets the hash, then the tx is gone', async () => {
    const { anvil, proxy } = await setup();
    const { sign } = await signer(anvil.rpcUrl, CHAIN_ID);
    proxy.dropAfterAccept();
    const { result: hash } = await rpc<Hex>(proxy.url, 'eth_sendRawTransaction', [await sign(0)]);
    expect(hash).toMatch(/^0x/);
    expect((await rpc(proxy.url, 'eth_getTransactionByHash', [hash])).result).toBeNull();
    expect(await direct(anvil, 'txpool_content')).toEqual({ pending: {}, queued: {} });
    // The same raw bytes can be rebroadcast, and the next send is not dropped.
    const { result: again } = await rpc<Hex>(proxy.url, 'eth_sendRawTransaction', [await sign(0)]);
    expect(again).toBe(hash);
    expect((await rpc(proxy.url, 'eth_getTransactionByHash', [hash])).result).not.toBeNull();
    expect(proxy.stats()).toMatchObject({ drop: 1, 'faults.eth_sendRawTransaction': 1 });
  });

  it('rejectSend answers a node error without forwarding', async () => {
    const { anvil, proxy } = await setup();
    const { sign } = await signer(anvil.rpcUrl, CHAIN_ID);
    const message = 'gas price too low: 1000 wei, use at least tx.gasPrice = 2000 wei';
    proxy.rejectSend(message);
    const raw = await sign(0);
    expect((await rpc(proxy.url, 'eth_sendRawTransaction', [raw])).error).toEqual({
      code: -32000,
      message,
    });
    expect(await direct(anvil, 'txpool_content')).toEqual({ pending: {}, queued: {} });
    expect((await rpc(proxy.url, 'eth_sendRawTransaction', [raw])).result).toMatch(/^0x/);
  });

  it('drop(hash) evicts one tx; the later nonces wait as queued until it is rebroadcast', async () => {
    const { anvil, proxy } = await setup();
    const { sign } = await signer(anvil.rpcUrl, CHAIN_ID);
    const raws = [await sign(0), await sign(1), await sign(2)];
    const hashes: Hex[] = [];
    for (const raw of raws)
      hashes.push((await rpc<Hex>(proxy.url, 'eth_sendRawTransaction', [raw])).result as Hex);
    expect(await proxy.drop(hashes[0] as Hex)).toBe(true);
    expect(await direct(anvil, 'txpool_status')).toEqual({ pending: '0x0', queued: '0x2' });
    expect(await direct(anvil, 'eth_getTransactionByHash', [hashes[0]])).toBeNull();
    await rpc(proxy.url, 'eth_sendRawTransaction', [raws[0]]); // the client rebroadcasts
    await mine(anvil.rpcUrl);
    for (const hash of hashes)
      expect(await direct(anvil, 'eth_getTransactionReceipt', [hash])).toMatchObject({
        status: '0x1',
      });
    expect(await proxy.drop(hashes[1] as Hex)).toBe(false); // mined: left alone
    expect(proxy.stats()).toMatchObject({ drop: 1, dropMissed: 1 });
  });

  it('hostile drops ≥ 10% of 50 sendRawTransaction', async () => {
    const { anvil, proxy } = await setup('hostile');
    const { sign } = await signer(anvil.rpcUrl, CHAIN_ID);
    // A client that rebroadcasts the same nonce until the node has the tx.
    let nonce = 0;
    for (let sends = 0; sends < 50; sends++) {
      const raw = await sign(nonce);
      await rpc(proxy.url, 'eth_sendRawTransaction', [raw], 300).catch(() => null);
      if (await direct(anvil, 'eth_getTransactionByHash', [keccak256(raw)])) nonce++;
    }
    const stats = proxy.stats();
    console.log('hostile, 50 sendRawTransaction:', stats);
    expect(stats['requests.eth_sendRawTransaction']).toBe(50);
    expect(stats.drop).toBeGreaterThanOrEqual(5);
    expect(stats.dropCollateral).toBeUndefined();
  });
});

describe('chaos proxy: reorgs', () => {
  it('reorg(depth) replaces the latest block; its transactions are dropped', async () => {
    const { anvil, proxy } = await setup('none', {});
    const { account, sign } = await signer(anvil.rpcUrl, CHAIN_ID);
    const { result: hash } = await rpc<Hex>(proxy.url, 'eth_sendRawTransaction', [await sign(0)]);
    const receipt = await waitReceipt(proxy.url, hash as Hex);
    const result = await proxy.reorg(1);
    expect(result?.replaced).toEqual([
      {
        number: Number(receipt.blockNumber),
        oldHash: receipt.blockHash,
        newHash: expect.any(String),
      },
    ]);
    const block = await direct<{ hash: Hex }>(anvil, 'eth_getBlockByNumber', [
      receipt.blockNumber,
      false,
    ]);
    expect(block.hash).not.toBe(receipt.blockHash);
    // anvil 1.7: the reorged-out tx is not back in the mempool, it is gone.
    expect(await direct(anvil, 'eth_getTransactionReceipt', [hash])).toBeNull();
    expect(await direct(anvil, 'eth_getTransactionByHash', [hash])).toBeNull();
    expect(await direct(anvil, 'eth_getTransactionCount', [account.address, 'pending'])).toBe(
      '0x0',
    );
    expect(proxy.stats().reorg).toBe(1);
  });

  it('the profile reorgs every ~N blocks while anvil mines with a block time', async () => {
    const { anvil, proxy } = await setup(
      { reorg: { everyBlocks: 2, pollMs: 30 } },
      { blockTimeSec: 0.1 },
    );
    const deadline = Date.now() + 5_000;
    while ((proxy.stats().reorg ?? 0) < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(proxy.stats().reorg ?? 0).toBeGreaterThanOrEqual(2);
    expect(proxy.stats().reorgError).toBeUndefined();
    expect(Number(await direct<Hex>(anvil, 'eth_blockNumber'))).toBeGreaterThan(2);
  });
});
