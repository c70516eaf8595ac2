import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HyperdeployError } from '../core/errors.ts';
import { loadArtifactFile, parseArtifact } from './artifact.ts';
import { loadSolc, type SolcOutput } from './solc.ts';

const contracts = resolve(dirname(fileURLToPath(import.meta.url)), '../../contracts');
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
};

const OUTPUTS = ['abi', 'evm.bytecode', 'evm.deployedBytecode', 'metadata'];
const LIBS = `pragma solidity ^0.8.20;
library MathLib { function twice(uint256 x) external pure returns (uint256) { return x * 2; } }
contract UsesLib { function f(uint256 x) external pure returns (uint256) { return MathLib.twice(x); } }
interface IThing { function thing() external; }
`;

interface Built {
  dir: string;
  input: { sources: Record<string, { content: string }> } & Record<string, unknown>;
  output: Required<SolcOutput>;
  solcVersion: string;
}

interface CompiledContract {
  abi: unknown[];
  metadata: string;
  evm: { bytecode: { object: string; linkReferences: Record<string, Record<string, unknown>> } };
}

/** A Foundry-like project compiled for real: src/*.sol, one solc run for every fixture. */
async function buildProject(): Promise<Built> {
  const dir = tempDir('hyperdeploy-artifacts-');
  mkdirSync(join(dir, 'src'));
  for (const name of ['Counter.sol', 'Multi.sol', 'Token.sol']) {
    copyFileSync(join(contracts, name), join(dir, 'src', name));
  }
  writeFileSync(join(dir, 'src/Libs.sol'), LIBS);
  const sources = Object.fromEntries(
    ['Counter.sol', 'Multi.sol', 'Token.sol', 'Libs.sol'].map((name) => [
      `src/${name}`,
      { content: name === 'Libs.sol' ? LIBS : readContract(name) },
    ]),
  );
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'shanghai',
      outputSelection: { '*': { '*': OUTPUTS } },
    },
  };
  const solc = await loadSolc();
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as Required<SolcOutput>;
  return { dir, input, output, solcVersion: solc.version().replace(/\.Emscripten.*$/, '') };
}

function readContract(name: string): string {
  return readFileSync(join(contracts, name), 'utf8');
}

function write(dir: string, path: string, json: unknown): string {
  const file = join(dir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(json));
  return file;
}

async function failure(promise: Promise<unknown>): Promise<HyperdeployError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HyperdeployError);
  return error as HyperdeployError;
}

describe('loadArtifactFile', () => {
  let built: Built;
  let contract: (unit: string, name: string) => CompiledContract;
  let buildInfoPath: string;

  beforeAll(async () => {
    built = await buildProject();
    contract = (unit, name) => built.output.contracts[`src/${unit}`]?.[name] as never;
    buildInfoPath = write(built.dir, 'artifacts/build-info/abc123.json', {
      _format: 'hh-sol-build-info-1',
      id: 'abc123',
      solcVersion: built.solcVersion.split('+')[0],
      solcLongVersion: built.solcVersion,
      input: built.input,
      output: built.output,
    });
  });

  it('reads a Hardhat artifact and finds its build-info through the .dbg.json', async () => {
    const counter = contract('Counter.sol', 'Counter');
    const path = write(built.dir, 'artifacts/src/Counter.sol/Counter.json', {
      _format: 'hh-sol-artifact-1',
      contractName: 'Counter',
      sourceName: 'src/Counter.sol',
      abi: counter.abi,
      bytecode: `0x${counter.evm.bytecode.object}`,
      deployedBytecode: '0x',
      linkReferences: {},
      deployedLinkReferences: {},
    });
    write(built.dir, 'artifacts/src/Counter.sol/Counter.dbg.json', {
      _format: 'hh-sol-dbg-1',
      buildInfo: '../../build-info/abc123.json',
    });
    const artifact = await loadArtifactFile(path);
    expect(artifact).toEqual({
      contractName: 'Counter',
      abi: counter.abi,
      bytecode: `0x${counter.evm.bytecode.object}`,
      source: {
        standardJsonInput: built.input,
        compilerVersion: `v${built.solcVersion}`,
        fullyQualifiedName: 'src/Counter.sol:Counter',
        evmVersion: 'shanghai',
      },
    });
  });

  it('reads a Foundry artifact and rebuilds the verification input from its metadata', async () => {
    const token = contract('Token.sol', 'Token');
    const path = write(built.dir, 'out/Token.sol/Token.json', {
      abi: token.abi,
      bytecode: { object: `0x${token.evm.bytecode.object}`, sourceMap: '', linkReferences: {} },
      deployedBytecode: { object: '0x', sourceMap: '', linkReferences: {} },
      methodIdentifiers: {},
      rawMetadata: token.metadata,
      metadata: JSON.parse(token.metadata),
      id: 3,
    });
    const artifact = await loadArtifactFile(path, 'Token');
    expect(artifact.contractName).toBe('Token');
    expect(artifact.bytecode).toBe(`0x${token.evm.bytecode.object}`);
    expect(artifact.source).toMatchObject({
      compilerVersion: `v${built.solcVersion}`,
      fullyQualifiedName: 'src/Token.sol:Token',
      evmVersion: 'shanghai',
    });
    // The rebuilt input reproduces the artifact's bytecode exactly.
    const solc = await loadSolc();
    const again = JSON.parse(
      solc.compile(JSON.stringify(artifact.source?.standardJsonInput)),
    ) as SolcOutput;
    expect(`0x${again.contracts?.['src/Token.sol']?.Token?.evm?.bytecode?.object}`).toBe(
      artifact.bytecode,
    );
  });

  it('leaves the source out when the sources on disk changed since the build', async () => {
    const counter = contract('Counter.sol', 'Counter');
    const dir = tempDir('hyperdeploy-stale-');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/Counter.sol'), `${readContract('Counter.sol')}\n// edited\n`);
    const path = write(dir, 'out/Counter.sol/Counter.json', {
      abi: counter.abi,
      bytecode: { object: `0x${counter.evm.bytecode.object}` },
      rawMetadata: counter.metadata,
    });
    const artifact = await loadArtifactFile(path);
    expect(artifact.contractName).toBe('Counter');
    expect(artifact.source).toBeUndefined();
  });

  it('reads Truffle and Waffle artifacts', async () => {
    const token = contract('Token.sol', 'Token');
    const truffle = write(built.dir, 'build/contracts/Token.json', {
      contractName: 'Token',
      abi: token.abi,
      bytecode: `0x${token.evm.bytecode.object}`,
      deployedBytecode: '0x',
      metadata: token.metadata,
      sourcePath: join(built.dir, 'src/Token.sol'),
      compiler: { name: 'solc', version: built.solcVersion },
    });
    expect(await loadArtifactFile(truffle)).toMatchObject({
      contractName: 'Token',
      bytecode: `0x${token.evm.bytecode.object}`,
      source: { fullyQualifiedName: 'src/Token.sol:Token' },
    });
    const b = contract('Multi.sol', 'B');
    const waffle = write(built.dir, 'waffle/B.json', {
      abi: b.abi,
      evm: { bytecode: { object: b.evm.bytecode.object } },
    });
    expect(await loadArtifactFile(waffle)).toEqual({
      contractName: 'B',
      abi: b.abi,
      bytecode: `0x${b.evm.bytecode.object}`,
    });
  });

  it('picks a contract from a Hardhat build-info by name or path:name', async () => {
    const b = await loadArtifactFile(`${buildInfoPath}:B`);
    expect(b.contractName).toBe('B');
    expect(b.bytecode).toBe(`0x${contract('Multi.sol', 'B').evm.bytecode.object}`);
    expect(b.source?.fullyQualifiedName).toBe('src/Multi.sol:B');
    const a = await loadArtifactFile(buildInfoPath, 'Multi.sol:A');
    expect(a.contractName).toBe('A');
  });

  it('asks which contract when a build-info holds several', async () => {
    const error = await failure(loadArtifactFile(buildInfoPath));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe(
      'abc123.json has 6 deployable contracts: src/Counter.sol:Counter, src/Libs.sol:MathLib, ' +
        'src/Libs.sol:UsesLib, src/Multi.sol:A, src/Multi.sol:B, src/Token.sol:Token.',
    );
    expect(error.hint).toBe('Pick one with File.sol:Name, e.g. abc123.json:Counter.');
  });

  it('reads solc standard JSON output', () => {
    const artifact = parseArtifact(
      { contracts: built.output.contracts, sources: {} },
      { contractName: 'Token' },
    );
    expect(artifact.contractName).toBe('Token');
    expect(artifact.source).toBeUndefined();
  });

  it('refuses unlinked libraries in an artifact, and links them when given', () => {
    const uses = contract('Libs.sol', 'UsesLib');
    const json = {
      abi: uses.abi,
      bytecode: {
        object: `0x${uses.evm.bytecode.object}`,
        linkReferences: uses.evm.bytecode.linkReferences,
      },
    };
    expect(() => parseArtifact(json)).toThrow(
      'Bytecode has unlinked library placeholders: src/Libs.sol:MathLib.',
    );
    const linked = parseArtifact(json, { libraries: { MathLib: `0x${'ab'.repeat(20)}` } });
    expect(linked.bytecode).toContain('ab'.repeat(20));
  });

  it('refuses an interface artifact (empty bytecode)', () => {
    const error = (() => {
      try {
        parseArtifact({ abi: [], bytecode: { object: '0x' } });
      } catch (e) {
        return e as HyperdeployError;
      }
    })();
    expect(error?.code).toBe('INVALID_BYTECODE');
    expect(error?.message).toBe('Bytecode is empty.');
  });

  it('refuses a contract name the artifact does not hold', async () => {
    const path = write(built.dir, 'artifacts/src/Counter.sol/Counter.json', {
      contractName: 'Counter',
      abi: [],
      bytecode: '0x6080',
    });
    const error = await failure(loadArtifactFile(path, 'Token'));
    expect(error.message).toBe('Counter.json holds contract Counter, not Token.');
  });

  it('refuses unknown shapes, naming the expected ones', async () => {
    const odd = await failure(loadArtifactFile(write(built.dir, 'odd.json', { foo: 1 })));
    expect(odd.code).toBe('INVALID_INPUT');
    expect(odd.message).toBe(
      'odd.json is not a known contract artifact: expected `abi` with `bytecode` (Hardhat, Truffle), ' +
        '`bytecode.object` (Foundry), `evm.bytecode.object` (Waffle) or `output.contracts` ' +
        '(Hardhat build-info, solc standard JSON output).',
    );
    expect(odd.details).toEqual({ keys: ['foo'] });
    const abiOnly = await failure(loadArtifactFile(write(built.dir, 'abi.json', [])));
    expect(abiOnly.hint).toMatch(/^This is an ABI without bytecode/);
    const noBytecode = await failure(loadArtifactFile(write(built.dir, 'i.json', { abi: [] })));
    expect(noBytecode.hint).toMatch(/^It has an ABI but no bytecode/);
  });

  it('refuses a missing file and invalid JSON', async () => {
    const missing = await failure(
      loadArtifactFile('nope/Missing.json', undefined, { cwd: built.dir }),
    );
    expect(missing.code).toBe('INVALID_INPUT');
    expect(missing.message).toBe('Cannot read artifact nope/Missing.json: ENOENT.');
    expect(missing.hint).toMatch(/build the project first/);
    writeFileSync(join(built.dir, 'bad.json'), '{"abi": [');
    const bad = await failure(loadArtifactFile('bad.json', undefined, { cwd: built.dir }));
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.message).toMatch(/^bad\.json is not valid JSON: /);
  });
});
