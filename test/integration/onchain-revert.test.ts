import { fileURLToPath } from 'node:url';
import { createWalletClient, getAddress, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mine, setAutomine } from '../../src/devchain/index.ts';
import { createHyperdeploy } from '../../src/hyperdeploy.ts';
import { compileSolidity } from '../../src/inputs/index.ts';
import {
  chainsByName,
  fundedKey,
  reader,
  startChain,
  type TestChain,
  tempDbPath,
} from '../harness/chains.ts';

const GATE = fileURLToPath(new URL('../fixtures/Gate.sol', import.meta.url));

describe('a constructor that reverts only on chain', () => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startChain('metis-sepolia');
  });
  afterAll(async () => {
    await chain?.anvil.stop();
  });

  it('fails TX_REVERTED with the decoded custom error, and is not retried', async () => {
    const [gate, guarded] = await Promise.all([
      compileSolidity({ file: `${GATE}:Gate`, evmVersion: 'shanghai' }),
      compileSolidity({ file: `${GATE}:Guarded`, evmVersion: 'shanghai' }),
    ]);
    const other = await fundedKey([chain]);
    const wallet = createWalletClient({
      account: privateKeyToAccount(other.privateKey),
      transport: http(chain.anvil.rpcUrl),
    });
    const client = reader(chain);
    const gateTx = await wallet.deployContract({
      abi: gate.abi,
      bytecode: gate.bytecode,
      chain: null,
    });
    const gateAddress = (
      await client.waitForTransactionReceipt({ hash: gateTx, pollingInterval: 20 })
    ).contractAddress as `0x${string}`;
    await setAutomine(chain.anvil.rpcUrl, false);

    const { privateKey, address } = await fundedKey([chain]);
    const app = createHyperdeploy({
      db: tempDbPath(),
      chains: chainsByName(chain),
      privateKey,
      retry: { delaysMs: [10] },
    });
    app.subscribe((entry) => {
      if (entry.type !== 'tx_broadcast') return;
      // Close the gate with a higher price, so it runs first in the next block.
      void (async () => {
        const gasPrice = (await client.getGasPrice()) * 3n;
        await wallet.writeContract({
          address: gateAddress,
          abi: gate.abi,
          functionName: 'close',
          chain: null,
          gasPrice,
          gas: 100_000n,
        });
        await mine(chain.anvil.rpcUrl, 1);
      })();
    });
    const deployment = await app.deploy({
      chain: 'metis-sepolia',
      bytecode: guarded.bytecode,
      abi: guarded.abi,
      contractName: 'Guarded',
      args: [gateAddress],
    });

    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatchObject({
      code: 'TX_REVERTED',
      step: 'submitted',
      retryable: false,
    });
    expect(deployment.error?.message).toBe(
      `Guarded constructor reverted with custom error GateClosed("${getAddress(gateAddress)}") (on chain).`,
    );
    expect(deployment.retryCount).toBe(0);
    // The transaction was mined (and reverted): the nonce is spent, there is no code.
    expect(await client.getTransactionCount({ address })).toBe(1);
    const receipt = await client.getTransactionReceipt({
      hash: deployment.txHash as `0x${string}`,
    });
    expect(receipt.status).toBe('reverted');
    await app.close();
  });
});
