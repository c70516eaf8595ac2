import type { StandInState } from './state.ts';

/** An HTTP answer of the stand-in. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** How the Etherscan-compatible `/api` words its envelopes. */
export type StandInFlavor = 'blockscout' | 'etherscan';

export interface ApiContext {
  state: StandInState;
  flavor: StandInFlavor;
  /** Adds the request (with its apikey) to an error text, when the stand-in echoes requests. */
  echo: (text: string) => string;
}

const json = (body: unknown, status = 200): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

const ok = (result: unknown): Reply => json({ status: '1', message: 'OK', result });

/**
 * An error, HTTP 200 as explorers do: Blockscout puts the text in `message` (and `data`, often
 * null, in `result`); Etherscan and Routescan say NOTOK and put the text in `result`.
 */
const error = (ctx: ApiContext, text: string, data: unknown = null): Reply =>
  ctx.flavor === 'blockscout'
    ? json({
        status: '0',
        message: ctx.echo(text),
        result: data === null ? null : ctx.echo(String(data)),
      })
    : json({ status: '0', message: 'NOTOK', result: ctx.echo(text) });

/** checkverifystatus: Blockscout says status 1 for every state; Etherscan only for a pass. */
const status = (ctx: ApiContext, text: string, passed: boolean): Reply =>
  ctx.flavor === 'blockscout' || passed
    ? json({ status: '1', message: 'OK', result: text })
    : json({ status: '0', message: 'NOTOK', result: text });

const notIndexed = (ctx: ApiContext, address: string): Reply =>
  ctx.flavor === 'blockscout'
    ? error(ctx, 'Address is not a smart-contract')
    : error(ctx, `Unable to locate ContractCode at ${address}`);

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The Etherscan-compatible `/api` (module=contract), as Blockscout or Etherscan answer it. */
export async function handleApi(params: Record<string, string>, ctx: ApiContext): Promise<Reply> {
  if (params.module !== 'contract') return error(ctx, 'Unknown module');
  switch (params.action) {
    case 'getsourcecode':
      return getSourceCode(params, ctx);
    case 'verifysourcecode':
      return verifySourceCode(params, ctx);
    case 'checkverifystatus':
      return checkVerifyStatus(params, ctx);
    default:
      return error(ctx, 'Unknown action');
  }
}

async function getSourceCode(params: Record<string, string>, ctx: ApiContext): Promise<Reply> {
  const address = params.address ?? '';
  if (!address) return error(ctx, 'Query parameter address is required');
  if (!ADDRESS.test(address)) return error(ctx, 'Invalid address hash');
  const contract = ctx.state.verified.get(address.toLowerCase());
  if (!contract) {
    return ok([
      {
        Address: address,
        SourceCode: '',
        ABI: 'Contract source code not verified',
        ContractName: '',
        CompilerVersion: '',
        ConstructorArguments: '',
      },
    ]);
  }
  const name = contract.contractName.slice(contract.contractName.lastIndexOf(':') + 1);
  return ok([
    {
      Address: address,
      // Etherscan wraps a standard JSON input in double braces.
      SourceCode: ctx.flavor === 'etherscan' ? `{${contract.sourceCode}}` : contract.sourceCode,
      ABI: JSON.stringify(contract.abi ?? []),
      ContractName: name,
      CompilerVersion: contract.compilerVersion,
      ConstructorArguments: contract.constructorArgs,
    },
  ]);
}

async function verifySourceCode(params: Record<string, string>, ctx: ApiContext): Promise<Reply> {
  if (params.codeformat !== 'solidity-standard-json-input') {
    return error(ctx, `Unsupported codeformat: ${params.codeformat ?? '(missing)'}`);
  }
  const address = params.contractaddress;
  if (!params.sourceCode || !address) {
    return error(ctx, 'Missing sourceCode or contractaddress fields');
  }
  if (!ADDRESS.test(address)) return error(ctx, 'Invalid address hash', 'Invalid address hash');
  if (!params.contractname) return error(ctx, 'contractname is required.');
  if (!params.compilerversion) return error(ctx, 'compilerversion is required.');
  if (ctx.state.verified.has(address.toLowerCase())) {
    return ctx.flavor === 'blockscout'
      ? error(ctx, 'Smart-contract already verified.', 'Smart-contract already verified')
      : error(ctx, 'Contract source code already verified');
  }
  const indexed = await ctx.state.isIndexed(address);
  if (ctx.state.consumeNotIndexedAttempt(address) || !indexed) return notIndexed(ctx, address);
  // Blockscout reads `constructorArguments` (missing: autodetect); Etherscan the misspelling.
  const args =
    ctx.flavor === 'blockscout'
      ? params.constructorArguments
      : (params.constructorArguements ?? '');
  const submission = ctx.state.submit(
    {
      address,
      contractName: params.contractname,
      compilerVersion: params.compilerversion,
      sourceCode: params.sourceCode,
      constructorArgs: args,
    },
    'api',
  );
  return ok(submission.id);
}

function checkVerifyStatus(params: Record<string, string>, ctx: ApiContext): Reply {
  const submission = params.guid ? ctx.state.byId(params.guid) : undefined;
  if (submission?.via !== 'api') return status(ctx, 'Unknown UID', false);
  const polled = ctx.state.poll(submission);
  if (polled === 'pending') return status(ctx, 'Pending in queue', false);
  if (!polled.outcome.ok) {
    return status(ctx, `Fail - Unable to verify. ${polled.outcome.reason}`, false);
  }
  // Etherscan tells a submission that lost the race to another one; Blockscout does not.
  if (polled.alreadyVerified && ctx.flavor === 'etherscan')
    return status(ctx, 'Already Verified', true);
  return status(ctx, 'Pass - Verified', true);
}
