import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../../test/harness/postgres.ts';
import type { JournalNotification } from '../../../ports/store.ts';
import { fold, journal, logLine } from '../conformance/journals.ts';
import { isPostgresUrl, migrate, openPostgresStore } from './index.ts';
import { jsonbSafe, parseNotification } from './sql.ts';

// What the conformance suite cannot see: migrations, NOTIFY, the PostgreSQL-only details.
let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

const waitFor = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  for (const start = Date.now(); !(await check()); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
  }
};

describe('PostgresStore', () => {
  it('migrates once when several processes start together on a new database', async () => {
    const url = await postgres.newDatabase();
    const stores = await Promise.all(Array.from({ length: 6 }, () => openPostgresStore(url)));
    const [first] = stores;
    if (!first) throw new Error('no store');
    const { rows } = await first.pool.query(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(rows).toEqual([
      { version: 1, name: '001_journal.sql' },
      { version: 2, name: '002_nonce_claims.sql' },
      { version: 3, name: '003_idempotency.sql' },
      { version: 4, name: '004_leases.sql' },
      { version: 5, name: '005_status_chain_index.sql' },
    ]);
    expect(await migrate(first.pool)).toEqual([]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('announces every committed append on hyperdeploy_events, to listeners on any node', async () => {
    const url = await postgres.newDatabase();
    const [writer, reader] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    const heard: JournalNotification[] = [];
    const unlisten = await reader.listen((n) => heard.push(n));

    const { events, state } = journal('d1', 'pending');
    await writer.create('d1', events, state, { key: 'k', requestHash: 'h' });
    await writer.create('d2', events, state, { key: 'k', requestHash: 'h' }); // no-op: key used
    const more = [logLine('a'), logLine('b')];
    await writer.append('d1', 1, more, fold(state, more));
    await expect(writer.append('d1', 1, more, fold(state, more))).rejects.toThrow(); // rolled back
    const third = [logLine('c')];
    await writer.append('d1', 3, third, fold(fold(state, more), third));
    await waitFor(() => heard.length >= 3);
    await new Promise((r) => setTimeout(r, 100)); // nothing else arrives
    expect(heard).toEqual([
      { deploymentId: 'd1', seq: 1, count: 1 },
      { deploymentId: 'd1', seq: 3, count: 2 },
      { deploymentId: 'd1', seq: 4, count: 1 },
    ]);

    await unlisten();
    await writer.append('d1', 4, third, fold(fold(fold(state, more), third), third));
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toHaveLength(3);
    await Promise.all([writer.close(), reader.close()]);
  });

  it('keeps ids and timestamps in byte order whatever the database collation', async () => {
    // en-US orders 'a-b' < 'ab' < 'aB' (punctuation ignored first); byte order does not.
    const url = await postgres.newDatabase(
      "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'",
    );
    const store = await openPostgresStore(url);
    const ids = ['a-b', 'a_c', 'aB', 'ab', 'A-c', 'a.b'];
    for (const id of ids) {
      const { events, state } = journal(id, 'pending');
      await store.append(id, 0, events, state);
    }
    const listed = (await store.list({})).items.map((d) => d.id);
    expect(listed).toEqual([...ids].sort().reverse()); // JS sort is by UTF-16 code unit
    await store.close();
  });

  it('closes its listeners with the store', async () => {
    const url = await postgres.newDatabase();
    const store = await openPostgresStore(url);
    await store.listen(() => undefined);
    await store.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const listening = async () => {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
      );
      return rows[0]?.n;
    };
    for (let i = 0; i < 100 && (await listening()) !== 0; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await listening()).toBe(0);
    await admin.end();
  });
});

describe('PostgreSQL helpers', () => {
  it('listens again after its connection is cut, and hears what is appended after', async () => {
    const url = await postgres.newDatabase();
    const store = await openPostgresStore(url);
    const heard: JournalNotification[] = [];
    const errors: Error[] = [];
    await store.listen(
      (n) => heard.push(n),
      (e) => errors.push(e),
    );
    const listening = () =>
      store.pool.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN hyperdeploy_events'",
      );
    const [before] = (await listening()).rows;
    await store.pool.query('SELECT pg_terminate_backend($1)', [before?.pid]);
    await waitFor(async () => {
      const { rows } = await listening();
      return rows.length === 1 && rows[0]?.pid !== before?.pid;
    });
    expect(errors.length).toBeGreaterThan(0);
    const { events, state } = journal('d1', 'pending');
    await store.create('d1', events, state);
    await waitFor(() => heard.length === 1);
    expect(heard).toEqual([{ deploymentId: 'd1', seq: 1, count: 1 }]);
    await store.close();
  });

  it('recognises postgres URLs', () => {
    expect(isPostgresUrl('postgres://u:p@h:5432/db')).toBe(true);
    expect(isPostgresUrl('postgresql://h/db')).toBe(true);
    expect(isPostgresUrl('.hyperdeploy/hyperdeploy.db')).toBe(false);
  });

  it('parses notifications, ids with colons included', () => {
    expect(parseNotification('42:3:dep:1')).toEqual({ deploymentId: 'dep:1', seq: 42, count: 3 });
    expect(parseNotification('nope')).toBeNull();
    expect(parseNotification('4:x:dep')).toBeNull();
    expect(parseNotification(undefined)).toBeNull();
  });

  it('replaces only real U+0000 escapes for JSONB', () => {
    const json = JSON.stringify({ a: 'x\u0000y', b: '\\u0000', c: '\\\u0000' });
    const parsed = JSON.parse(jsonbSafe(json));
    expect(parsed).toEqual({ a: 'x\uFFFDy', b: '\\u0000', c: '\\\uFFFD' });
  });
});
