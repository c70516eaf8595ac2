import { formatUnits } from 'viem';
import { classify } from '../core/classify.ts';
import { HyperdeployError } from '../core/errors.ts';
import { maxPricePerGas } from '../core/fee-bump.ts';
import type { Fees } from '../core/types.ts';
import { type ActionContext, type ActionResult, at } from './context.ts';
import { describeRevert } from './decode-revert.ts';

/**
 * Simulates the constructor, estimates gas (× buffer) with the fees it will be sent with,
 * and checks the deployer can pay. Nothing is signed or sent. The reads are independent and
 * go out together (one round trip, batched by the transport); only a legacy chain's estimate
 * waits for the gas price it is made at. They are judged in the order of the checks: a
 * reverting or oversized constructor is reported as such whatever the other reads answered.
 * SIDE EFFECTS: RPC reads (eth_call, eth_estimateGas, eth_gasPrice/fees, eth_getBalance).
 */
export async function estimateGas(ctx: ActionContext): Promise<ActionResult> {
  const { state, client } = ctx;
  const { spec } = state;
  const data = state.deployData;
  if (!data) throw new Error('estimate_gas before bytecode_checked');
  const from = spec.signer;

  const simulation = settle(client.simulateDeploy({ from, data }));
  const fees = settle(client.getFees());
  const balance = settle(client.getBalance(from));
  const estimate = (gasPrice?: bigint) =>
    client
      .estimateDeployGas({ from, data, ...(gasPrice === undefined ? {} : { gasPrice }) })
      .catch((error: unknown) => {
        if (classify(error).code !== 'INSUFFICIENT_FUNDS') throw error;
        // Price-less estimate, only to tell the person how much is missing.
        return client.estimateDeployGas({ from, data });
      });
  // Metis folds the L1 data fee into the estimate at the given price: estimate with it. Legacy
  // fees are expected on legacy chains; an EIP-1559 chain whose node has no base fee gets them
  // too, and is estimated again at its price.
  const estimated = settle(
    ctx.chain.txType === 'legacy'
      ? fees.then(unwrap).then((known) => estimate(legacyPrice(known)))
      : estimate().then(async (gas) => {
          const known = await fees;
          const price = known.ok ? legacyPrice(known.value) : undefined;
          return price === undefined ? gas : estimate(price);
        }),
  );

  const simulated = await simulation;
  if (!simulated.ok) {
    const error = simulated.error;
    throw classify(error).code === 'CODE_SIZE_EXCEEDED' ? codeTooLarge(ctx, error) : error;
  }
  if (!simulated.value.ok)
    throw revertedError(spec.contractName, spec.abi, simulated.value.revertData, 'estimating_gas');
  const currentFees = unwrap(await fees);
  const maxPrice = maxPricePerGas(currentFees);
  const gas = unwrap(await estimated);
  const gasLimit = ceilMul(gas, spec.gasBuffer);
  const have = unwrap(await balance);
  const needed = gasLimit * maxPrice;
  if (have < needed) throw insufficientFunds(ctx, have, needed, gasLimit, maxPrice);

  return {
    events: [
      {
        type: 'gas_estimated',
        at: at(ctx),
        gasLimit: gasLimit.toString(),
        estimatedGas: gas.toString(),
        fees: currentFees,
      },
    ],
  };
}

const legacyPrice = (fees: Fees): bigint | undefined =>
  fees.type === 'legacy' ? maxPricePerGas(fees) : undefined;

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A read's outcome, kept for later: no rejection goes unhandled while another is awaited. */
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

const unwrap = <T>(settled: Settled<T>): T => {
  if (!settled.ok) throw settled.error;
  return settled.value;
};

/** gas × buffer, rounded up, in integer arithmetic (buffer kept to 1/1000). */
const ceilMul = (gas: bigint, buffer: number): bigint => {
  const permille = BigInt(Math.round(buffer * 1000));
  return (gas * permille + 999n) / 1000n;
};

export function revertedError(
  contractName: string,
  abi: readonly unknown[],
  revertData: `0x${string}` | null,
  step: 'estimating_gas' | 'submitted',
): HyperdeployError {
  const reason = describeRevert(abi, revertData);
  const where = step === 'estimating_gas' ? 'in simulation; nothing was sent' : 'on chain';
  return new HyperdeployError('TX_REVERTED', `${contractName} constructor ${reason} (${where}).`, {
    step,
    details: { revertData, reason },
  });
}

function insufficientFunds(
  ctx: ActionContext,
  balance: bigint,
  needed: bigint,
  gasLimit: bigint,
  pricePerGas: bigint,
): HyperdeployError {
  const { symbol, decimals } = ctx.chain.currency;
  const have = formatUnits(balance, decimals);
  const need = formatUnits(needed, decimals);
  const gas = gasLimit.toLocaleString('en-US');
  const gwei = formatUnits(pricePerGas, 9);
  const who = ctx.state.spec.signer;
  return new HyperdeployError(
    'INSUFFICIENT_FUNDS',
    `${who} has ${have} ${symbol} on chain ${ctx.chain.chainId}; this deployment needs about ${need} ${symbol} (gas ${gas} × ${gwei} gwei).`,
    {
      step: 'estimating_gas',
      hint: `Send at least ${formatUnits(needed - balance, decimals)} ${symbol} to ${who} on ${ctx.chain.displayName}, then deploy again.`,
      details: {
        balance: balance.toString(),
        needed: needed.toString(),
        gasLimit: gasLimit.toString(),
        pricePerGas: pricePerGas.toString(),
      },
    },
  );
}

/** The node refused to store the runtime code: over EIP-170's 24,576 bytes. */
function codeTooLarge(ctx: ActionContext, cause: unknown): HyperdeployError {
  const { contractName } = ctx.state.spec;
  return new HyperdeployError(
    'CODE_SIZE_EXCEEDED',
    `${contractName}'s runtime code is larger than 24,576 bytes (EIP-170), which ${ctx.chain.displayName} refuses; found in simulation, nothing was sent.`,
    { step: 'estimating_gas', cause, details: { limit: 24_576 } },
  );
}
