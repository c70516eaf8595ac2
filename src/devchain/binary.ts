import { createRequire } from 'node:module';
import { HyperdeployError } from '../core/errors.ts';

// Platform packages of @foundry-rs/anvil, by Node's platform and arch.
const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': 'anvil-linux-amd64',
  'linux-arm64': 'anvil-linux-arm64',
  'darwin-x64': 'anvil-darwin-amd64',
  'darwin-arm64': 'anvil-darwin-arm64',
  'win32-x64': 'anvil-win32-amd64',
};

/**
 * Path of the anvil binary shipped in the platform package. The `@foundry-rs/anvil` wrapper
 * script is not used: it adds a node process between us and anvil that a kill may orphan.
 */
export function anvilBinaryPath(): string {
  const pkg = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  if (pkg !== undefined) {
    try {
      return createRequire(import.meta.url).resolve(`@foundry-rs/${pkg}/bin/${exe}`);
    } catch {
      // Fall through to the error below.
    }
  }
  throw new HyperdeployError(
    'INTERNAL',
    `anvil binary not found for ${process.platform}-${process.arch}`,
    {
      hint: `Install the dependencies with \`npm ci\` (needs @foundry-rs/${pkg ?? 'anvil-<platform>'}), or pass binaryPath.`,
    },
  );
}
