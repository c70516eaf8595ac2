import { isPostgresUrl, migrate, openPostgresStore } from '../../adapters/store/postgres/index.ts';
import { SqliteStore } from '../../adapters/store/sqlite/sqlite-store.ts';
import { loadConfig } from '../../config/index.ts';
import type { GlobalFlags } from '../app.ts';
import { EXIT } from '../exit.ts';

/** Applies the store's pending migrations (also done at every start) and says which ran. */
export async function migrateCommand(flags: GlobalFlags): Promise<number> {
  const config = loadConfig({
    cwd: process.cwd(),
    ...(flags.config ? { configPath: flags.config } : {}),
    env: process.env,
    flags: flags.db ? { db: flags.db } : {},
  });
  if (isPostgresUrl(config.dbPath)) {
    const store = await openPostgresStore(config.dbPath, { migrate: false });
    try {
      const ran = await migrate(store.pool);
      process.stdout.write(
        ran.length ? `applied migrations ${ran.join(', ')}\n` : 'PostgreSQL store is up to date\n',
      );
    } finally {
      await store.close();
    }
    return EXIT.ok;
  }
  const store = new SqliteStore(config.dbPath); // migrates on open
  await store.close();
  process.stdout.write(`SQLite store ${config.dbPath} is up to date\n`);
  return EXIT.ok;
}
