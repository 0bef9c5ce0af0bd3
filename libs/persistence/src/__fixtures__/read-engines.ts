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
import { createTestDatabase } from '../testing.js';

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

async function openPostgres(): Promise<ReadTestDatabase> {
  const db = await createPgTestDatabase();
  return {
    engine: 'postgres',
    pool: db.pool,
    write: async (fn) => {
      await fn((customerId = 1) => db.forCustomer(customerId).stores);
    },
    reader: (customerId = 1) => createPgMirrorReader(db.pool, customerId),
    mirrorSearch: (customerId = 1) => createPgMirrorSearch(db.pool, customerId),
    searchIndex: (customerId = 1) => createPgSearchIndex(db.pool, customerId),
    cleanup: () => db.cleanup(),
  };
}

export const READ_ENGINES: readonly ReadEngine[] = [
  { name: 'sqlite', open: openSqlite },
  { name: 'postgres', open: openPostgres },
];
