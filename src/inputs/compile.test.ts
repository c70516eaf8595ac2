import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Hex, hexToBytes } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HyperdeployError } from '../core/errors.ts';
import { compileSolidity } from './compile.ts';
import { loadSolc, type SolcOutput } from './solc.ts';
import type { ContractArtifact } from './types.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MCOPY = 0x5e;

/** Opcodes in code position: PUSH data and the trailing CBOR metadata are skipped. */
function opcodes(bytecode: Hex): number[] {
  const bytes = hexToBytes(bytecode);
  const metadataLength = ((bytes.at(-2) ?? 0) << 8) | (bytes.at(-1) ?? 0);
  const end = bytes.length - metadataLength - 2;
  const ops: number[] = [];
  for (let i = 0; i < end; i++) {
    const op = bytes[i] ?? 0;
    ops.push(op);
    if (op >= 0x60 && op <= 0x7f) i += op - 0x5f;
  }
  return ops;
}

async function failure(promise: Promise<unknown>): Promise<HyperdeployError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HyperdeployError);
  return error as HyperdeployError;
}

const projects: string[] = [];
afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hyperdeploy-compile-'));
  projects.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const COPIER = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Copier {
  function join(bytes memory a, bytes memory b) external pure returns (bytes memory) {
    return bytes.concat(a, b);
  }
}
`;

describe('compileSolidity', () => {
  let counter: ContractArtifact;
  let token: ContractArtifact;

  beforeAll(async () => {
    counter = await compileSolidity({
      file: 'contracts/Counter.sol',
      evmVersion: 'shanghai',
      cwd: root,
    });
    token = await compileSolidity({
      file: 'contracts/Token.sol',
      evmVersion: 'shanghai',
      cwd: root,
    });
  });

  it('compiles Counter and Token for shanghai with their ABIs and verification source', () => {
    expect(counter.contractName).toBe('Counter');
    expect(counter.abi.map((item) => ('name' in item ? item.name : item.type))).toEqual([
      'Incremented',
      'count',
      'increment',
    ]);
    expect(token.contractName).toBe('Token');
    const ctor = token.abi.find((item) => item.type === 'constructor');
    expect(ctor && 'inputs' in ctor ? ctor.inputs.map((i) => `${i.type} ${i.name}`) : []).toEqual([
      'string name_',
      'string symbol_',
      'uint256 initialSupply',
    ]);
    expect(token.bytecode).toMatch(/^0x(?:[0-9a-f]{2})+$/);
    expect(token.source).toMatchObject({
      compilerVersion: expect.stringMatching(/^v0\.8\.\d+\+commit\.[0-9a-f]{8}$/),
      fullyQualifiedName: 'contracts/Token.sol:Token',
      evmVersion: 'shanghai',
      standardJsonInput: {
        language: 'Solidity',
        settings: { evmVersion: 'shanghai', optimizer: { enabled: true, runs: 200 } },
      },
    });
  });

  it('emits no MCOPY for shanghai, while cancun uses it for memory copies', async () => {
    expect(opcodes(counter.bytecode)).not.toContain(MCOPY);
    expect(opcodes(token.bytecode)).not.toContain(MCOPY);
    const cwd = project({ 'Copier.sol': COPIER });
    const shanghai = await compileSolidity({ file: 'Copier.sol', evmVersion: 'shanghai', cwd });
    const cancun = await compileSolidity({ file: 'Copier.sol', evmVersion: 'cancun', cwd });
    expect(opcodes(shanghai.bytecode)).not.toContain(MCOPY);
    expect(opcodes(cancun.bytecode)).toContain(MCOPY);
    expect(cancun.source?.evmVersion).toBe('cancun');
  });

  it("leaves the host's unhandledRejection handling alone (soljson adds a rethrowing listener)", () => {
    const rethrowing = process
      .listeners('unhandledRejection')
      .filter((listener) => /throw reason/.test(String(listener)));
    expect(rethrowing).toEqual([]);
  });

  it('selects one contract of several with File.sol:Name', async () => {
    const b = await compileSolidity({
      file: 'contracts/Multi.sol:B',
      evmVersion: 'shanghai',
      cwd: root,
    });
    expect(b.contractName).toBe('B');
    expect(b.source?.fullyQualifiedName).toBe('contracts/Multi.sol:B');
    const a = await compileSolidity({
      file: 'contracts/Multi.sol',
      contractName: 'A',
      evmVersion: 'shanghai',
      cwd: root,
    });
    expect(a.abi).toEqual([expect.objectContaining({ name: 'name', type: 'function' })]);
  });

  it('refuses to guess between several deployable contracts and lists them', async () => {
    const error = await failure(
      compileSolidity({ file: 'contracts/Multi.sol', evmVersion: 'shanghai', cwd: root }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe(
      'contracts/Multi.sol has 2 deployable contracts: contracts/Multi.sol:A, contracts/Multi.sol:B.',
    );
    expect(error.hint).toBe('Pick one with File.sol:Name, e.g. contracts/Multi.sol:A.');
  });

  it('names the missing contract and lists the ones the file has', async () => {
    const error = await failure(
      compileSolidity({ file: 'contracts/Multi.sol:C', evmVersion: 'shanghai', cwd: root }),
    );
    expect(error.message).toBe('No contract C in contracts/Multi.sol.');
    expect(error.hint).toBe('Contracts found: contracts/Multi.sol:A, contracts/Multi.sol:B.');
  });

  it('reports compiler errors as COMPILATION_FAILED with solc messages, ignoring warnings', async () => {
    const cwd = project({
      'Broken.sol': `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Broken {
  function f() external pure returns (uint256) { return missing; }
}
`,
    });
    const error = await failure(
      compileSolidity({ file: 'Broken.sol', evmVersion: 'shanghai', cwd }),
    );
    expect(error.code).toBe('COMPILATION_FAILED');
    expect(error.step).toBe('input');
    expect(error.message).toMatch(
      /^Compiling Broken\.sol failed:\nDeclarationError: Undeclared identifier/,
    );
    expect(error.message).toContain('Broken.sol:4:');
    expect(error.details?.errors).toEqual([
      { type: 'DeclarationError', message: 'Undeclared identifier.', file: 'Broken.sol' },
    ]);
  });

  it('compiles despite warnings', async () => {
    const cwd = project({
      'Warn.sol':
        'pragma solidity ^0.8.20;\ncontract Warn { function f(uint256 unused) external {} }\n',
    });
    const warn = await compileSolidity({ file: 'Warn.sol', evmVersion: 'shanghai', cwd });
    expect(warn.contractName).toBe('Warn');
  });

  it('explains an unknown evmVersion and a missing file', async () => {
    const evm = await failure(
      compileSolidity({ file: 'contracts/Counter.sol', evmVersion: 'shanghay', cwd: root }),
    );
    expect(evm.code).toBe('COMPILATION_FAILED');
    expect(evm.hint).toMatch(/^evmVersion "shanghay" is unknown to solc v0\.8\.\d+/);
    const missing = await failure(
      compileSolidity({ file: 'contracts/Nope.sol', evmVersion: 'shanghai', cwd: root }),
    );
    expect(missing.code).toBe('INVALID_INPUT');
    expect(missing.message).toBe('Cannot read contracts/Nope.sol: ENOENT.');
  });

  it('resolves imports from the folder, node_modules and remappings.txt and inlines them', async () => {
    const cwd = project({
      'contracts/App.sol': `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {Base} from "./Base.sol";
import {Greeter} from "@acme/lib/Greeter.sol";
import {Owned} from "solmate/auth/Owned.sol";
contract App is Base, Greeter, Owned {
  constructor() Owned(msg.sender) {}
}
`,
      'contracts/Base.sol':
        'pragma solidity ^0.8.20;\nabstract contract Base { uint256 public x = 1; }\n',
      'node_modules/@acme/lib/Greeter.sol':
        'pragma solidity ^0.8.20;\ncontract Greeter { function greet() external pure returns (string memory) { return "hi"; } }\n',
      'lib/solmate/src/auth/Owned.sol':
        'pragma solidity ^0.8.20;\nabstract contract Owned { address public owner; constructor(address o) { owner = o; } }\n',
      'remappings.txt': '# foundry\nsolmate/=lib/solmate/src/\n',
    });
    const app = await compileSolidity({ file: 'contracts/App.sol', evmVersion: 'shanghai', cwd });
    expect(app.contractName).toBe('App');
    const input = app.source?.standardJsonInput as {
      sources: Record<string, { content: string }>;
      settings: { remappings: string[] };
    };
    expect(Object.keys(input.sources).sort()).toEqual([
      '@acme/lib/Greeter.sol',
      'contracts/App.sol',
      'contracts/Base.sol',
      'lib/solmate/src/auth/Owned.sol',
    ]);
    expect(input.settings.remappings).toEqual(['solmate/=lib/solmate/src/']);

    // The stored input is self-contained: it recompiles to the same bytecode without any files.
    const solc = await loadSolc();
    const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
    expect(`0x${output.contracts?.['contracts/App.sol']?.App?.evm?.bytecode?.object}`).toBe(
      app.bytecode,
    );
  });

  it('says where it looked for an import it cannot find', async () => {
    const cwd = project({
      'Main.sol':
        'pragma solidity ^0.8.20;\nimport "@openzeppelin/contracts/token/ERC20/ERC20.sol";\ncontract Main {}\n',
    });
    const error = await failure(compileSolidity({ file: 'Main.sol', evmVersion: 'shanghai', cwd }));
    expect(error.code).toBe('COMPILATION_FAILED');
    expect(error.message).toContain(
      'Source "@openzeppelin/contracts/token/ERC20/ERC20.sol" not found',
    );
    expect(error.message).toContain('node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol');
    expect(error.hint).toMatch(/^Install the imported package/);
  });

  it('refuses unlinked libraries by name, and links them when given', async () => {
    const cwd = project({
      'UsesLib.sol': `pragma solidity ^0.8.20;
library MathLib { function twice(uint256 x) external pure returns (uint256) { return x * 2; } }
contract UsesLib { function f(uint256 x) external pure returns (uint256) { return MathLib.twice(x); } }
`,
    });
    const error = await failure(
      compileSolidity({ file: 'UsesLib.sol:UsesLib', evmVersion: 'shanghai', cwd }),
    );
    expect(error.code).toBe('UNLINKED_LIBRARY');
    expect(error.message).toBe('Bytecode has unlinked library placeholders: UsesLib.sol:MathLib.');
    expect(error.hint).toMatch(/--libraries MathLib=0x…/);
    const address = '0x00000000000000000000000000000000000a11ce';
    const linked = await compileSolidity({
      file: 'UsesLib.sol:UsesLib',
      evmVersion: 'shanghai',
      cwd,
      libraries: { MathLib: address },
    });
    expect(linked.bytecode).toContain(address.slice(2));
  });
});
