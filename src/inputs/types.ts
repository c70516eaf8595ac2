import type { Abi, Hex } from 'viem';

/** A contract ready to deploy: what every input (source, artifact, raw bytecode) resolves to. */
export interface ContractArtifact {
  /** The contract's name, e.g. `Token`. */
  contractName: string;
  /** The JSON ABI; at least the constructor is needed to encode arguments. */
  abi: Abi;
  /** Creation bytecode (0x-prefixed, libraries linked), without constructor arguments. */
  bytecode: Hex;
  /** What explorers need to verify the contract; absent when the input did not carry it. */
  source?: SolidityBuildSource;
}

/** The compiler input and settings the bytecode came from. */
export interface SolidityBuildSource {
  /** The solc standard JSON input, with every source's content inlined. */
  standardJsonInput: unknown;
  /** Long compiler version as explorers want it, e.g. `v0.8.37+commit.f401782d`. */
  compilerVersion: string;
  /** `path/File.sol:Name`, the source unit name as in the standard JSON input. */
  fullyQualifiedName: string;
  /** The EVM version the bytecode was compiled for, e.g. `shanghai`. */
  evmVersion: string;
}

/** solc's link references: source unit -> library name -> positions of its placeholders. */
export type LinkReferences = Record<string, Record<string, unknown>>;

/** Library addresses by name (`Lib`) or fully qualified name (`path/Lib.sol:Lib`). */
export type LibraryAddresses = Record<string, string>;
