import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reader } from '../harness/chains.ts';
import {
  appThroughProxy,
  counterParams,
  type FaultyChain,
  startFaultyChain,
} from '../harness/faulty-chain.ts';

describe('reorgs', () => {
  let faulty: FaultyChain;
  beforeAll(async () => {
    faulty = await startFaultyChain({ blockTimeSec: 0.5, confirmations: 3 });
  });
  afterAll(async () => {
    await faulty?.stop();
  });

  it('goes back to waiting when the receipt block is reorged away, rebroadcasts, and confirms on the new chain', async () => {
    const { app, address } = await appThroughProxy(faulty);
    let reorgs = 0;
    app.subscribe((entry) => {
      // Reorg the receipt's block away the first time it is seen (anvil drops its txs).
      if (entry.type === 'tx_mined' && reorgs++ === 0) void faulty.proxy.reorg(1);
    });
    const deployment = await app.deploy(await counterParams());

    expect(deployment.status).toBe('complete');
    const events = await app.events(deployment.id);
    const types = events.map((e) => e.type);
    expect(types).toContain('receipt_reorged');
    expect(types.filter((t) => t === 'tx_mined').length).toBeGreaterThanOrEqual(2);
    // Confirmed only on the block that is canonical now, never on the lost one.
    const lastMined = events.filter((e) => e.type === 'tx_mined').at(-1);
    const reorged = events.find((e) => e.type === 'receipt_reorged');
    if (lastMined?.type !== 'tx_mined' || reorged?.type !== 'receipt_reorged')
      throw new Error('missing events');
    const confirmedAt = types.indexOf('confirmations_reached');
    expect(confirmedAt).toBeGreaterThan(types.lastIndexOf('tx_mined'));
    expect(types.indexOf('confirmations_reached')).toBeGreaterThan(
      types.indexOf('receipt_reorged'),
    );
    const client = reader(faulty.chain);
    const block = await client.getBlock({ blockNumber: BigInt(lastMined.receipt.blockNumber) });
    expect(block.hash).toBe(lastMined.receipt.blockHash);
    expect(lastMined.receipt.blockHash).not.toBe(reorged.blockHash);
    // Still one deployment transaction: the same raw bytes were sent again.
    expect(deployment.txHashes).toHaveLength(1);
    expect(await client.getTransactionCount({ address })).toBe(1);
    expect(await client.getCode({ address: deployment.contractAddress as `0x${string}` })).toMatch(
      /^0x60/,
    );
    await app.close();
  });
});
