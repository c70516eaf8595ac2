import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChain, type TestChain } from '../chains.ts';
import {
  compareCode,
  flattenRanges,
  maskRanges,
  metadataLength,
  splitCreationInput,
} from './bytecode.ts';
import { type DeployedToken, deployToken, withEditedSource } from './fixtures.ts';
import { type ExplorerStandIn, startExplorerStandIn } from './standin.ts';

/** One raw request to the stand-in: status, parsed JSON body and headers. */
async function call(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body, retryAfter: response.headers.get('retry-after') };
}

const verifyForm = (token: DeployedToken, fields: Record<string, string> = {}) =>
  new URLSearchParams({
    module: 'contract',
    action: 'verifysourcecode',
    codeformat: 'solidity-standard-json-input',
    sourceCode: JSON.stringify(token.request.standardJsonInput),
    contractaddress: token.address,
    contractname: token.request.contractName,
    compilerversion: token.request.compilerVersion,
    constructorArguments: token.request.constructorArgs.slice(2),
    ...fields,
  });

const post = (apiUrl: string, form: URLSearchParams) =>
  call(`${apiUrl}?module=contract&action=verifysourcecode`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });

/** Polls checkverifystatus until the answer is not "Pending in queue"; returns all answers. */
async function pollGuid(apiUrl: string, guid: string): Promise<unknown[]> {
  const answers: unknown[] = [];
  for (let i = 0; i < 300; i++) {
    const { body } = await call(`${apiUrl}?module=contract&action=checkverifystatus&guid=${guid}`);
    answers.push(body);
    if ((body as { result?: string }).result !== 'Pending in queue') return answers;
    await sleep(100);
  }
  return answers;
}

describe('explorer stand-in: the Etherscan-compatible /api, as Blockscout answers it', () => {
  let chain: TestChain;
  let standIn: ExplorerStandIn;

  beforeAll(async () => {
    chain = await startChain('metis-sepolia');
    standIn = await startExplorerStandIn({
      rpcUrl: chain.anvil.rpcUrl,
      pendingPolls: 2,
      indexingDelayMs: 1_000,
    });
  });
  afterAll(async () => {
    await standIn?.stop();
    await chain?.anvil.stop();
  });

  it('indexes late, answers errors with HTTP 200, polls by guid, really verifies', async () => {
    const token = await deployToken(chain);
    // Not indexed yet: HTTP 200, the error in `message`.
    expect(await post(standIn.apiUrl, verifyForm(token))).toEqual({
      status: 200,
      body: { status: '0', message: 'Address is not a smart-contract', result: null },
      retryAfter: null,
    });
    await sleep(1_100);
    const accepted = await post(standIn.apiUrl, verifyForm(token));
    expect(accepted.body).toMatchObject({
      status: '1',
      message: 'OK',
      result: expect.stringMatching(/^[0-9a-f]{50}$/),
    });
    const answers = await pollGuid(standIn.apiUrl, (accepted.body as { result: string }).result);
    // Blockscout says status 1 even while pending; two pending polls at least.
    expect(answers.length).toBeGreaterThanOrEqual(3);
    expect(answers[0]).toEqual({ status: '1', message: 'OK', result: 'Pending in queue' });
    expect(answers.at(-1)).toEqual({ status: '1', message: 'OK', result: 'Pass - Verified' });

    const source = await call(
      `${standIn.apiUrl}?module=contract&action=getsourcecode&address=${token.address}`,
    );
    expect(source.body).toMatchObject({
      status: '1',
      result: [{ ContractName: 'Token', CompilerVersion: token.request.compilerVersion }],
    });
    const [entry] = (source.body as { result: Array<{ SourceCode: string }> }).result;
    expect(JSON.parse(entry?.SourceCode ?? '')).toEqual(token.request.standardJsonInput);

    expect((await post(standIn.apiUrl, verifyForm(token))).body).toEqual({
      status: '0',
      message: 'Smart-contract already verified.',
      result: 'Smart-contract already verified',
    });
  });

  it('answers an unverified getsourcecode with an empty SourceCode, an unknown guid with Unknown UID', async () => {
    const token = await deployToken(chain, ['Unverified', 'UNV', 1n]);
    const source = await call(
      `${standIn.apiUrl}?module=contract&action=getsourcecode&address=${token.address}`,
    );
    expect(source.body).toMatchObject({
      status: '1',
      result: [{ SourceCode: '', ABI: 'Contract source code not verified' }],
    });
    const unknown = await call(
      `${standIn.apiUrl}?module=contract&action=checkverifystatus&guid=nope`,
    );
    expect(unknown.body).toEqual({ status: '1', message: 'OK', result: 'Unknown UID' });
  });

  it('refuses a source that compiles to other code, and wrong constructor arguments', async () => {
    const token = await deployToken(chain, ['Refused', 'REF', 2n]);
    await sleep(1_100);
    const other = withEditedSource(token.request, (s) =>
      s.replace('Token: insufficient balance', 'Token: too poor'),
    );
    const mismatch = await post(
      standIn.apiUrl,
      verifyForm(token, { sourceCode: JSON.stringify(other.standardJsonInput) }),
    );
    const wrongArgs = await post(standIn.apiUrl, verifyForm(token, { constructorArguments: '00' }));
    const results = await Promise.all(
      [mismatch, wrongArgs].map(async (reply) =>
        (await pollGuid(standIn.apiUrl, (reply.body as { result: string }).result)).at(-1),
      ),
    );
    expect(results).toEqual([
      {
        status: '1',
        message: 'OK',
        result: 'Fail - Unable to verify. Bytecode does not match the deployed code',
      },
      {
        status: '1',
        message: 'OK',
        result:
          'Fail - Unable to verify. Constructor arguments do not match the creation transaction',
      },
    ]);
    expect(standIn.verified().has(token.address.toLowerCase())).toBe(false);
  });

  it('accepts a source that differs only in its metadata hash as a partial match', async () => {
    const token = await deployToken(chain, ['Partial', 'PRT', 3n]);
    await sleep(1_100);
    const commented = withEditedSource(
      token.request,
      (s) => `${s}\n// a comment changes the metadata hash only\n`,
    );
    const reply = await post(
      standIn.apiUrl,
      verifyForm(token, { sourceCode: JSON.stringify(commented.standardJsonInput) }),
    );
    const last = (await pollGuid(standIn.apiUrl, (reply.body as { result: string }).result)).at(-1);
    expect(last).toEqual({ status: '1', message: 'OK', result: 'Pass - Verified' });
    expect(standIn.verified().get(token.address.toLowerCase())).toMatchObject({
      match: 'partial',
      creationChecked: true,
    });
  });

  it('validates the submission like Blockscout', async () => {
    const token = await deployToken(chain, ['Fields', 'FLD', 4n]);
    const missing = new URLSearchParams({
      module: 'contract',
      action: 'verifysourcecode',
      codeformat: 'solidity-standard-json-input',
    });
    expect((await post(standIn.apiUrl, missing)).body).toEqual({
      status: '0',
      message: 'Missing sourceCode or contractaddress fields',
      result: null,
    });
    expect(
      (await post(standIn.apiUrl, verifyForm(token, { compilerversion: '' }))).body,
    ).toMatchObject({
      message: 'compilerversion is required.',
    });
  });

  it('rate limits: HTTP 200 NOTOK (Etherscan style)', async () => {
    standIn.setRateLimit({ perSecond: 2 });
    try {
      const url = `${standIn.apiUrl}?module=contract&action=checkverifystatus&guid=x`;
      const replies = [await call(url), await call(url), await call(url)];
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(replies[2]?.body).toEqual({
        status: '0',
        message: 'NOTOK',
        result: 'Max rate limit reached',
      });
      await sleep(1_050);
      expect((await call(url)).body).toMatchObject({ result: 'Unknown UID' });
    } finally {
      standIn.setRateLimit(undefined);
    }
  });

  it('injects faults: 500, 502 HTML, a hang, a reset, each once', async () => {
    const url = `${standIn.apiUrl}?module=contract&action=checkverifystatus&guid=x`;
    standIn.failNext('http500');
    expect(await call(url)).toMatchObject({
      status: 500,
      body: { message: 'Internal server error' },
    });
    standIn.failNext('http502');
    expect(await call(url)).toMatchObject({ status: 502 });
    standIn.failNext('timeout');
    await expect(fetch(url, { signal: AbortSignal.timeout(200) })).rejects.toThrow(
      /timeout|aborted/i,
    );
    standIn.failNext('reset');
    await expect(fetch(url)).rejects.toThrow(/fetch failed/);
    expect((await call(url)).status).toBe(200);
    expect(
      standIn
        .requests()
        .slice(-5)
        .map((r) => [r.fault, r.answer?.status]),
    ).toEqual([
      ['http500', 500],
      ['http502', 502],
      ['timeout', undefined],
      ['reset', undefined],
      [undefined, 200],
    ]);
  });
});

describe('explorer stand-in: other answers', () => {
  let chain: TestChain;

  beforeAll(async () => {
    chain = await startChain('metis-sepolia');
  });
  afterAll(async () => {
    await chain?.anvil.stop();
  });

  it('rate limits with HTTP 429 and Retry-After when asked to', async () => {
    const standIn = await startExplorerStandIn({
      rpcUrl: chain.anvil.rpcUrl,
      rateLimit: { perSecond: 1 },
      rateLimitStyle: 'http429',
      retryAfterSeconds: 2,
      warmCompiler: false,
    });
    try {
      const url = `${standIn.apiUrl}?module=contract&action=checkverifystatus&guid=x`;
      await call(url);
      expect(await call(url)).toEqual({
        status: 429,
        body: { status: '0', message: 'NOTOK', result: 'Max rate limit reached' },
        retryAfter: '2',
      });
      expect(await call(`${standIn.baseUrl}/api/v2/smart-contracts/verification/config`)).toEqual({
        status: 429,
        body: { message: 'Too Many Requests' },
        retryAfter: '2',
      });
    } finally {
      await standIn.stop();
    }
  });

  it('speaks Etherscan: NOTOK with the text in result, the other spelling of the arguments', async () => {
    const standIn = await startExplorerStandIn({
      rpcUrl: chain.anvil.rpcUrl,
      flavor: 'etherscan',
      notIndexedAttempts: 1,
    });
    try {
      const token = await deployToken(chain, ['Flavor', 'FLV', 5n]);
      const first = await post(standIn.apiUrl, verifyForm(token));
      expect(first.body).toEqual({
        status: '0',
        message: 'NOTOK',
        result: `Unable to locate ContractCode at ${token.address}`,
      });
      // Etherscan reads `constructorArguements`: with only the Blockscout spelling, args are empty.
      const onlyBlockscoutSpelling = await post(standIn.apiUrl, verifyForm(token));
      const refused = (
        await pollGuid(standIn.apiUrl, (onlyBlockscoutSpelling.body as { result: string }).result)
      ).at(-1);
      expect(refused).toEqual({
        status: '0',
        message: 'NOTOK',
        result:
          'Fail - Unable to verify. Constructor arguments do not match the creation transaction',
      });
      const both = await post(
        standIn.apiUrl,
        verifyForm(token, { constructorArguements: token.request.constructorArgs.slice(2) }),
      );
      const answers = await pollGuid(standIn.apiUrl, (both.body as { result: string }).result);
      expect(answers[0]).toEqual({ status: '0', message: 'NOTOK', result: 'Pending in queue' });
      expect(answers.at(-1)).toEqual({ status: '1', message: 'OK', result: 'Pass - Verified' });
      expect((await post(standIn.apiUrl, verifyForm(token))).body).toEqual({
        status: '0',
        message: 'NOTOK',
        result: 'Contract source code already verified',
      });
    } finally {
      await standIn.stop();
    }
  });

  it('serves the Blockscout v2 routes: config, 404 until indexed, verification started, is_verified', async () => {
    const standIn = await startExplorerStandIn({
      rpcUrl: chain.anvil.rpcUrl,
      pendingPolls: 1,
      indexingDelayMs: 1_000,
    });
    try {
      const config = await call(`${standIn.baseUrl}/api/v2/smart-contracts/verification/config`);
      expect(config.body).toMatchObject({
        solidity_compiler_versions: [expect.stringMatching(/^v0\.8\.\d+\+commit\./)],
      });
      const token = await deployToken(chain, ['Rest', 'RST', 6n]);
      const contractUrl = `${standIn.baseUrl}/api/v2/smart-contracts/${token.address}`;
      expect(await call(contractUrl)).toMatchObject({
        status: 404,
        body: { message: 'Not found' },
      });
      const upload = () => {
        const form = new FormData();
        form.set('compiler_version', token.request.compilerVersion);
        form.set('contract_name', 'Token');
        form.set('constructor_args', token.request.constructorArgs.slice(2));
        form.set('autodetect_constructor_args', 'false');
        form.set(
          'files[0]',
          new Blob([JSON.stringify(token.request.standardJsonInput)]),
          'input.json',
        );
        return call(`${contractUrl}/verification/via/standard-input`, {
          method: 'POST',
          body: form,
        });
      };
      expect(await upload()).toMatchObject({
        status: 404,
        body: { message: 'Address is not a smart-contract' },
      });
      await sleep(1_100);
      expect(await call(contractUrl)).toMatchObject({ status: 200, body: { is_verified: false } });
      expect(await upload()).toMatchObject({
        status: 200,
        body: { message: 'Smart-contract verification started' },
      });
      let body: unknown;
      for (let i = 0; i < 300 && !(body as { is_verified?: boolean })?.is_verified; i++) {
        await sleep(100);
        body = (await call(contractUrl)).body;
      }
      expect(body).toMatchObject({
        is_verified: true,
        name: 'Token',
        compiler_version: token.request.compilerVersion,
      });
      expect(await upload()).toMatchObject({ status: 200, body: { message: 'Already verified' } });
      const noFile = new FormData();
      noFile.set('compiler_version', token.request.compilerVersion);
      const other = await deployToken(chain, ['NoFile', 'NOF', 7n]);
      await sleep(1_100);
      expect(
        await call(
          `${standIn.baseUrl}/api/v2/smart-contracts/${other.address}/verification/via/standard-input`,
          {
            method: 'POST',
            body: noFile,
          },
        ),
      ).toMatchObject({ status: 200, body: { message: 'JSON files not found' } });
    } finally {
      await standIn.stop();
    }
  });
});

describe('bytecode comparison', () => {
  // 0xa1 0x64 … then the 2-byte length: a minimal CBOR tail of 3 bytes.
  const code = (body: string, cbor = 'a16400') =>
    `${body}${cbor}${(cbor.length / 2).toString(16).padStart(4, '0')}`;

  it('finds the CBOR metadata tail from its length', () => {
    expect(metadataLength(code('6080'))).toBe(5);
    expect(metadataLength('6080')).toBe(0);
    expect(metadataLength('60800001')).toBe(0);
  });

  it('is exact, partial (metadata only) or a mismatch', () => {
    expect(compareCode(code('6080'), code('6080'))).toBe('exact');
    expect(compareCode(code('6080'), code('6080', 'a16401'))).toBe('partial');
    expect(compareCode(code('6080'), code('6081'))).toBe('mismatch');
    expect(compareCode(code('6080'), code('608000'))).toBe('mismatch');
  });

  it('ignores immutables and library placeholders', () => {
    const compiled = code('7f00000000');
    const deployed = code('7f12345678');
    expect(compareCode(compiled, deployed)).toBe('mismatch');
    const ranges = flattenRanges({ '12': [{ start: 1, length: 4 }] });
    expect(ranges).toEqual([{ start: 1, length: 4 }]);
    expect(compareCode(compiled, deployed, ranges)).toBe('exact');
    expect(maskRanges('aabbcc', [{ start: 1, length: 1 }])).toBe('aa00cc');
  });

  it('splits a creation input into code and constructor arguments', () => {
    expect(splitCreationInput(code('6080'), `${code('6080')}0001`)).toEqual({
      match: 'exact',
      args: '0001',
    });
    expect(splitCreationInput(code('6080'), '60')).toEqual({ match: 'mismatch', args: '' });
  });
});
