import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChain, type TestChain } from '../../../test/harness/chains.ts';
import {
  constructorArgs,
  deployToken,
  pollUntilSettled,
  withEditedSource,
} from '../../../test/harness/explorer/fixtures.ts';
import {
  type ExplorerStandIn,
  startExplorerStandIn,
} from '../../../test/harness/explorer/standin.ts';
import { EtherscanExplorer } from './etherscan.ts';

const API_KEY = 'SECRETKEY1234567890';

describe('EtherscanExplorer against the Blockscout-like stand-in', () => {
  let chain: TestChain;
  let standIn: ExplorerStandIn;
  let explorer: EtherscanExplorer;

  beforeAll(async () => {
    chain = await startChain('metis-sepolia');
    standIn = await startExplorerStandIn({ rpcUrl: chain.anvil.rpcUrl, pendingPolls: 2 });
    explorer = new EtherscanExplorer({
      apiUrl: standIn.apiUrl,
      browserUrl: standIn.baseUrl,
      apiKey: API_KEY,
      timeoutMs: 2_000,
    });
  });
  afterAll(async () => {
    await standIn?.stop();
    await chain?.anvil.stop();
  });

  it('answers retry_later until the explorer has indexed the code, then pending, then verified', async () => {
    const { request } = await deployToken(chain);
    standIn.setIndexingDelay(60_000);
    const early = await explorer.submit(request);
    expect(early).toEqual({ kind: 'retry_later', message: 'Address is not a smart-contract' });

    standIn.setIndexingDelay(0);
    const submitted = await explorer.submit(request);
    expect(submitted.kind).toBe('pending');
    const { answer, kinds } = await pollUntilSettled(explorer, submitted, request);
    expect(answer).toEqual({
      kind: 'verified',
      alreadyVerified: false,
      message: 'Pass - Verified',
    });
    // "Pending in queue" twice at least (pendingPolls: 2), then the pass.
    expect(kinds.filter((kind) => kind === 'pending').length).toBeGreaterThanOrEqual(3);
    expect(standIn.verified().get(request.address.toLowerCase())).toMatchObject({
      contractName: 'contracts/Token.sol:Token',
      match: 'exact',
      creationChecked: true,
      constructorArgs: request.constructorArgs.slice(2),
    });

    // Resubmitting finds it through getsourcecode and sends nothing more.
    const before = standIn.requests().length;
    const again = await explorer.submit(request);
    expect(again).toEqual({
      kind: 'verified',
      alreadyVerified: true,
      message: 'Contract source code already verified (Token)',
    });
    expect(
      standIn
        .requests()
        .slice(before)
        .map((r) => r.route),
    ).toEqual(['getsourcecode']);
  });

  it('sends the standard JSON input with both spellings of the constructor arguments and the key', async () => {
    const { request } = await deployToken(chain, ['Spelled', 'SPL', 7n]);
    const before = standIn.requests().length;
    const submitted = await explorer.submit(request);
    expect(submitted.kind).toBe('pending');
    const [lookup, post] = standIn.requests().slice(before);
    expect(lookup).toMatchObject({ method: 'GET', route: 'getsourcecode' });
    expect(lookup?.params).toMatchObject({
      module: 'contract',
      address: request.address,
      apikey: API_KEY,
    });
    expect(post).toMatchObject({ method: 'POST', route: 'verifysourcecode' });
    expect(post?.params).toMatchObject({
      codeformat: 'solidity-standard-json-input',
      contractaddress: request.address,
      contractname: 'contracts/Token.sol:Token',
      compilerversion: request.compilerVersion,
      constructorArguments: request.constructorArgs.slice(2),
      constructorArguements: request.constructorArgs.slice(2),
      apikey: API_KEY,
    });
    expect(JSON.parse(post?.params.sourceCode ?? '')).toEqual(request.standardJsonInput);
    expect((await pollUntilSettled(explorer, submitted, request)).answer.kind).toBe('verified');
  });

  it('fails with the explorer text when the constructor arguments are not the deployed ones', async () => {
    const { request, artifact } = await deployToken(chain, ['Right', 'RGT', 1n]);
    const wrong = { ...request, constructorArgs: constructorArgs(artifact, ['Wrong', 'WRG', 2n]) };
    const submitted = await explorer.submit(wrong);
    expect(submitted.kind).toBe('pending');
    const { answer } = await pollUntilSettled(explorer, submitted, wrong);
    expect(answer).toEqual({
      kind: 'failed',
      message:
        'Fail - Unable to verify. Constructor arguments do not match the creation transaction',
    });
    expect(standIn.verified().has(request.address.toLowerCase())).toBe(false);
  });

  it('fails with the explorer text for a different source', async () => {
    const { request } = await deployToken(chain, ['Other', 'OTH', 3n]);
    const other = withEditedSource(request, (source) =>
      source.replace('Token: insufficient allowance', 'Token: allowance too low'),
    );
    const { answer } = await pollUntilSettled(explorer, await explorer.submit(other), other);
    expect(answer).toEqual({
      kind: 'failed',
      message: 'Fail - Unable to verify. Bytecode does not match the deployed code',
    });
  });

  it('fails when the explorer does not have the compiler version', async () => {
    const { request } = await deployToken(chain, ['Old', 'OLD', 4n]);
    const old = { ...request, compilerVersion: 'v0.8.23+commit.f704f362' };
    const { answer } = await pollUntilSettled(explorer, await explorer.submit(old), old);
    expect(answer.kind).toBe('failed');
    expect(answer.message).toMatch(
      /^Fail - Unable to verify\. Compiler version v0\.8\.23\+commit\.f704f362 is not available/,
    );
  });

  it('answers retry_later when rate limited, with HTTP 200 (Etherscan style)', async () => {
    const { request } = await deployToken(chain, ['Limited', 'LIM', 5n]);
    standIn.setRateLimit({ perSecond: 1 });
    try {
      // getsourcecode passes, verifysourcecode is over the limit.
      const answer = await explorer.submit(request);
      expect(answer).toEqual({ kind: 'retry_later', message: 'Max rate limit reached' });
      expect(standIn.requests().at(-1)?.answer).toMatchObject({ status: 200 });
    } finally {
      standIn.setRateLimit(undefined);
    }
  });

  it('answers retry_later on HTTP 429 with Retry-After, and on 5xx', async () => {
    const { request } = await deployToken(chain, ['Busy', 'BSY', 6n]);
    standIn.failNext('http429');
    expect(await explorer.submit(request)).toEqual({
      kind: 'retry_later',
      message: 'Explorer rate limited (HTTP 429): Too Many Requests',
      retryAfterMs: 1000,
    });
    standIn.failNext('http502');
    expect(await explorer.submit(request)).toEqual({
      kind: 'retry_later',
      message: 'Explorer unavailable (HTTP 502): 502 Bad Gateway',
    });
    const submitted = await explorer.submit(request);
    standIn.failNext('http500');
    expect(
      (await explorer.check((submitted as { reference: string }).reference, request)).kind,
    ).toBe('retry_later');
  });

  it('answers retry_later when the explorer does not answer in time', async () => {
    const { request } = await deployToken(chain, ['Slow', 'SLW', 8n]);
    const impatient = new EtherscanExplorer({
      apiUrl: standIn.apiUrl,
      browserUrl: standIn.baseUrl,
      timeoutMs: 300,
    });
    standIn.failNext('timeout');
    expect(await impatient.submit(request)).toEqual({
      kind: 'retry_later',
      message: 'Explorer did not answer within 300 ms',
    });
    standIn.failNext('reset');
    const reset = await impatient.submit(request);
    expect(reset.kind).toBe('retry_later');
    expect(reset.message).toMatch(/^Explorer unreachable: fetch failed/);
  });

  it('answers retry_later when the explorer is down', async () => {
    const down = await startExplorerStandIn({ rpcUrl: chain.anvil.rpcUrl, warmCompiler: false });
    await down.stop();
    const client = new EtherscanExplorer({ apiUrl: down.apiUrl, browserUrl: down.baseUrl });
    const { request } = await deployToken(chain, ['Down', 'DWN', 10n]);
    const unreachable = {
      kind: 'retry_later',
      message: 'Explorer unreachable: fetch failed (ECONNREFUSED)',
    };
    expect(await client.submit(request)).toEqual(unreachable);
    expect(await client.check('some-guid', request)).toEqual(unreachable);
  });

  it('fails clearly when the API URL serves HTML instead of the API', async () => {
    const { request } = await deployToken(chain, ['Html', 'HTM', 9n]);
    standIn.failNext('html', 2);
    const answer = await explorer.submit(request);
    expect(answer.kind).toBe('failed');
    expect(answer.message).toMatch(/answered HTTP 200 without JSON \(Just a moment/);
    expect(answer.message).toMatch(/check that it is the API endpoint/);
  });

  it('links to the address page', () => {
    expect(explorer.addressUrl('0x5FbDB2315678afecb367f032d93F642f64180aa3')).toBe(
      `${standIn.baseUrl}/address/0x5FbDB2315678afecb367f032d93F642f64180aa3`,
    );
  });
});

describe('EtherscanExplorer never shows the API key', () => {
  let chain: TestChain;
  let standIn: ExplorerStandIn;

  beforeAll(async () => {
    chain = await startChain('metis-sepolia');
    // An explorer that repeats the request (apikey included) in its error texts.
    standIn = await startExplorerStandIn({
      rpcUrl: chain.anvil.rpcUrl,
      echoRequestInErrors: true,
      notIndexedAttempts: 1,
    });
  });
  afterAll(async () => {
    await standIn?.stop();
    await chain?.anvil.stop();
  });

  it('redacts the key from echoed answers, rate limits and network errors', async () => {
    const explorer = new EtherscanExplorer({
      apiUrl: `${standIn.apiUrl}?chainid=59902`,
      browserUrl: standIn.baseUrl,
      apiKey: API_KEY,
    });
    const { request } = await deployToken(chain);
    const notIndexed = await explorer.submit(request);
    expect(notIndexed.kind).toBe('retry_later');
    expect(notIndexed.message).toMatch(/^Address is not a smart-contract \(request \/api\?/);
    expect(notIndexed.message).toContain('apikey=[redacted]');
    // The key did reach the explorer, and the apiUrl's own query was kept.
    const post = standIn.requests().find((r) => r.route === 'verifysourcecode');
    expect(post?.params).toMatchObject({ apikey: API_KEY, chainid: '59902' });

    const messages = [notIndexed.message];
    const bad = { ...request, contractName: '' };
    messages.push((await explorer.submit(bad)).message);
    await standIn.stop();
    messages.push(
      (await explorer.submit(request)).message,
      (await explorer.check('guid', request)).message,
    );
    for (const message of messages) {
      expect(message).not.toContain(API_KEY);
      expect(message).not.toContain(encodeURIComponent(API_KEY));
    }
    expect(messages[1]).toMatch(/^contractname is required\. \(request/);
    // A pooled connection cut by the stop (UND_ERR_SOCKET), then ECONNREFUSED.
    expect(messages[2]).toMatch(
      /^Explorer unreachable: fetch failed \((?:UND_ERR_SOCKET|ECONNREFUSED)\)$/,
    );
    expect(messages[3]).toBe('Explorer unreachable: fetch failed (ECONNREFUSED)');
  });
});

describe('EtherscanExplorer against the Etherscan-like stand-in', () => {
  let chain: TestChain;
  let standIn: ExplorerStandIn;
  let explorer: EtherscanExplorer;

  beforeAll(async () => {
    chain = await startChain('metis-sepolia');
    standIn = await startExplorerStandIn({
      rpcUrl: chain.anvil.rpcUrl,
      flavor: 'etherscan',
      notIndexedAttempts: 2,
      pendingPolls: 1,
    });
    explorer = new EtherscanExplorer({ apiUrl: standIn.apiUrl, browserUrl: standIn.baseUrl });
  });
  afterAll(async () => {
    await standIn?.stop();
    await chain?.anvil.stop();
  });

  it('retries "Unable to locate ContractCode", reads NOTOK pending answers, verifies', async () => {
    const { request } = await deployToken(chain);
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await explorer.submit(request)).toEqual({
        kind: 'retry_later',
        message: `Unable to locate ContractCode at ${request.address}`,
      });
    }
    const submitted = await explorer.submit(request);
    const pending = await explorer.check((submitted as { reference: string }).reference, request);
    expect(pending).toMatchObject({ kind: 'pending', message: 'Pending in queue' });
    expect(standIn.requests().at(-1)?.answer).toMatchObject({
      body: JSON.stringify({ status: '0', message: 'NOTOK', result: 'Pending in queue' }),
    });
    const { answer } = await pollUntilSettled(explorer, pending, request);
    expect(answer).toEqual({
      kind: 'verified',
      alreadyVerified: false,
      message: 'Pass - Verified',
    });
  });

  it('a submission that lost the race to another one reads "Already Verified": success', async () => {
    const { request } = await deployToken(chain, ['Race', 'RCE', 2n]);
    const first = await explorer.submit(request);
    const second = await explorer.submit(request);
    const retried = first.kind === 'retry_later' ? await explorer.submit(request) : first;
    const other = second.kind === 'retry_later' ? await explorer.submit(request) : second;
    expect([retried.kind, other.kind]).toEqual(['pending', 'pending']);
    expect((await pollUntilSettled(explorer, retried, request)).answer.kind).toBe('verified');
    expect((await pollUntilSettled(explorer, other, request)).answer).toEqual({
      kind: 'verified',
      alreadyVerified: true,
      message: 'Already Verified',
    });
  });

  it('answers "Contract source code already verified" for a submission of a verified address', async () => {
    const { request } = await deployToken(chain, ['Marked', 'MRK', 3n]);
    standIn.markVerified(request.address, 'Token');
    expect(await explorer.submit(request)).toEqual({
      kind: 'verified',
      alreadyVerified: true,
      message: 'Contract source code already verified (Token)',
    });
  });
});
