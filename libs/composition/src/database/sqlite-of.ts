import type { Sqlite } from '@testio-mcp/persistence';
import type { AppDatabase } from './app-database.js';

/** The SQLite connection under the facade, for tests that look at rows directly; throws on PostgreSQL. */
export function sqliteOf(database: Pick<AppDatabase, 'sqlite' | 'engine'>): Sqlite {
  if (!database.sqlite)
    throw new Error(`this test reads SQLite rows, but the mirror is on ${database.engine}`);
  return database.sqlite.sqlite;
}
