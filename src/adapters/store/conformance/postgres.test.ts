import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../../test/harness/postgres.ts';
import { openPostgresStore } from '../postgres/index.ts';
import { describeStoreConformance } from './store-conformance.ts';

// One embedded cluster for this file; every test gets a fresh database in it.
let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

describeStoreConformance('PostgreSQL', async () => {
  const url = await postgres.newDatabase();
  const store = await openPostgresStore(url, { poolSize: 4 });
  return {
    store,
    connect: () => openPostgresStore(url, { poolSize: 4 }),
    cleanup: () => store.close(),
  };
});
