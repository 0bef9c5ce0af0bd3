import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MirrorDatabase, openDatabase, type OpenDatabaseOptions } from './database.js';

export interface TestDatabase extends MirrorDatabase {
  /** The temporary directory holding the file (removed by `cleanup`). */
  readonly dir: string;
  /** Closes the database and deletes its directory. */
  cleanup(): Promise<void>;
}

/**
 * A migrated database in a fresh temporary directory (a real SQLite file, FTS5 included). Call
 * `cleanup()` in `afterEach`/`afterAll`.
 */
export function createTestDatabase(options: Partial<OpenDatabaseOptions> = {}): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'testio-mcp-db-'));
  const db = openDatabase({ customerId: 1, ...options, path: options.path ?? join(dir, 'mirror.db') });
  return {
    ...db,
    dir,
    async cleanup() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { toDbTime } from './time.js';

export {
  createEmptyPgDatabase,
  createPgTestDatabase,
  pgTestServerUrl,
  TEST_DATABASE_URL_VARIABLE,
} from './postgres/testing.js';
export type { PgTestDatabase } from './postgres/testing.js';

import type { SyncStores } from '@testio-mcp/domain';
import { openDatabase as openSqliteDatabase } from './database.js';
import { openPostgresDatabase as openPgDatabase } from './postgres/database.js';
import { createPgTestDatabase as createPgDb } from './postgres/testing.js';

/** What a contract suite sees of a test database, whichever the engine. */
export interface EngineTestDatabase {
  readonly engine: 'sqlite' | 'postgres';
  readonly customerId: number;
  readonly stores: SyncStores;
  /** The same database seen as another tenant. */
  forCustomer(customerId: number): { readonly customerId: number; readonly stores: SyncStores };
  /**
   * The same database through a new connection (SQLite) or pool (PostgreSQL), as another process would
   * open it. Closed by `cleanup` at the latest.
   */
  connectAgain(): Promise<{ readonly stores: SyncStores; close(): Promise<void> }>;
  /** One SQL query with positional parameters (`?` on SQLite, `$1` on PostgreSQL), for assertions. */
  rows<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  cleanup(): Promise<void>;
}

export interface TestEngine {
  readonly name: 'sqlite' | 'postgres';
  open(options?: { customerId?: number }): Promise<EngineTestDatabase>;
}

async function openSqliteEngine(options: { customerId?: number } = {}): Promise<EngineTestDatabase> {
  const db = createTestDatabase({ customerId: options.customerId ?? 1 });
  const others: { close(): Promise<void> }[] = [];
  return {
    engine: 'sqlite',
    customerId: db.customerId,
    stores: db.stores,
    forCustomer: (customerId) => db.forCustomer(customerId),
    async connectAgain() {
      const other = openSqliteDatabase({ path: db.path, customerId: db.customerId });
      others.push(other);
      return { stores: other.stores, close: () => other.close() };
    },
    rows: <R>(sql: string, params: unknown[] = []) =>
      Promise.resolve(db.sqlite.prepare(sql).all(...params) as R[]),
    async cleanup() {
      for (const other of others.splice(0)) await other.close();
      await db.cleanup();
    },
  };
}

async function openPostgresEngine(options: { customerId?: number } = {}): Promise<EngineTestDatabase> {
  const db = await createPgDb({ customerId: options.customerId ?? 1 });
  const others: { close(): Promise<void> }[] = [];
  return {
    engine: 'postgres',
    customerId: db.customerId,
    stores: db.stores,
    forCustomer: (customerId) => db.forCustomer(customerId),
    async connectAgain() {
      const other = await openPgDatabase({ url: db.url, customerId: db.customerId });
      others.push(other);
      return { stores: other.stores, close: () => other.close() };
    },
    rows: async <R>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as R[],
    async cleanup() {
      for (const other of others.splice(0)) await other.close();
      await db.cleanup();
    },
  };
}

/**
 * Both engines, for contract suites: `describe.each(testEngines)('$name', (engine) => ...)`. PostgreSQL
 * uses TESTIO_TEST_DATABASE_URL when set, otherwise a throwaway server (see postgres/testing.ts).
 */
export const testEngines: readonly TestEngine[] = [
  { name: 'sqlite', open: openSqliteEngine },
  { name: 'postgres', open: openPostgresEngine },
];
