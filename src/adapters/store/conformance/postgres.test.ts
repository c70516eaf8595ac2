import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../../test/harness/postgres.ts';
import { openPostgresStore } from '../postgres/index.ts';
import { describeStoreConformance } from './store-conformance.ts';

// One embedded cluster and database for this file; every test gets a fresh schema in it
// (`search_path` in the URL), which is ~20× quicker than a fresh database.
let postgres: TestPostgres;
let schemas = 0;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

describeStoreConformance('PostgreSQL', async () => {
  const schema = `test_${++schemas}`;
  const admin = await openPostgresStore(postgres.url, { poolSize: 1, migrate: false });
  await admin.pool.query(`CREATE SCHEMA ${schema}`);
  await admin.close();
  const url = `${postgres.url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const store = await openPostgresStore(url, { poolSize: 4 });
  return {
    store,
    connect: () => openPostgresStore(url, { poolSize: 4 }),
    cleanup: () => store.close(),
  };
});
