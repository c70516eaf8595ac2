import { classify } from '../core/classify.ts';
import type { DeploymentEvent } from '../core/events.ts';
import type { Hex } from '../core/types.ts';
import type { Explorer, ExplorerAnswer, VerificationRequest } from '../ports/explorer.ts';
import type { SourceProver } from '../ports/prover.ts';
import { type ActionContext, type ActionResult, at } from './context.ts';

export interface VerifyDependencies {
  /** The chain's explorer client, or null when none is configured. */
  explorer: Explorer | null;
  prover: SourceProver;
  /** Give up when the explorer has not verified within this long (default 10 minutes). */
  budgetMs: number;
  /** Waits between "not yet" answers; the last repeats. */
  delaysMs: number[];
}

/**
 * One verification attempt. First the local proof (recompile, compare with the code on chain);
 * a mismatch never reaches an explorer. Then submit, or poll a queued submission. "Not yet"
 * answers are deferred with a time, never slept on: the deployment completes meanwhile.
 * SIDE EFFECTS: RPC reads and solc (local proof); HTTP to the explorer.
 */
export async function verify(ctx: ActionContext, deps: VerifyDependencies): Promise<ActionResult> {
  const { state, chain } = ctx;
  const { spec, verification } = state;
  const skip = (reason: string): ActionResult => ({
    events: [{ type: 'verification_skipped', at: at(ctx), reason }],
  });
  if (!spec.verify) return skip('verification disabled for this deployment');
  if (!deps.explorer) return skip(`no explorer verification API is configured for ${chain.name}`);
  if (!spec.source)
    return skip(
      'no source: deploy a .sol file, an artifact with build info or metadata, or pass `source` to the API',
    );
  const address = state.receipt?.contractAddress ?? state.contractAddress;
  const txHash = state.receipt?.hash;
  if (!address || !txHash || !state.deployData)
    throw new Error('verify before the contract is mined');

  const events: DeploymentEvent[] =
    state.status === 'confirmed' ? [{ type: 'verification_started', at: at(ctx) }] : [];
  try {
    events.push(...(await attempt(ctx, deps, address, txHash)));
  } catch (error) {
    // Verification never fails a deployment: an unexpected error is one more "not yet".
    const delay =
      deps.delaysMs[Math.min(verification.attempts ?? 0, deps.delaysMs.length - 1)] ?? 10_000;
    const nextAttemptAt = new Date(ctx.clock.now().getTime() + delay).toISOString();
    events.push({
      type: 'verification_deferred',
      at: at(ctx),
      message: classify(error).message,
      reference: verification.reference ?? null,
      nextAttemptAt,
    });
  }
  return { events };
}

async function attempt(
  ctx: ActionContext,
  deps: VerifyDependencies,
  address: `0x${string}`,
  txHash: Hex,
): Promise<DeploymentEvent[]> {
  const { state, chain } = ctx;
  const { spec, verification } = state;
  if (!spec.source || !state.deployData || !deps.explorer) return [];
  const events: DeploymentEvent[] = [];
  if (!verification.localProof) {
    const proof = await deps.prover.prove({
      chain,
      address,
      creationTxHash: txHash,
      source: spec.source,
    });
    events.push({
      type: 'verification_local_proof',
      at: at(ctx),
      result: proof.result,
      ...(proof.reason ? { reason: proof.reason } : {}),
    });
    if (proof.result === 'mismatch') {
      events.push({
        type: 'verification_failed',
        at: at(ctx),
        reason: `the source does not compile to the code on chain: ${proof.reason ?? 'mismatch'}; nothing was sent to the explorer`,
      });
      return events;
    }
  }

  const startedAt = Date.parse(verification.startedAt ?? ctx.clock.now().toISOString());
  const now = ctx.clock.now().getTime();
  if (now - startedAt > deps.budgetMs) {
    const last = verification.reason ? `; last answer: ${verification.reason}` : '';
    events.push({
      type: 'verification_failed',
      at: at(ctx),
      reason: `the explorer did not verify within ${Math.round(deps.budgetMs / 1000)} s${last}`,
    });
    return events;
  }
  const request: VerificationRequest = {
    chainId: chain.chainId,
    address,
    contractName: spec.source.fullyQualifiedName,
    compilerVersion: spec.source.compilerVersion,
    standardJsonInput: spec.source.standardJsonInput,
    constructorArgs: `0x${state.deployData.slice(spec.bytecode.length)}` as Hex,
  };
  const answer = verification.reference
    ? await deps.explorer.check(verification.reference, request)
    : await deps.explorer.submit(request);
  events.push(...answerEvents(ctx, deps, answer, address));
  return events;
}

function answerEvents(
  ctx: ActionContext,
  deps: VerifyDependencies,
  answer: ExplorerAnswer,
  address: `0x${string}`,
): DeploymentEvent[] {
  const attempt = ctx.state.verification.attempts ?? 0;
  const delay =
    answer.kind === 'retry_later' && answer.retryAfterMs !== undefined
      ? answer.retryAfterMs
      : (deps.delaysMs[Math.min(attempt, deps.delaysMs.length - 1)] ?? 10_000);
  const nextAttemptAt = new Date(ctx.clock.now().getTime() + delay).toISOString();
  switch (answer.kind) {
    case 'verified':
      return [
        {
          type: 'verification_succeeded',
          at: at(ctx),
          explorerUrl: deps.explorer?.addressUrl(address) ?? '',
          alreadyVerified: answer.alreadyVerified,
        },
      ];
    case 'pending':
      return [
        {
          type: 'verification_deferred',
          at: at(ctx),
          message: answer.message,
          reference: answer.reference,
          nextAttemptAt,
        },
      ];
    case 'retry_later':
      return [
        {
          type: 'verification_deferred',
          at: at(ctx),
          message: answer.message,
          reference: null,
          nextAttemptAt,
        },
      ];
    case 'failed':
      return [
        {
          type: 'verification_failed',
          at: at(ctx),
          reason: `the explorer refused it: ${answer.message}`,
        },
      ];
  }
}
