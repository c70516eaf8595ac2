import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createPublicClient, createWalletClient, encodeDeployData, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { type ContractArtifact, compileSolidity } from '../../../src/inputs/index.ts';
import type { Explorer, ExplorerAnswer, VerificationRequest } from '../../../src/ports/explorer.ts';
import { fundedKey, type TestChain } from '../chains.ts';

const TOKEN = fileURLToPath(new URL('../../../contracts/Token.sol', import.meta.url));
let token: Promise<ContractArtifact> | undefined;

/** contracts/Token.sol compiled for shanghai (Metis), once per test file. */
export function tokenArtifact(): Promise<ContractArtifact> {
  token ??= compileSolidity({ file: TOKEN, evmVersion: 'shanghai' });
  return token;
}

export interface DeployedToken {
  address: Hex;
  artifact: ContractArtifact;
  /** What a verification of this deployment sends. */
  request: VerificationRequest;
}

/** Deploys Token(name, symbol, supply) with a fresh funded key, as viem would. */
export async function deployToken(
  chain: TestChain,
  args: readonly [string, string, bigint] = ['Token', 'TKN', 1_000n],
): Promise<DeployedToken> {
  const artifact = await tokenArtifact();
  const source = artifact.source;
  if (!source) throw new Error('compileSolidity returned no source');
  const { privateKey } = await fundedKey([chain]);
  const wallet = createWalletClient({
    account: privateKeyToAccount(privateKey),
    transport: http(chain.anvil.rpcUrl),
  });
  const hash = await wallet.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: [...args],
    chain: null,
  });
  const reader = createPublicClient({ transport: http(chain.anvil.rpcUrl) });
  const receipt = await reader.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (!receipt.contractAddress) throw new Error('no contract address in the receipt');
  return {
    address: receipt.contractAddress,
    artifact,
    request: {
      chainId: chain.config.chainId,
      address: receipt.contractAddress,
      contractName: source.fullyQualifiedName,
      compilerVersion: source.compilerVersion,
      standardJsonInput: source.standardJsonInput,
      constructorArgs: constructorArgs(artifact, args),
    },
  };
}

/** ABI-encoded constructor arguments, 0x-prefixed. */
export function constructorArgs(artifact: ContractArtifact, args: readonly unknown[]): Hex {
  const data = encodeDeployData({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: [...args],
  });
  return `0x${data.slice(artifact.bytecode.length)}`;
}

/** Polls `check` while the answer is pending; returns the last answer and the kinds seen. */
export async function pollUntilSettled(
  explorer: Explorer,
  first: ExplorerAnswer,
  request: VerificationRequest,
  options: { intervalMs?: number; maxPolls?: number } = {},
): Promise<{ answer: ExplorerAnswer; kinds: ExplorerAnswer['kind'][] }> {
  let answer = first;
  const kinds: ExplorerAnswer['kind'][] = [first.kind];
  for (let polls = 0; answer.kind === 'pending' && polls < (options.maxPolls ?? 300); polls++) {
    await sleep(options.intervalMs ?? 100);
    answer = await explorer.check(answer.reference, request);
    kinds.push(answer.kind);
  }
  return { answer, kinds };
}

/** The request with Token.sol's source text changed by `edit` (another source, same name). */
export function withEditedSource(
  request: VerificationRequest,
  edit: (source: string) => string,
): VerificationRequest {
  const input = structuredClone(request.standardJsonInput) as {
    sources: Record<string, { content: string }>;
  };
  for (const source of Object.values(input.sources)) source.content = edit(source.content);
  return { ...request, standardJsonInput: input };
}
