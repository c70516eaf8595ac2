import { readFileSync } from 'node:fs';
import { resolveChain } from '../../config/index.ts';
import { HyperdeployError } from '../../core/errors.ts';
import { parseArgsJson, resolveContractInput } from '../../inputs/index.ts';
import { type GlobalFlags, openApp } from '../app.ts';
import { installCrashHook } from '../crash-hook.ts';
import { EXIT } from '../exit.ts';
import { describeDeployment, progressLine } from '../format.ts';

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
}

export async function deployCommand(
  input: string | undefined,
  flags: DeployFlags,
): Promise<number> {
  const { app, config } = openApp(flags, {
    chain: flags.chain,
    rpc: flags.rpc,
    ...(flags.confirmations ? { confirmations: flags.confirmations } : {}),
  });
  try {
    const chain = resolveChain(config, flags.chain);
    const artifact = await resolveContractInput({
      ...(input ? { file: input } : {}),
      ...(flags.bytecode ? { bytecode: flags.bytecode } : {}),
      ...(flags.abi ? { abi: readAbiFile(flags.abi) } : {}),
      ...(flags.contract ? { contractName: flags.contract } : {}),
      evmVersion: chain.evmVersion,
      cwd: process.cwd(),
      libraries: parseLibraries(flags.libraries),
    });
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
