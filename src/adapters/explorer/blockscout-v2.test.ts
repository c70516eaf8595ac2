import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChain, type TestChain } from '../../../test/harness/chains.ts';
import {
  deployToken,
  pollUntilSettled,
  withEditedSource,
} from '../../../test/harness/explorer/fixtures.ts';
import {
  type ExplorerStandIn,
  startExplorerStandIn,
} from '../../../test/harness/explorer/standin.ts';
import { BlockscoutV2Explorer } from './blockscout-v2.ts';
import { blockscoutRoot, createExplorer } from './index.ts';

describe('BlockscoutV2Explorer against the stand-in', () => {
  let chain: TestChain;
  let standIn: ExplorerStandIn;
  let explorer: BlockscoutV2Explorer;

  beforeAll(async () => {
    chain = await startChain('metis-sepolia');
    standIn = await startExplorerStandIn({ rpcUrl: chain.anvil.rpcUrl, pendingPolls: 2 });
    explorer = new BlockscoutV2Explorer({ baseUrl: standIn.baseUrl, timeoutMs: 2_000 });
  });
  afterAll(async () => {
    await standIn?.stop();
    await chain?.anvil.stop();
  });

  it('submits a multipart upload, is pending on the address, then verified', async () => {
    const { request } = await deployToken(chain);
    const before = standIn.requests().length;
    const submitted = await explorer.submit(request);
    expect(submitted).toEqual({
      kind: 'pending',
      reference: request.address,
      message: 'Smart-contract verification started',
    });
    const [lookup, upload] = standIn.requests().slice(before);
    expect(lookup).toMatchObject({ method: 'GET', route: 'v2.smart-contract' });
    expect(upload).toMatchObject({ method: 'POST', route: 'v2.verify' });
    expect(upload?.params).toEqual({
      compiler_version: request.compilerVersion,
      contract_name: 'contracts/Token.sol:Token',
      constructor_args: request.constructorArgs.slice(2),
      autodetect_constructor_args: 'false',
    });

    const { answer, kinds } = await pollUntilSettled(explorer, submitted, request);
    expect(answer).toEqual({
      kind: 'verified',
      alreadyVerified: false,
      message: 'Verified (is_verified: true)',
    });
    expect(kinds.filter((kind) => kind === 'pending').length).toBeGreaterThanOrEqual(3);
    expect(standIn.verified().get(request.address.toLowerCase())).toMatchObject({
      via: 'v2',
      match: 'exact',
    });

    expect(await explorer.submit(request)).toEqual({
      kind: 'verified',
      alreadyVerified: true,
      message: 'Verified (is_verified: true)',
    });
  });

  it('answers retry_later while the address is not indexed (404), then submits', async () => {
    const { request } = await deployToken(chain, ['Late', 'LTE', 2n]);
    standIn.setIndexingDelay(60_000);
    try {
      expect(await explorer.submit(request)).toEqual({
        kind: 'retry_later',
        message: `Explorer has not indexed ${request.address} yet (HTTP 404: Not found)`,
      });
    } finally {
      standIn.setIndexingDelay(0);
    }
    expect((await explorer.submit(request)).kind).toBe('pending');
  });

  it('maps "Address is not a smart-contract" (404 on the upload) to retry_later', async () => {
    const lagging = await startExplorerStandIn({
      rpcUrl: chain.anvil.rpcUrl,
      notIndexedAttempts: 1,
    });
    try {
      const client = new BlockscoutV2Explorer({ baseUrl: lagging.baseUrl });
      const { request } = await deployToken(chain, ['Lag', 'LAG', 3n]);
      expect(await client.submit(request)).toEqual({
        kind: 'retry_later',
        message: 'Address is not a smart-contract',
      });
      expect((await client.submit(request)).kind).toBe('pending');
    } finally {
      await lagging.stop();
    }
  });

  it('answers retry_later on 429 with Retry-After', async () => {
    const { request } = await deployToken(chain, ['Limit', 'LMT', 4n]);
    standIn.failNext({ fault: 'rateLimit', route: 'v2' });
    expect(await explorer.submit(request)).toEqual({
      kind: 'retry_later',
      message: 'Explorer rate limited (HTTP 429): Too Many Requests',
      retryAfterMs: 1000,
    });
  });

  it('keeps answering pending for a source that does not match (v2 reports failures on its websocket only)', async () => {
    const { request } = await deployToken(chain, ['Mismatch', 'MIS', 5n]);
    const other = withEditedSource(request, (source) =>
      source.replace('Token: insufficient allowance', 'Token: allowance too low'),
    );
    const submitted = await explorer.submit(other);
    const { answer } = await pollUntilSettled(explorer, submitted, other, { maxPolls: 30 });
    expect(answer).toMatchObject({
      kind: 'pending',
      message: 'Not verified yet (is_verified: false)',
    });
    expect(standIn.verified().has(request.address.toLowerCase())).toBe(false);
  });
});

describe('createExplorer', () => {
  it('builds the client of the configured type', () => {
    const etherscan = createExplorer({
      type: 'etherscan',
      api: 'https://sepolia-explorer.metisdevops.link/api',
      url: 'https://sepolia-explorer.metisdevops.link',
    });
    const v2 = createExplorer({
      type: 'blockscout-v2',
      api: 'https://sepolia-explorer.metisdevops.link/api',
      url: 'https://sepolia-explorer.metisdevops.link/',
      apiKey: 'k',
    });
    expect(etherscan.addressUrl('0x00000000000000000000000000000000000000aa')).toBe(
      'https://sepolia-explorer.metisdevops.link/address/0x00000000000000000000000000000000000000aa',
    );
    expect(v2).toBeInstanceOf(BlockscoutV2Explorer);
    expect(v2.addressUrl('0x00000000000000000000000000000000000000aa')).toBe(
      'https://sepolia-explorer.metisdevops.link/address/0x00000000000000000000000000000000000000aa',
    );
  });

  it('finds the Blockscout root from an /api or /api/v2 URL', () => {
    expect(blockscoutRoot('https://x.io/api')).toBe('https://x.io');
    expect(blockscoutRoot('https://x.io/api/v2/')).toBe('https://x.io');
    expect(blockscoutRoot('https://x.io/explorer/api?apikey=k')).toBe('https://x.io/explorer');
    expect(blockscoutRoot('https://x.io')).toBe('https://x.io');
  });
});
