import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Key of the advisory lock that serializes migrations across processes ("hd-migr"). */
export const MIGRATION_LOCK_KEY = 0x68642d6d696772n;

/**
 * Applies the numbered SQL migrations (`NNN_name.sql`) not yet recorded in
 * `schema_migrations`, in one transaction under a transaction-level advisory lock: processes
 * starting together on a new database wait for the first one and then find nothing to do.
 * Returns the versions it applied.
 */
export async function migrate(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM schema_migrations',
    );
    const applied = new Set(rows.map((row) => row.version));
    const ran: number[] = [];
    for (const file of migrationFiles()) {
      const version = Number(file.slice(0, 3));
      if (applied.has(version)) continue;
      await client.query(readFileSync(MIGRATIONS_DIR + file, 'utf8'));
      await client.query(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
        [version, file, new Date().toISOString()],
      );
      ran.push(version);
    }
    await client.query('COMMIT');
    return ran;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The migration files, in order. */
export const migrationFiles = (): string[] =>
  readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d{3}_.+\.sql$/.test(file))
    .sort();
