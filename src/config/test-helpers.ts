import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/** A temp working directory per test, removed afterwards. */
export function useTempDir(): { dir: () => string; write: (name: string, text: unknown) => void } {
  let current: string | undefined;
  afterEach(() => {
    if (current) rmSync(current, { recursive: true, force: true });
    current = undefined;
  });
  const dir = (): string => {
    current ??= mkdtempSync(path.join(tmpdir(), 'hyperdeploy-config-'));
    return current;
  };
  const write = (name: string, content: unknown): void =>
    writeFileSync(
      path.join(dir(), name),
      typeof content === 'string' ? content : JSON.stringify(content),
    );
  return { dir, write };
}
