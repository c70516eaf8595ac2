import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChain, type TestChain } from '../harness/chains.ts';
import { runCli } from '../harness/cli.ts';
import { startTestServer, type TestServer } from '../harness/server.ts';

const TOKEN = 'cli-server-token-0123456789';

describe('hyperdeploy deploy --server', () => {
  let chain: TestChain;
  let api: TestServer;
  beforeAll(async () => {
    chain = await startChain('hyperion-testnet', { blockTimeSec: 0.2 });
    api = await startTestServer(chain, { apiToken: TOKEN });
  });
  afterAll(async () => {
    await api?.close();
    await chain?.anvil.stop();
  });

  it('compiles locally, submits to the service and follows its stream to complete, with no key here', async () => {
    const result = await runCli(
      [
        'deploy',
        'contracts/Token.sol',
        '--chain',
        'hyperion-testnet',
        '--server',
        api.url,
        '--args',
        '["T","T","5"]',
        '--build-id',
        'remote-1',
        '--json',
      ],
      { HYPERDEPLOY_API_TOKEN: TOKEN },
    );
    expect(result.code).toBe(0);
    const deployment = JSON.parse(result.stdout);
    expect(deployment).toMatchObject({
      status: 'complete',
      buildId: 'remote-1',
      contractName: 'Token',
    });
    expect(result.stderr).toMatch(/signed +tx 0x[0-9a-f]{64}/);
    expect((await api.hd.get(deployment.id))?.status).toBe('complete');
  });

  it('exits 2 with the server error when the token is wrong', async () => {
    const result = await runCli(
      ['deploy', 'contracts/Counter.sol', '--chain', 'hyperion-testnet', '--server', api.url],
      { HYPERDEPLOY_API_TOKEN: 'wrong' },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error UNAUTHORIZED');
  });
});
