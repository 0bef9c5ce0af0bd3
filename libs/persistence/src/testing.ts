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
