import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SolcContractOutput } from './select.ts';
import { metadataEvmVersion } from './solc.ts';
import type { SolidityBuildSource } from './types.ts';

/** Hardhat build-info (v2 `hh-sol-build-info-1`, v3 `hh3-sol-build-info-1`): input + output. */
export interface BuildInfo {
  id?: string;
  solcLongVersion?: string;
  solcVersion?: string;
  input?: { settings?: { evmVersion?: string } } & Record<string, unknown>;
  output?: { contracts?: Record<string, Record<string, SolcContractOutput>> };
}

/** The verification source of one contract of a build-info, if the build-info has its input. */
export function sourceFromBuildInfo(
  buildInfo: BuildInfo,
  sourceUnit: string,
  contractName: string,
  output?: SolcContractOutput,
): SolidityBuildSource | undefined {
  const version = buildInfo.solcLongVersion ?? buildInfo.solcVersion;
  const evmVersion = metadataEvmVersion(output?.metadata) ?? buildInfo.input?.settings?.evmVersion;
  if (!buildInfo.input || !version || !evmVersion) return undefined;
  return {
    standardJsonInput: buildInfo.input,
    compilerVersion: version.startsWith('v') ? version : `v${version}`,
    fullyQualifiedName: `${sourceUnit}:${contractName}`,
    evmVersion,
  };
}

/**
 * Finds the build-info behind a Hardhat artifact: Hardhat 2 writes `Name.dbg.json` beside it
 * (pointing at the build-info), Hardhat 3 records `buildInfoId` (in `artifacts/build-info/`).
 */
export function findHardhatBuildInfo(
  artifactPath: string,
  artifact: Record<string, unknown>,
): BuildInfo | undefined {
  const dir = dirname(artifactPath);
  const dbgPath = artifactPath.replace(/\.json$/i, '.dbg.json');
  const dbg = readJson(dbgPath) as { buildInfo?: unknown } | undefined;
  if (typeof dbg?.buildInfo === 'string') {
    return withInput(readJson(join(dirname(dbgPath), dbg.buildInfo)) as BuildInfo | undefined);
  }
  if (typeof artifact.buildInfoId !== 'string') return undefined;
  for (let up = dir; dirname(up) !== up; up = dirname(up)) {
    const candidate = join(up, 'build-info', `${artifact.buildInfoId}.json`);
    if (existsSync(candidate)) return withInput(readJson(candidate) as BuildInfo | undefined);
  }
  return undefined;
}

/** Hardhat 3 splits a build-info into `<id>.json` (input) and `<id>.output.json` (output). */
export function withInput(buildInfo: BuildInfo | undefined, path?: string): BuildInfo | undefined {
  if (!buildInfo || buildInfo.input || !buildInfo.id || !path) return buildInfo;
  const inputFile = readJson(join(dirname(path), `${buildInfo.id}.json`)) as BuildInfo | undefined;
  return inputFile?.input ? { ...inputFile, ...buildInfo, input: inputFile.input } : buildInfo;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}
