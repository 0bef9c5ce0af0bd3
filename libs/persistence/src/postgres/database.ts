import { InvalidInputError, type Logger, type SyncStores } from '@testio-mcp/domain';
import type { MigrateResult } from '../migrator.js';
import { migratePostgres } from './migrator.js';
import { createPgSyncStores } from './stores/index.js';
import { createPgPool, type PgPool, type PgPoolOptions } from './pool.js';

export interface OpenPostgresDatabaseOptions {
  /** `postgresql://user@host:port/db` */
  readonly url: string;
  /** The tenant the returned ports are bound to (a positive integer). */
  readonly customerId: number;
  readonly logger?: Logger;
  /** Defaults to this repository's `prisma/postgresql/migrations`. */
  readonly migrationsDir?: string;
  readonly pool?: PgPoolOptions;
}

/** Everything bound to one tenant on PostgreSQL. */
export interface PgTenantDatabase {
  readonly customerId: number;
  /** The sync engine's write ports. */
  readonly stores: SyncStores;
}

export interface PgMirrorDatabase extends PgTenantDatabase {
  /** The connection pool every port of every tenant uses. */
  readonly pool: PgPool;
  /** What the start-up migration did. */
  readonly migrations: MigrateResult;
  /** The same database seen as another tenant. */
  forCustomer(customerId: number): PgTenantDatabase;
  /** Closes the pool (idempotent). */
  close(): Promise<void>;
}

function checkCustomerId(customerId: number): void {
  if (!Number.isSafeInteger(customerId) || customerId <= 0) {
    throw new InvalidInputError({
      message: `Invalid customer id '${customerId}'`,
      field: 'customerId',
      hint: 'Set TESTIO_CUSTOMER_ID to a positive integer',
    });
  }
}

/**
 * Opens the PostgreSQL mirror: a pool for `url`, pending migrations applied (under the migrator's advisory
 * lock, so several instances may start at once), and the ports bound to `customerId`. Throws
 * `MigrationError` when the migrations on disk disagree with the database; the pool is closed then.
 */
export async function openPostgresDatabase(options: OpenPostgresDatabaseOptions): Promise<PgMirrorDatabase> {
  checkCustomerId(options.customerId);
  const pool = createPgPool(options.url, options.pool);
  let migrations: MigrateResult;
  try {
    migrations = await migratePostgres(pool, {
      migrationsDir: options.migrationsDir,
      logger: options.logger,
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const tenant = (customerId: number): PgTenantDatabase => {
    checkCustomerId(customerId);
    return { customerId, stores: createPgSyncStores({ pool, customerId, logger: options.logger }) };
  };
  let closed = false;
  return {
    ...tenant(options.customerId),
    pool,
    migrations,
    forCustomer: tenant,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
