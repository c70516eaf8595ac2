import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { keccak256, stringToHex } from 'viem';
import type { SolidityBuildSource } from './types.ts';

/** The fields of solc's metadata JSON that a standard JSON input can be rebuilt from. */
interface SolcMetadata {
  language?: string;
  compiler?: { version?: string };
  settings?: Record<string, unknown> & {
    compilationTarget?: Record<string, string>;
    evmVersion?: string;
    libraries?: Record<string, string>;
  };
  sources?: Record<string, { keccak256?: string; content?: string }>;
}

const MAX_LEVELS_UP = 6;

/**
 * Rebuilds the standard JSON input from solc metadata (Foundry `rawMetadata`, Truffle
 * `metadata`), reading sources from the project the artifact sits in. Returns undefined unless
 * every source is found with the keccak256 the metadata records: stale sources would not verify.
 */
export function sourceFromMetadata(
  metadata: unknown,
  artifactPath: string,
): SolidityBuildSource | undefined {
  const meta = parseMetadata(metadata);
  const [target, name] = Object.entries(meta?.settings?.compilationTarget ?? {})[0] ?? [];
  const version = meta?.compiler?.version;
  const evmVersion = meta?.settings?.evmVersion;
  if (!meta?.sources || !meta.settings || !target || !name || !version || !evmVersion) {
    return undefined;
  }
  const root = findProjectRoot(dirname(artifactPath), target);
  const sources: Record<string, { content: string }> = {};
  for (const [unit, info] of Object.entries(meta.sources)) {
    const content = info.content ?? readIfExists(root, unit);
    if (content === undefined || keccak256(stringToHex(content)) !== info.keccak256) {
      return undefined;
    }
    sources[unit] = { content };
  }
  const { compilationTarget: _target, libraries, ...settings } = meta.settings;
  return {
    standardJsonInput: {
      language: meta.language ?? 'Solidity',
      sources,
      settings: {
        ...settings,
        ...(libraries ? { libraries: nestLibraries(libraries) } : {}),
        outputSelection: { [target]: { '*': ['abi', 'evm.bytecode.object', 'metadata'] } },
      },
    },
    compilerVersion: `v${version}`,
    fullyQualifiedName: `${target}:${name}`,
    evmVersion,
  };
}

function parseMetadata(metadata: unknown): SolcMetadata | undefined {
  try {
    const parsed = typeof metadata === 'string' ? JSON.parse(metadata) : metadata;
    return parsed !== null && typeof parsed === 'object' ? (parsed as SolcMetadata) : undefined;
  } catch {
    return undefined;
  }
}

// Artifacts live in out/File.sol/Name.json or build/contracts/Name.json: the project root is
// the nearest folder above that holds the compilation target.
function findProjectRoot(from: string, target: string): string | undefined {
  if (isAbsolute(target)) return '/';
  let dir = from;
  for (let level = 0; level <= MAX_LEVELS_UP; level++) {
    if (existsSync(join(dir, target))) return dir;
    if (dirname(dir) === dir) break;
    dir = dirname(dir);
  }
  return undefined;
}

function readIfExists(root: string | undefined, unit: string): string | undefined {
  if (root === undefined) return undefined;
  try {
    return readFileSync(isAbsolute(unit) ? unit : join(root, unit), 'utf8');
  } catch {
    return undefined;
  }
}

/** Metadata keys libraries as `path:Name`; standard JSON input nests them by path. */
function nestLibraries(libraries: Record<string, string>): Record<string, Record<string, string>> {
  const nested: Record<string, Record<string, string>> = {};
  for (const [fqn, address] of Object.entries(libraries)) {
    const colon = fqn.lastIndexOf(':');
    const file = colon === -1 ? '' : fqn.slice(0, colon);
    nested[file] = { ...nested[file], [fqn.slice(colon + 1)]: address };
  }
  return nested;
}
