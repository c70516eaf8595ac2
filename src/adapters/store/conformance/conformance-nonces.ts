import { expect, it } from 'vitest';
import type { DeploymentEvent } from '../../../core/events.ts';
import { ev } from '../../../core/fixtures.ts';
import type { DeploymentState } from '../../../core/state.ts';
import { type NonceClaim, NonceTakenError, type Store } from '../../../ports/store.ts';
import { abandonNonce, fold, seed, signedWith, signer } from './journals.ts';
import type { ConformanceContext } from './store-conformance.ts';

const claim = (nonce: number, chainId = 1088, address = signer): NonceClaim => ({
  chainId,
  address,
  nonce,
});

/** Appends `events` to `state` (with an optional claim) and returns the new projection. */
async function step(
  store: Store,
  state: DeploymentState,
  events: DeploymentEvent[],
  nonceClaim?: NonceClaim,
): Promise<DeploymentState> {
  const next = fold(state, events);
  await store.append(state.id, state.seq, events, next, nonceClaim ? { nonceClaim } : {});
  return next;
}

export function nonceCases(ctx: ConformanceContext) {
  it('claims a nonce with its event, refuses it to another deployment, writing nothing', async () => {
    const store = ctx.store();
    const a = await step(store, await seed(store, 'a', 'submitting'), [signedWith(0)], claim(0));
    expect(await store.claimedNonces(1088, signer)).toEqual([0]);
    expect(a.txs).toHaveLength(1);

    const b = await seed(store, 'b', 'submitting');
    await expect(step(store, b, [signedWith(0, 'b')], claim(0))).rejects.toBeInstanceOf(
      NonceTakenError,
    );
    // Nothing of the failed append remains: journal, projection and claims as before.
    expect(await store.events('b')).toHaveLength(b.seq);
    expect(await store.get('b')).toEqual(b);
    expect(await store.claimedNonces(1088, signer)).toEqual([0]);

    await step(store, b, [signedWith(2, 'b')], claim(2));
    expect(await store.claimedNonces(1088, signer)).toEqual([0, 2]);
    // Per chain and per address; addresses compare without case.
    expect(await store.claimedNonces(59902, signer)).toEqual([]);
    expect(await store.claimedNonces(1088, `0x${'c'.repeat(40)}`)).toEqual([]);
    expect(await store.claimedNonces(1088, `0x${'B'.repeat(40)}`)).toEqual([0, 2]);
    const c = await seed(store, 'c', 'submitting');
    await expect(
      step(store, c, [signedWith(2, 'c')], claim(2, 1088, `0x${'B'.repeat(40)}`)),
    ).rejects.toBeInstanceOf(NonceTakenError);
    // The same nonce on another chain is another nonce.
    await step(store, c, [signedWith(0, 'c')], claim(0, 59902));
    expect(await store.claimedNonces(59902, signer)).toEqual([0]);
  });

  it('keeps a claim while the deployment runs and releases it when it ends', async () => {
    const store = ctx.store();
    let a = await step(store, await seed(store, 'a', 'submitting'), [signedWith(3)], claim(3));
    a = await step(store, a, [{ ...ev.broadcast, hash: a.txs[0]?.hash ?? ev.broadcast.hash }]);
    expect(a.status).toBe('submitted');
    expect(await store.claimedNonces(1088, signer)).toEqual([3]);
    await step(store, a, [ev.failed]);
    expect(await store.claimedNonces(1088, signer)).toEqual([]);
    // Released: another deployment may take it now.
    await step(store, await seed(store, 'b', 'submitting'), [signedWith(3, 'b')], claim(3));
    expect(await store.claimedNonces(1088, signer)).toEqual([3]);
  });

  it('releases the claim of a deployment that gives its nonce up', async () => {
    const store = ctx.store();
    let a = await step(store, await seed(store, 'a', 'submitting'), [signedWith(4)], claim(4));
    a = await step(store, a, [{ ...ev.broadcast, hash: a.txs[0]?.hash ?? ev.broadcast.hash }]);
    a = await step(store, a, abandonNonce(a));
    expect(a).toMatchObject({ status: 'retrying', txs: [] });
    expect(await store.claimedNonces(1088, signer)).toEqual([]);
  });

  it('gives a nonce raced for by 10 deployments on 4 store instances to exactly one', async () => {
    const stores = await ctx.stores(4);
    const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
    const before = await Promise.all(ids.map((id) => seed(ctx.store(), id, 'submitting')));
    const outcomes = await Promise.allSettled(
      before.map((state, i) =>
        step(stores[i % stores.length] as Store, state, [signedWith(7, state.id)], claim(7)),
      ),
    );
    const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [ids[i]] : []));
    expect(won).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(NonceTakenError);
    }
    expect(await ctx.store().claimedNonces(1088, signer)).toEqual([7]);
    for (const state of before) {
      const stored = await ctx.store().get(state.id);
      expect(stored?.txs).toHaveLength(state.id === won[0] ? 1 : 0);
      expect(await ctx.store().events(state.id)).toHaveLength(
        state.seq + (state.id === won[0] ? 1 : 0),
      );
    }
  });

  it('gives distinct racing nonces to every deployment', async () => {
    const stores = await ctx.stores(4);
    const ids = Array.from({ length: 12 }, (_, i) => `d${i}`);
    const before = await Promise.all(ids.map((id) => seed(ctx.store(), id, 'submitting')));
    await Promise.all(
      before.map((state, i) =>
        step(stores[i % stores.length] as Store, state, [signedWith(i, state.id)], claim(i)),
      ),
    );
    expect(await ctx.store().claimedNonces(1088, signer)).toEqual(ids.map((_, i) => i));
  });
}
