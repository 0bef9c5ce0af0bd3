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
  onServer as onPgServer,
  pgTestServerUrl,
  withDatabase,
  TEST_DATABASE_URL_VARIABLE,
} from './postgres/testing.js';
export type { PgTestDatabase } from './postgres/testing.js';

import type {
  InstanceSecretStore,
  McpTaskStore,
  RateWindowStore,
  SyncJobStore,
  SyncStores,
} from '@testio-mcp/domain';
import type pg from 'pg';
import type { Sqlite } from './sqlite.js';
import type { MirrorCounts } from './queries.js';
import {
  createPgInstanceSecretStore,
  createPgRateWindowStore,
  createPgSyncJobStore,
} from './postgres/shared-state.js';
import { createPgMcpTaskStore } from './postgres/mcp-tasks.js';
import { createMcpTaskStore } from './mcp-tasks.js';
import { createInstanceSecretStore, createRateWindowStore, createSyncJobStore } from './shared-state.js';
import { openDatabase as openSqliteDatabase } from './database.js';
import { openPostgresDatabase as openPgDatabase } from './postgres/database.js';
import { createPgTestDatabase as createPgDb } from './postgres/testing.js';

/** The stores serving instances share through the database (ADR 0035). */
export interface SharedStateStores {
  readonly syncJobs: SyncJobStore;
  readonly mcpTasks: McpTaskStore;
  readonly rateWindows: RateWindowStore;
  readonly secrets: InstanceSecretStore;
}

function sqliteSharedState(sqlite: Sqlite): SharedStateStores {
  return {
    syncJobs: createSyncJobStore(sqlite),
    mcpTasks: createMcpTaskStore(sqlite),
    rateWindows: createRateWindowStore(sqlite),
    secrets: createInstanceSecretStore(sqlite),
  };
}

function pgSharedState(pool: pg.Pool): SharedStateStores {
  return {
    syncJobs: createPgSyncJobStore(pool),
    mcpTasks: createPgMcpTaskStore(pool),
    rateWindows: createPgRateWindowStore(pool),
    secrets: createPgInstanceSecretStore(pool),
  };
}

/** What a contract suite sees of a test database, whichever the engine. */
export interface EngineTestDatabase {
  readonly engine: 'sqlite' | 'postgres';
  readonly customerId: number;
  readonly stores: SyncStores;
  readonly shared: SharedStateStores;
  /** Whole-mirror counts in the sandbox's ground-truth shape. */
  readonly queries: { countsForTruthComparison(): Promise<MirrorCounts> };
  /** The same database seen as another tenant. */
  forCustomer(customerId: number): { readonly customerId: number; readonly stores: SyncStores };
  /**
   * The same database through a new connection (SQLite) or pool (PostgreSQL), as another process would
   * open it. Closed by `cleanup` at the latest.
   */
  connectAgain(): Promise<{
    readonly stores: SyncStores;
    readonly shared: SharedStateStores;
    close(): Promise<void>;
  }>;
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
    shared: sqliteSharedState(db.sqlite),
    queries: db.queries,
    forCustomer: (customerId) => db.forCustomer(customerId),
    async connectAgain() {
      const other = openSqliteDatabase({ path: db.path, customerId: db.customerId });
      others.push(other);
      return { stores: other.stores, shared: sqliteSharedState(other.sqlite), close: () => other.close() };
    },
    rows: <R>(sql: string, params: unknown[] = []) => {
      try {
        const statement = db.sqlite.prepare(sql);
        if (!statement.reader) {
          statement.run(...params);
          return Promise.resolve([] as R[]);
        }
        return Promise.resolve(statement.all(...params) as R[]);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
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
    shared: pgSharedState(db.pool),
    queries: db.queries,
    forCustomer: (customerId) => db.forCustomer(customerId),
    async connectAgain() {
      const other = await openPgDatabase({ url: db.url, customerId: db.customerId });
      others.push(other);
      return { stores: other.stores, shared: pgSharedState(other.pool), close: () => other.close() };
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

/**
 * Two serving instances' view of one fresh database: the first through the test database's own
 * connection or pool, the second through another, as two processes see it (ADR 0035's contract).
 */
export async function openTwoInstances(
  engine: TestEngine,
): Promise<{ a: SharedStateStores; b: SharedStateStores; db: EngineTestDatabase; cleanup(): Promise<void> }> {
  const db = await engine.open();
  const other = await db.connectAgain();
  return { a: db.shared, b: other.shared, db, cleanup: () => db.cleanup() };
}
