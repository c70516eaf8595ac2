import { describe, expect, it } from 'vitest';
import { address, hash, stateIn } from '../core/fixtures.ts';
import type { OnchainReceipt } from '../ports/chain-client.ts';
import { awaitReceipt } from './await-receipt.ts';
import { context, withConfirmations } from './test-context.ts';

const blockHash = `0x${'c'.repeat(64)}` as const;
const onchain: OnchainReceipt = {
  hash,
  status: 'success',
  blockNumber: 7n,
  blockHash,
  contractAddress: address,
  gasUsed: 90n,
  effectiveGasPrice: 1n,
};

describe('awaitReceipt', () => {
  it('with one confirmation required, journals the fresh receipt as that confirmation', async () => {
    const asked: Array<readonly string[]> = [];
    const client = {
      waitForReceipt: async (hashes: readonly `0x${string}`[]) => {
        asked.push(hashes);
        return onchain;
      },
    };
    const { events } = await awaitReceipt(context(stateIn('submitted'), client));
    expect(asked).toEqual([[hash]]);
    expect(events.map((e) => e.type)).toEqual(['tx_mined', 'confirmations_reached']);
    expect(events[0]).toMatchObject({ receipt: { blockNumber: '7', blockHash } });
    expect(events[1]).toMatchObject({ confirmations: 1, blockNumber: '7' });
  });

  it('with more confirmations required, journals only tx_mined', async () => {
    const client = { waitForReceipt: async () => onchain };
    const state = withConfirmations(stateIn('submitted'), 3);
    const { events } = await awaitReceipt(context(state, client));
    expect(events.map((e) => e.type)).toEqual(['tx_mined']);
  });

  it('keeps waiting while there is no receipt, checking the nonce every tenth poll', async () => {
    let polls = 0;
    const client = {
      waitForReceipt: async () => (++polls < 12 ? null : onchain),
      getTransactionCount: async () => 0,
      hasTransaction: async () => true,
    };
    const { events } = await awaitReceipt(context(stateIn('submitted'), client));
    expect(polls).toBe(12);
    expect(events[0]?.type).toBe('tx_mined');
  });

  it('fails with NONCE_CONFLICT when the nonce is used and none of our hashes has a receipt', async () => {
    const client = {
      waitForReceipt: async () => null,
      getReceipt: async () => null,
      getTransactionCount: async () => 1,
    };
    await expect(awaitReceipt(context(stateIn('submitted'), client))).rejects.toMatchObject({
      code: 'NONCE_CONFLICT',
    });
  });

  it('passes a failed receipt lookup on', async () => {
    const client = {
      waitForReceipt: async () => {
        throw new Error('lookup failed');
      },
    };
    await expect(awaitReceipt(context(stateIn('submitted'), client))).rejects.toThrow(
      'lookup failed',
    );
  });
});
