import { fileURLToPath } from 'node:url';
import { type Abi, createPublicClient, createWalletClient, type Hex, http, padHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundedKey, startChain, type TestChain } from '../../../test/harness/chains.ts';
import { compileSolidity } from '../../inputs/index.ts';
import type { SolidityBuildSource } from '../../inputs/types.ts';
import type { VerificationSource } from '../../ports/prover.ts';
import { describeDifference } from './diff.ts';
import { createSourceProver } from './index.ts';
import { normalizeSolcVersion, sameSolcVersion } from './solc-compiler.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'contracts/Token.sol';
const VAULT = 'src/adapters/prover/fixtures/Vault.sol';

interface Deployed {
  address: Hex;
  txHash: Hex;
  source: VerificationSource;
}

let chain: TestChain;
let token: Deployed;
let vault: Deployed;
const prover = createSourceProver();

async function deploy(file: string, args: readonly unknown[]): Promise<Deployed> {
  const artifact = await compileSolidity({ file, evmVersion: 'shanghai', cwd: ROOT });
  if (!artifact.source) throw new Error('compileSolidity returned no source');
  const { privateKey } = await fundedKey([chain]);
  const wallet = createWalletClient({
    account: privateKeyToAccount(privateKey),
    transport: http(chain.anvil.rpcUrl),
  });
  const txHash = await wallet.deployContract({
    abi: artifact.abi as Abi,
    bytecode: artifact.bytecode,
    args: [...args],
    chain: null,
  });
  const reader = createPublicClient({ transport: http(chain.anvil.rpcUrl) });
  const receipt = await reader.waitForTransactionReceipt({ hash: txHash, pollingInterval: 20 });
  if (!receipt.contractAddress) throw new Error('no contract address in the receipt');
  return { address: receipt.contractAddress, txHash, source: toSource(artifact.source) };
}

const toSource = ({
  standardJsonInput,
  compilerVersion,
  fullyQualifiedName,
}: SolidityBuildSource): VerificationSource => ({
  standardJsonInput,
  compilerVersion,
  fullyQualifiedName,
});

/** The same source object with every source text passed through `edit`. */
function edited(source: VerificationSource, edit: (text: string) => string): VerificationSource {
  const input = structuredClone(source.standardJsonInput) as {
    sources: Record<string, { content: string }>;
  };
  for (const entry of Object.values(input.sources)) {
    const before = entry.content;
    entry.content = edit(before);
    if (entry.content === before) throw new Error('the edit changed nothing');
  }
  return { ...source, standardJsonInput: input };
}

const prove = (deployed: Deployed, source: VerificationSource = deployed.source) =>
  prover.prove({
    chain: chain.config,
    address: deployed.address,
    creationTxHash: deployed.txHash,
    source,
  });

beforeAll(async () => {
  chain = await startChain('metis-sepolia');
  token = await deploy(TOKEN, ['Token', 'TKN', 1_000_000n]);
  vault = await deploy(VAULT, [42n, padHex('0xbeef', { size: 32 })]);
});

afterAll(async () => {
  await chain?.anvil.stop();
});

describe('createSourceProver (lib-sourcify + bundled solc-js) on anvil', () => {
  it('proves the deployed source as an exact match (constructor arguments stripped)', async () => {
    expect(token.source.fullyQualifiedName).toBe('contracts/Token.sol:Token');
    expect(await prove(token)).toEqual({ result: 'exact_match' });
  });

  it('accepts a lowercase address', async () => {
    const proof = await prover.prove({
      chain: chain.config,
      address: token.address.toLowerCase() as Hex,
      creationTxHash: token.txHash,
      source: token.source,
    });
    expect(proof.result).toBe('exact_match');
  });

  it('calls a changed comment a partial match (same code, other metadata hash)', async () => {
    const source = edited(token.source, (text) =>
      text.replace('A minimal ERC-20', 'A small ERC-20 token'),
    );
    const proof = await prove(token, source);
    expect(proof.result).toBe('partial_match');
    expect(proof.reason).toMatch(/metadata hash differs/);
  });

  it('reports a changed constant as a mismatch at a byte offset', async () => {
    const source = edited(token.source, (text) =>
      text.replace('uint8 public constant decimals = 18;', 'uint8 public constant decimals = 6;'),
    );
    const proof = await prove(token, source);
    expect(proof.result).toBe('mismatch');
    expect(proof.reason).toMatch(
      /^runtime code differs at byte \d+ \(recompiled 0x06, on chain 0x12\)$/,
    );
  });

  it('reports an added function as a mismatch of lengths', async () => {
    const source = edited(token.source, (text) =>
      text.replace(
        '  function transfer(',
        '  function burnAll() external { balanceOf[msg.sender] = 0; }\n\n  function transfer(',
      ),
    );
    const proof = await prove(token, source);
    expect(proof.result).toBe('mismatch');
    expect(proof.reason).toMatch(
      /^runtime code has a different length: \d+ bytes recompiled vs \d+ bytes on chain; first difference at byte \d+/,
    );
  });

  it('compares the creation code too (constructor changed, runtime the same)', async () => {
    const source = edited(token.source, (text) =>
      text.replace(
        'emit Transfer(address(0), msg.sender, initialSupply);',
        'emit Transfer(msg.sender, msg.sender, initialSupply);',
      ),
    );
    const proof = await prove(token, source);
    expect(proof.result).toBe('mismatch');
    expect(proof.reason).toMatch(
      /^creation code differs at byte \d+ \(recompiled 0x[0-9a-f]{2}, on chain 0x[0-9a-f]{2}\)$/,
    );
  });

  it('says a compiler version that is not bundled is unavailable, naming both', async () => {
    const proof = await prove(token, {
      ...token.source,
      compilerVersion: 'v0.8.23+commit.f704f362',
    });
    expect(proof.result).toBe('unavailable');
    expect(proof.reason).toContain('v0.8.23+commit.f704f362');
    expect(proof.reason).toContain(token.source.compilerVersion);
  });

  it('reports an address without code as a mismatch', async () => {
    const proof = await prover.prove({
      chain: chain.config,
      address: '0x000000000000000000000000000000000000dEaD',
      creationTxHash: token.txHash,
      source: token.source,
    });
    expect(proof).toEqual({
      result: 'mismatch',
      reason: 'no code at address 0x000000000000000000000000000000000000dEaD',
    });
  });

  it('reports a contract missing from the compiler output', async () => {
    const proof = await prove(token, {
      ...token.source,
      fullyQualifiedName: 'contracts/Token.sol:Nope',
    });
    expect(proof).toEqual({
      result: 'mismatch',
      reason: 'contract Nope not in the compiler output of contracts/Token.sol',
    });
  });

  it('reports a source that does not compile as a mismatch with the error', async () => {
    const source = edited(token.source, (text) =>
      text.replace('uint256 public totalSupply;', 'uint256 public totalSupply'),
    );
    const proof = await prove(token, source);
    expect(proof.result).toBe('mismatch');
    expect(proof.reason).toMatch(/^the source does not compile: ParserError/);
  });

  it('matches a contract with immutables (their values differ from the compiled zeros)', async () => {
    expect(await prove(vault)).toEqual({ result: 'exact_match' });
    const comment = edited(vault.source, (text) => text.replace('A fixture', 'A test fixture'));
    expect((await prove(vault, comment)).result).toBe('partial_match');
  });

  it('notes when the creation transaction does not create the contract', async () => {
    const proof = await prover.prove({
      chain: chain.config,
      address: token.address,
      creationTxHash: vault.txHash,
      source: token.source,
    });
    expect(proof.result).toBe('exact_match');
    expect(proof.reason).toMatch(/creation code not compared/);
  });

  it('is unavailable when the RPC cannot be reached', async () => {
    const proof = await prover.prove({
      chain: { ...chain.config, rpc: ['http://127.0.0.1:9'], rpcTimeoutMs: 2_000 },
      address: token.address,
      creationTxHash: token.txHash,
      source: token.source,
    });
    expect(proof.result).toBe('unavailable');
    expect(proof.reason).toMatch(/cannot read the code/);
  });
});

describe('describeDifference', () => {
  // {"ipfs": <34 bytes>, "solc": 0.8.37} and its length, as solc appends it.
  const cbor = `a264697066735822${'11'.repeat(34)}64736f6c63430008250033`;
  it('ignores the metadata tails and the given ranges', () => {
    const other = cbor.replace('11'.repeat(34), '22'.repeat(34));
    expect(describeDifference('runtime', `0x6001${cbor}`, `0x6001${other}`)).toBeUndefined();
    expect(
      describeDifference('runtime', '0x600000', '0x6000ff', [{ start: 2, length: 1 }]),
    ).toBeUndefined();
    expect(describeDifference('runtime', '0x600000', '0x6000ff')?.reason).toBe(
      'runtime code differs at byte 2 (recompiled 0x00, on chain 0xff)',
    );
  });

  it('compares creation code as a prefix of the transaction input', () => {
    expect(describeDifference('creation', '0x6001', '0x6001abcd')).toBeUndefined();
    expect(describeDifference('creation', '0x600100', '0x6001')?.reason).toBe(
      'creation code is shorter on chain than recompiled: 2 vs 3 bytes',
    );
  });
});

describe('solc versions', () => {
  it('normalizes and compares long versions', () => {
    expect(normalizeSolcVersion('0.8.37+commit.f401782d.Emscripten.clang')).toBe(
      '0.8.37+commit.f401782d',
    );
    expect(sameSolcVersion('v0.8.37+commit.f401782d', '0.8.37+commit.f401782d.Emscripten')).toBe(
      true,
    );
    expect(sameSolcVersion('0.8.37', '0.8.37+commit.f401782d')).toBe(true);
    expect(sameSolcVersion('v0.8.23+commit.f704f362', '0.8.37+commit.f401782d')).toBe(false);
  });
});
