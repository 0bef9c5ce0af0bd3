import type { MirrorReader } from '@testio-mcp/domain';
import type pg from 'pg';
import { createPgBugsReader } from './bugs-reader.js';
import { createPgFeaturesReader } from './features-reader.js';
import { createPgMirrorStateReader } from './mirror-state-reader.js';
import { createPgProductsReader } from './products-reader.js';
import { pgReaderContext } from './sql.js';
import { createPgTestsReader } from './tests-reader.js';
import { createPgUsersReader } from './users-reader.js';

/**
 * The services' read port on PostgreSQL (`pg`, raw SQL written for PostgreSQL), the counterpart of
 * `createMirrorReader`: one reader per entity over one tenant-bound context, the same results, order and
 * pages (the contract suite `readers/readers.test.ts` runs on both engines).
 */
export function createPgMirrorReader(pool: pg.Pool, customerId: number): MirrorReader {
  const ctx = pgReaderContext(pool, customerId);
  return {
    ...createPgProductsReader(ctx),
    ...createPgTestsReader(ctx),
    ...createPgBugsReader(ctx),
    ...createPgFeaturesReader(ctx),
    ...createPgUsersReader(ctx),
    ...createPgMirrorStateReader(ctx),
  };
}
