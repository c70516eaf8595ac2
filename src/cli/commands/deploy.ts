import { readFileSync } from 'node:fs';
import { resolveChain } from '../../config/index.ts';
import { HyperdeployError } from '../../core/errors.ts';
import type { Deployment } from '../../core/view.ts';
import {
  parseArgsJson,
  resolveContractInput,
  type SolidityBuildSource,
} from '../../inputs/index.ts';
import { type GlobalFlags, openApp } from '../app.ts';
import { installCrashHook } from '../crash-hook.ts';
import { EXIT } from '../exit.ts';
import { describeDeployment, progressLine } from '../format.ts';
import { RemoteClient } from '../remote.ts';

export interface DeployFlags extends GlobalFlags {
  chain: string;
  rpc: string[];
  args?: string;
  buildId?: string;
  confirmations?: number;
  bytecode?: string;
  abi?: string;
  contract?: string;
  libraries: string[];
  verify: boolean;
  json?: boolean;
  explorerApi?: string;
  explorerType?: 'etherscan' | 'blockscout-v2';
  /** Submit to a running `hyperdeploy serve` instead of deploying from this process. */
  server?: string;
}

export async function deployCommand(
  input: string | undefined,
  flags: DeployFlags,
): Promise<number> {
  if (flags.server) return deployThroughServer(input, flags);
  const { app, config } = await openApp(flags, {
    ...(flags.explorerApi ? { explorerApi: flags.explorerApi } : {}),
    ...(flags.explorerType ? { explorerType: flags.explorerType } : {}),
    chain: flags.chain,
    rpc: flags.rpc,
    ...(flags.confirmations ? { confirmations: flags.confirmations } : {}),
  });
  try {
    const chain = resolveChain(config, flags.chain);
    const artifact = await loadContract(input, flags, chain.evmVersion);
    const args = flags.args ? parseArgsJson(flags.args) : [];
    const start = Date.now();
    const out = flags.json ? process.stderr : process.stdout;
    app.subscribe((entry, deployment) => {
      const line = progressLine(entry, deployment, start);
      if (line) out.write(`${line}\n`);
    });
    installCrashHook(app);
    const deployment = await app.deploy({
      chain: chain.name,
      bytecode: artifact.bytecode,
      abi: artifact.abi,
      contractName: artifact.contractName,
      ...(artifact.source ? { source: sourceOf(artifact.source) } : {}),
      args,
      ...(flags.buildId ? { buildId: flags.buildId } : {}),
      ...(flags.confirmations ? { confirmations: flags.confirmations } : {}),
      verify: flags.verify,
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(deployment, null, 2)}\n`);
    else process.stdout.write(`\n${describeDeployment(deployment)}\n`);
    return deployment.status === 'complete' ? EXIT.ok : EXIT.failed;
  } finally {
    await app.close();
  }
}

/** `--server URL`: compile here, submit there, follow the stream with the same progress lines. */
async function deployThroughServer(input: string | undefined, flags: DeployFlags): Promise<number> {
  const client = new RemoteClient(flags.server as string);
  const { items: chains } = await client.request<{
    items: Array<{ name: string; chainId: number; evmVersion: string }>;
  }>('/v1/chains');
  const chain = chains.find((c) => c.name === flags.chain || String(c.chainId) === flags.chain);
  if (!chain) {
    throw new HyperdeployError(
      'UNKNOWN_CHAIN',
      `The server has no chain "${flags.chain}"; it has ${chains.map((c) => c.name).join(', ')}.`,
      { step: 'input' },
    );
  }
  const artifact = await loadContract(input, flags, chain.evmVersion);
  const submitted = await client.request<Deployment>('/v1/deployments', {
    method: 'POST',
    body: {
      buildId: flags.buildId ?? `cli-${Date.now()}`,
      chain: chain.name,
      bytecode: artifact.bytecode,
      abi: artifact.abi,
      constructorArgs: flags.args ? parseArgsJson(flags.args) : [],
      contractName: artifact.contractName,
      ...(artifact.source
        ? {
            source: artifact.source.standardJsonInput,
            compilerVersion: artifact.source.compilerVersion,
            contractName: artifact.source.fullyQualifiedName,
          }
        : {}),
      ...(flags.confirmations ? { confirmations: flags.confirmations } : {}),
      verify: flags.verify,
    },
  });
  const start = Date.now();
  const out = flags.json ? process.stderr : process.stdout;
  const deployment = await client.follow(submitted.id, (entry, d) => {
    const line = progressLine(entry, d, start);
    if (line) out.write(`${line}\n`);
  });
  if (flags.json) process.stdout.write(`${JSON.stringify(deployment, null, 2)}\n`);
  else process.stdout.write(`\n${describeDeployment(deployment)}\n`);
  return deployment.status === 'complete' ? EXIT.ok : EXIT.failed;
}

const sourceOf = (source: SolidityBuildSource) => ({
  standardJsonInput: source.standardJsonInput,
  compilerVersion: source.compilerVersion,
  fullyQualifiedName: source.fullyQualifiedName,
});

/** The contract the flags name: a .sol file (compiled for the chain), an artifact, or raw bytecode. */
function loadContract(input: string | undefined, flags: DeployFlags, evmVersion: string) {
  return resolveContractInput({
    ...(input ? { file: input } : {}),
    ...(flags.bytecode ? { bytecode: flags.bytecode } : {}),
    ...(flags.abi ? { abi: readAbiFile(flags.abi) } : {}),
    ...(flags.contract ? { contractName: flags.contract } : {}),
    evmVersion,
    cwd: process.cwd(),
    libraries: parseLibraries(flags.libraries),
  });
}

function readAbiFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new HyperdeployError('INVALID_ABI', `Cannot read the ABI file ${path}.`, {
      step: 'input',
      hint: 'Pass --abi with the path of a JSON file holding the ABI array.',
    });
  }
  try {
    const json = JSON.parse(text) as unknown;
    // Accept a bare ABI array or an artifact that holds one.
    return Array.isArray(json) ? json : (json as { abi?: unknown }).abi;
  } catch (error) {
    throw new HyperdeployError('INVALID_ABI', `${path} is not JSON: ${(error as Error).message}`, {
      step: 'input',
    });
  }
}

function parseLibraries(values: string[]): Record<string, string> {
  const libraries: Record<string, string> = {};
  for (const value of values) {
    const [name, address] = value.split('=');
    if (!name || !address) {
      throw new HyperdeployError(
        'UNLINKED_LIBRARY',
        `--libraries ${value}: expected Name=0xAddress.`,
        {
          step: 'input',
          hint: 'Pass e.g. --libraries MathLib=0x5FbDB2315678afecb367f032d93F642f64180aa3',
        },
      );
    }
    libraries[name] = address;
  }
  return libraries;
}
