import { type ActionContext, type ActionResult, at } from './context.ts';

/**
 * Verification step. Explorer clients arrive with the verification work; until then the
 * step records why it was skipped, and the deployment completes.
 * SIDE EFFECTS: none yet.
 */
export async function verify(ctx: ActionContext): Promise<ActionResult> {
  const reason = ctx.state.spec.verify
    ? `explorer verification is not available for ${ctx.chain.name} in this version`
    : 'verification disabled for this deployment';
  return { events: [{ type: 'verification_skipped', at: at(ctx), reason }] };
}
