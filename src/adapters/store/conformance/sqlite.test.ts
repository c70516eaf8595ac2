import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../../ports/store.ts';
import { SqliteStore } from '../sqlite/sqlite-store.ts';
import { describeStoreConformance } from './store-conformance.ts';

// A file, not :memory:, so that several instances (connections) share one database.
describeStoreConformance('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hyperdeploy-conformance-'));
  const path = join(dir, 'store.db');
  const store = new SqliteStore(path);
  return {
    store,
    connect: async (): Promise<Store> => new SqliteStore(path),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
