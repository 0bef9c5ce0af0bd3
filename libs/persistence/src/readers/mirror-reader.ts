import type { MirrorReader } from '@testio-mcp/domain';
import type { Sqlite } from '../sqlite.js';
import { createBugsReader } from './bugs-reader.js';
import { createFeaturesReader } from './features-reader.js';
import { createMirrorStateReader } from './mirror-state-reader.js';
import { createProductsReader } from './products-reader.js';
import { readerContext } from './sql.js';
import { createTestsReader } from './tests-reader.js';
import { createUsersReader } from './users-reader.js';

/**
 * The services' read port on SQLite (better-sqlite3, prepared statements, raw SQL: ADR 0017 has the
 * measurement behind that choice), composed of one reader per entity over one tenant-bound context.
 */
export function createMirrorReader(db: Sqlite, customerId: number): MirrorReader {
  const ctx = readerContext(db, customerId);
  return {
    ...createProductsReader(ctx),
    ...createTestsReader(ctx),
    ...createBugsReader(ctx),
    ...createFeaturesReader(ctx),
    ...createUsersReader(ctx),
    ...createMirrorStateReader(ctx),
  };
}
