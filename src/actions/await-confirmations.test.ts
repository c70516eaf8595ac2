import { describe, expect, it } from 'vitest';
import { hash, stateIn } from '../core/fixtures.ts';
import { awaitConfirmations } from './await-confirmations.ts';
import { context, withConfirmations } from './test-context.ts';

const otherBlockHash = `0x${'c'.repeat(64)}` as const;

describe('awaitConfirmations', () => {
  it('with one confirmation, checks only that the receipt block is still canonical', async () => {
    const read: string[] = [];
    const client = {
      getBlockNumber: async () => {
        read.push('head');
        return 9n;
      },
      getBlockHash: async () => {
        read.push('hash');
        return hash; // the fixture receipt's block hash
      },
    };
    const { events } = await awaitConfirmations(context(stateIn('confirming'), client));
    expect(read).toEqual(['hash']);
    expect(events).toEqual([expect.objectContaining({ type: 'confirmations_reached' })]);
  });

  it('with more confirmations, waits for the head and notices a reorg', async () => {
    const state = withConfirmations(stateIn('confirming'), 3);
    const heads = [5n, 6n, 7n];
    const client = {
      getBlockNumber: async () => heads.shift() ?? 7n,
      getBlockHash: async () => hash,
    };
    const { events } = await awaitConfirmations(context(state, client));
    expect(events).toEqual([
      expect.objectContaining({ type: 'confirmations_reached', confirmations: 3 }),
    ]);
    const reorged = await awaitConfirmations(
      context(state, { getBlockNumber: async () => 9n, getBlockHash: async () => otherBlockHash }),
    );
    expect(reorged.events).toEqual([expect.objectContaining({ type: 'receipt_reorged' })]);
  });
});
