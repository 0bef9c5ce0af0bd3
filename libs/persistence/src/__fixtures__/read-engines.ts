import type { MirrorReader, SearchPort, SyncStores } from '@testio-mcp/domain';
import type pg from 'pg';
import { createPgMirrorReader } from '../postgres/readers/mirror-reader.js';
import { createPgMirrorSearch, createPgSearchIndex } from '../postgres/search.js';
import { createPgTestDatabase } from '../postgres/testing.js';
import { createMirrorReader } from '../readers/mirror-reader.js';
import { createMirrorSearch } from '../readers/mirror-search.js';
import type { SearchIndex } from '../search.js';
import { createSearchIndex } from '../search.js';
import type { Sqlite } from '../sqlite.js';
import { createTestDatabase, type TestDatabase } from '../testing.js';

/**
 * One mirror database for the read-side contract suites (readers, search), on either engine: filled through
 * the sync's write ports (`SyncStores`), read through the engine's readers and search. Suites run
 * `describe.each(READ_ENGINES)` so every case runs on SQLite and on PostgreSQL.
 */
export interface ReadTestDatabase {
  readonly engine: 'sqlite' | 'postgres';
  /** Writes through the `SyncStores` of the tenants `fn` asks for (tenant 1 unless told). */
  write(fn: (stores: (customerId?: number) => SyncStores) => Promise<unknown>): Promise<void>;
  reader(customerId?: number): MirrorReader;
  mirrorSearch(customerId?: number): SearchPort;
  searchIndex(customerId?: number): SearchIndex;
  /** The engine's connection, for checks of the index itself. */
  readonly sqlite?: Sqlite;
  readonly pool?: pg.Pool;
  cleanup(): Promise<void>;
}

export interface ReadEngine {
  readonly name: 'sqlite' | 'postgres';
  open(): Promise<ReadTestDatabase>;
}

function openSqlite(): Promise<ReadTestDatabase> {
  const db = createTestDatabase();
  return Promise.resolve({
    engine: 'sqlite',
    sqlite: db.sqlite,
    write: async (fn) => {
      await fn((customerId = 1) => db.forCustomer(customerId).stores);
    },
    reader: (customerId = 1) => createMirrorReader(db.sqlite, customerId),
    mirrorSearch: (customerId = 1) => createMirrorSearch(db.sqlite, customerId),
    searchIndex: (customerId = 1) => createSearchIndex(db.sqlite, customerId),
    cleanup: () => db.cleanup(),
  });
}

/** PostgreSQL's stores, once the database object offers them (`stores`, `forCustomer(n).stores`). */
type WithStores = { stores?: SyncStores; forCustomer(customerId: number): { stores?: SyncStores } };

async function openPostgres(): Promise<ReadTestDatabase> {
  const db = await createPgTestDatabase();
  const pgStores = (db as unknown as WithStores).stores;
  // Without PostgreSQL write stores, the same writes go to a SQLite mirror through its stores and every
  // row the stores wrote is copied over (the derived tables and the search index are then filled by the
  // PostgreSQL triggers): the data, `pk`s included, is the SQLite suite's, row for row.
  let source: TestDatabase | undefined;
  const write: ReadTestDatabase['write'] = pgStores
    ? async (fn) => {
        await fn((customerId = 1) => {
          const stores = (db as unknown as WithStores).forCustomer(customerId).stores;
          if (!stores) throw new Error('no PostgreSQL stores for this tenant');
          return stores;
        });
      }
    : async (fn) => {
        source ??= createTestDatabase();
        const from = source;
        await fn((customerId = 1) => from.forCustomer(customerId).stores);
        await copyMirror(from.sqlite, db.pool);
      };
  return {
    engine: 'postgres',
    pool: db.pool,
    write,
    reader: (customerId = 1) => createPgMirrorReader(db.pool, customerId),
    mirrorSearch: (customerId = 1) => createPgMirrorSearch(db.pool, customerId),
    searchIndex: (customerId = 1) => createPgSearchIndex(db.pool, customerId),
    async cleanup() {
      await db.cleanup();
      await source?.cleanup();
    },
  };
}

export const READ_ENGINES: readonly ReadEngine[] = [
  { name: 'sqlite', open: openSqlite },
  { name: 'postgres', open: openPostgres },
];

/** The tables the sync's stores write, parents first. */
const STORE_TABLES = [
  'products',
  'sections',
  'features',
  'user_stories',
  'tests',
  'test_features',
  'test_platforms',
  'bugs',
  'users',
  'sync_metadata',
  'sync_runs',
  'problematic_ranges',
  'sync_leases',
];

/**
 * Replaces the PostgreSQL mirror's rows with the SQLite mirror's (every table the stores write; JSON text
 * parsed, 0/1 as booleans), in one transaction.
 */
export async function copyMirror(sqlite: Sqlite, pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const tables = (
      await client.query<{ name: string }>(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE '\\_%'",
      )
    ).rows.map((r) => `"${r.name}"`);
    await client.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY CASCADE`);
    for (const table of STORE_TABLES) {
      const rows = sqlite.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
      if (rows.length === 0) continue;
      const types = new Map(
        (
          await client.query<{ column_name: string; data_type: string }>(
            'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
            [table],
          )
        ).rows.map((r) => [r.column_name, r.data_type]),
      );
      const converted = rows.map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([column, value]) => {
            const type = types.get(column);
            if (value === null || value === undefined) return [column, null];
            if ((type === 'json' || type === 'jsonb') && typeof value === 'string') {
              return [column, JSON.parse(value) as unknown];
            }
            if (type === 'boolean') return [column, value === 1 || value === true];
            return [column, value];
          }),
        ),
      );
      await client.query(
        `INSERT INTO "${table}" SELECT * FROM json_populate_recordset(NULL::"${table}", $1::json)`,
        [JSON.stringify(converted)],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
