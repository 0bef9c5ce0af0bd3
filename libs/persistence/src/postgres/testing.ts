import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { readMigrations } from '../migrator.js';
import { openPostgresDatabase, type OpenPostgresDatabaseOptions, type PgMirrorDatabase } from './database.js';
import { DEFAULT_PG_MIGRATIONS_DIR, migratePostgres } from './migrator.js';
import { createPgPool } from './pool.js';
import { startThrowawayServer, type ThrowawayServer } from './test-server.js';

/** The variable naming a PostgreSQL server tests may create databases on. */
export const TEST_DATABASE_URL_VARIABLE = 'TESTIO_TEST_DATABASE_URL';

export interface PgTestDatabase extends PgMirrorDatabase {
  /** The fresh database's own URL. */
  readonly url: string;
  /** Its name on the server (`testio_<random>`). */
  readonly database: string;
  /** Closes the pool and drops the database. */
  cleanup(): Promise<void>;
}

let throwaway: Promise<ThrowawayServer> | undefined;

/**
 * The server tests use: `TESTIO_TEST_DATABASE_URL` when set, otherwise a throwaway server started once per
 * test process (see test-server.ts). Never skipped: without either, this throws and says what to install.
 */
export async function pgTestServerUrl(): Promise<string> {
  const fromEnv = process.env[TEST_DATABASE_URL_VARIABLE]?.trim();
  if (fromEnv) return fromEnv;
  throwaway ??= startThrowawayServer();
  try {
    return (await throwaway).url;
  } catch (error) {
    throwaway = undefined;
    throw error;
  }
}

/** The same server URL naming another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** One client on `serverUrl` for `fn` (CREATE/DROP DATABASE, advisory locks), closed after it. */
export async function onServer<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Advisory lock keys ("testio-mcp", "template") serialising template creation between test processes. */
const TEMPLATE_LOCK = [0x74696f, 0x746d70] as const;

const templates = new Map<string, Promise<string>>();

/**
 * The name of a database on the server holding exactly the migrations of `migrationsDir` (default: this
 * repository's), created once and then copied by `CREATE DATABASE ... TEMPLATE` (a copy takes a fraction of
 * the time the migrations take). Named by the migrations' checksums, so a changed migration gets a new one,
 * and shared by test processes (created under an advisory lock, migrated under another name, then renamed).
 */
async function migratedTemplate(serverUrl: string, migrationsDir: string): Promise<string> {
  const digest = createHash('sha256');
  for (const file of readMigrations(migrationsDir)) digest.update(`${file.name}:${file.checksum}\n`);
  const name = `testio_tpl_${digest.digest('hex').slice(0, 16)}`;
  const key = `${serverUrl} ${name}`;
  let template = templates.get(key);
  if (!template) {
    template = onServer(serverUrl, async (c) => {
      await c.query('SELECT pg_advisory_lock($1, $2)', [...TEMPLATE_LOCK]);
      try {
        const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (rowCount) return name;
        const building = `testio_build_${randomBytes(6).toString('hex')}`;
        await c.query(`CREATE DATABASE "${building}"`);
        const pool = createPgPool(withDatabase(serverUrl, building), { max: 1 });
        try {
          await migratePostgres(pool, { migrationsDir });
        } catch (error) {
          await pool.end();
          await c.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
          throw error;
        }
        await pool.end();
        await c.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
        return name;
      } finally {
        await c.query('SELECT pg_advisory_unlock($1, $2)', [...TEMPLATE_LOCK]);
      }
    });
    templates.set(key, template);
    template.catch(() => templates.delete(key));
  }
  return template;
}

/**
 * A fresh database on the test server (`CREATE DATABASE testio_<random>`): empty, or, with `migrated`, a copy
 * of the migrated template. Returns its URL and a function that drops it (closing whatever connections are left).
 */
export async function createEmptyPgDatabase(
  options: { migrated?: boolean; migrationsDir?: string } = {},
): Promise<{ url: string; database: string; drop(): Promise<void> }> {
  const serverUrl = await pgTestServerUrl();
  const database = `testio_${randomBytes(8).toString('hex')}`;
  const template = options.migrated
    ? await migratedTemplate(serverUrl, options.migrationsDir ?? DEFAULT_PG_MIGRATIONS_DIR)
    : undefined;
  await onServer(serverUrl, (c) =>
    c.query(`CREATE DATABASE "${database}"${template ? ` TEMPLATE "${template}"` : ''}`),
  );
  return {
    url: withDatabase(serverUrl, database),
    database,
    drop: () =>
      onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/**
 * A migrated PostgreSQL mirror in a FRESH database (one per call), bound to `customerId` (default 1). Call
 * `cleanup()` in `afterEach`/`afterAll`: it closes the pool and drops the database.
 */
export async function createPgTestDatabase(
  options: Partial<Omit<OpenPostgresDatabaseOptions, 'url'>> = {},
): Promise<PgTestDatabase> {
  const empty = await createEmptyPgDatabase({ migrated: true, migrationsDir: options.migrationsDir });
  let db: PgMirrorDatabase;
  try {
    db = await openPostgresDatabase({ customerId: 1, ...options, url: empty.url });
  } catch (error) {
    await empty.drop();
    throw error;
  }
  let cleaned = false;
  return {
    ...db,
    url: empty.url,
    database: empty.database,
    close: () => db.close(),
    forCustomer: (customerId) => db.forCustomer(customerId),
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await db.close();
      await empty.drop();
    },
  };
}
