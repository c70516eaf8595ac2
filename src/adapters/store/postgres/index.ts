import { migrate } from './migrate.ts';
import { PostgresStore } from './postgres-store.ts';

export { MIGRATION_LOCK_KEY, migrate, migrationFiles } from './migrate.ts';
export { PostgresStore } from './postgres-store.ts';
export { EVENTS_CHANNEL } from './sql.ts';

/** Is this `--db` / `HYPERDEPLOY_DB` value a PostgreSQL URL? */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

/**
 * Opens the PostgreSQL store at `url` (`postgres://user:pass@host:port/db`; a schema other than
 * `public` with `?options=-c%20search_path%3Dname`), applying pending migrations first (under
 * an advisory lock, so processes may start together) unless `migrate: false`.
 */
export async function openPostgresStore(
  url: string,
  options: { poolSize?: number; migrate?: boolean } = {},
): Promise<PostgresStore> {
  const store = new PostgresStore({ connectionString: url, max: options.poolSize ?? 10 });
  try {
    if (options.migrate !== false) await migrate(store.pool);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}
