import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { isPostgresUrl } from '../src/adapters/store/postgres/index.ts';
import { startPostgres } from '../test/harness/postgres.ts';

/** A fresh PostgreSQL database for one benchmark run. */
export interface BenchDatabase {
  url: string;
  /** Drops the database (kept with `keep`, except an embedded server's, which stops). */
  drop(keep: boolean): Promise<void>;
}

/**
 * `embedded-postgres` starts a throwaway server (as the tests do); `postgres://…` names a server
 * on which a fresh database is created (the URL's user needs CREATEDB), so earlier runs never
 * count in this one's results.
 */
export async function openBenchDatabase(db: string): Promise<BenchDatabase> {
  if (db === 'embedded-postgres') {
    const server = await startPostgres();
    return { url: server.url, drop: () => server.stop() };
  }
  if (!isPostgresUrl(db)) throw new Error('--db: expected postgres://… or embedded-postgres');
  const name = `hd_chaos_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(db);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async (keep) => {
      if (!keep) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
