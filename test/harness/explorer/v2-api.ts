import { longCompilerVersion } from '../../../src/inputs/solc.ts';
import type { Reply } from './etherscan-api.ts';
import type { StandInState } from './state.ts';

export interface V2Context {
  state: StandInState;
  /** solc's version string of the bundled compiler. */
  compilerVersion: () => Promise<string>;
}

const message = (text: string, status = 200): Reply => json({ message: text }, status);

const json = (body: unknown, status = 200): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const CONTRACT = /^\/api\/v2\/smart-contracts\/([^/]+)$/;
const VERIFY = /^\/api\/v2\/smart-contracts\/([^/]+)\/verification\/via\/standard-input$/;

/** Which v2 route a request is, for the request log; undefined for other paths. */
export function v2Route(method: string, path: string): string | undefined {
  if (method === 'GET' && path === '/api/v2/smart-contracts/verification/config')
    return 'v2.config';
  if (method === 'GET' && CONTRACT.test(path)) return 'v2.smart-contract';
  if (method === 'POST' && VERIFY.test(path)) return 'v2.verify';
  return undefined;
}

/**
 * Blockscout's v2 REST routes for verification. Its errors are real HTTP statuses with
 * `{"message": …}` bodies, except those Blockscout answers with 200 (`Already verified`,
 * `JSON files not found`). A failed verification is not visible here (Blockscout reports it on
 * its websocket only): `is_verified` just stays false.
 */
export async function handleV2(
  method: string,
  path: string,
  form: FormData | undefined,
  ctx: V2Context,
): Promise<Reply> {
  const route = v2Route(method, path);
  if (route === 'v2.config') {
    return json({
      solidity_compiler_versions: [longCompilerVersion(await ctx.compilerVersion())],
      solidity_evm_versions: ['default', 'london', 'paris', 'shanghai', 'cancun', 'prague'],
      verification_options: ['standard-input'],
    });
  }
  if (route === 'v2.smart-contract') return smartContract(CONTRACT.exec(path)?.[1] ?? '', ctx);
  if (route === 'v2.verify') return verify(VERIFY.exec(path)?.[1] ?? '', form, ctx);
  return message('Not found', 404);
}

async function smartContract(address: string, ctx: V2Context): Promise<Reply> {
  if (!ADDRESS.test(address)) return message('Invalid address hash', 422);
  const key = address.toLowerCase();
  if (!ctx.state.verified.has(key) && !(await ctx.state.isIndexed(address))) {
    return message('Not found', 404);
  }
  const submission = ctx.state.latestV2(address);
  if (submission) ctx.state.poll(submission);
  const contract = ctx.state.verified.get(key);
  if (!contract) return json({ is_verified: false, is_fully_verified: false });
  return json({
    is_verified: true,
    is_fully_verified: contract.match !== 'partial',
    is_partially_verified: contract.match === 'partial',
    name: contract.contractName.slice(contract.contractName.lastIndexOf(':') + 1),
    compiler_version: contract.compilerVersion,
    constructor_args: contract.constructorArgs,
    abi: contract.abi,
  });
}

async function verify(address: string, form: FormData | undefined, ctx: V2Context): Promise<Reply> {
  if (!ADDRESS.test(address)) return message('Invalid address hash', 422);
  const compilerVersion = form?.get('compiler_version');
  if (typeof compilerVersion !== 'string' || !compilerVersion) {
    return message('Invalid parameter(s)', 422);
  }
  if (ctx.state.verified.has(address.toLowerCase())) return message('Already verified');
  const indexed = await ctx.state.isIndexed(address);
  if (ctx.state.consumeNotIndexedAttempt(address) || !indexed) {
    return message('Address is not a smart-contract', 404);
  }
  const file = [...(form?.entries() ?? [])].find(
    ([name, value]) => name.startsWith('files') && typeof value !== 'string',
  )?.[1];
  if (!file || typeof file === 'string') return message('JSON files not found');
  const sourceCode = await file.text();
  const contractName = form?.get('contract_name');
  const autodetect = form?.get('autodetect_constructor_args') !== 'false';
  const args = form?.get('constructor_args');
  ctx.state.submit(
    {
      address,
      contractName: typeof contractName === 'string' ? contractName : '',
      compilerVersion,
      sourceCode,
      constructorArgs: autodetect || typeof args !== 'string' ? undefined : args,
    },
    'v2',
  );
  return message('Smart-contract verification started');
}
