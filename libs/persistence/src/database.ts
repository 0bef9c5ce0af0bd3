import { resolve } from 'node:path';
import { InvalidInputError, type Logger, type SyncStores } from '@testio-mcp/domain';
import type { PrismaClient } from './generated/prisma/client.js';
import { migrate, type MigrateResult } from './migrator.js';
import { createPrismaClient } from './prisma-client.js';
import { MirrorQueries } from './queries.js';
import { createSearchIndex, type SearchIndex } from './search.js';
import { openSqlite, type Sqlite } from './sqlite.js';
import { createSyncStores } from './stores/index.js';

export interface OpenDatabaseOptions {
  /** SQLite file; created (with its directory) when missing. */
  readonly path: string;
  /** The tenant `stores`, `search` and `queries` are bound to (a positive integer). */
  readonly customerId: number;
  readonly logger?: Logger;
  /** Defaults to this repository's `prisma/migrations`. */
  readonly migrationsDir?: string;
  /** How long to wait for another writer; default 10 s. */
  readonly busyTimeoutMs?: number;
}

/** Everything bound to one tenant. */
export interface TenantDatabase {
  readonly customerId: number;
  /** The sync engine's write ports. */
  readonly stores: SyncStores;
  /** Full-text search over products, features, tests and bugs. */
  readonly search: SearchIndex;
  /** Whole-mirror counts through Prisma, for tests that compare the mirror with the sandbox's truth. */
  readonly queries: MirrorQueries;
}

export interface MirrorDatabase extends TenantDatabase {
  readonly path: string;
  /**
   * A Prisma client on its own connection (same PRAGMAs), created on first use: production reads and
   * writes go through `sqlite` (ADR 0017); tests use this one to look at the mirror independently. Do
   * not write through it.
   */
  readonly prisma: PrismaClient;
  /** The better-sqlite3 connection every store, reader and search uses. */
  readonly sqlite: Sqlite;
  /** What the start-up migration did. */
  readonly migrations: MigrateResult;
  /** The same database seen as another tenant. */
  forCustomer(customerId: number): TenantDatabase;
  /** Closes the connection (and the Prisma client's, when one was created). */
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
 * Opens the mirror: creates the file and its directory, sets the connection PRAGMAs (WAL, busy timeout,
 * foreign keys, synchronous=NORMAL), applies pending migrations and builds the stores and search. The
 * Prisma client is created only when something asks for `prisma` or `queries` (tests do; production
 * does not, ADR 0017). Throws `MigrationError` when the migrations on disk disagree with the database.
 */
export function openDatabase(options: OpenDatabaseOptions): MirrorDatabase {
  checkCustomerId(options.customerId);
  const path = resolve(options.path);
  const logger = options.logger;
  const sqlite = openSqlite(path, { busyTimeoutMs: options.busyTimeoutMs });
  let migrations: MigrateResult;
  try {
    migrations = migrate(sqlite, { migrationsDir: options.migrationsDir, logger });
  } catch (error) {
    sqlite.close();
    throw error;
  }
  let prisma: PrismaClient | undefined;
  const prismaClient = (): PrismaClient =>
    (prisma ??= createPrismaClient(path, { busyTimeoutMs: options.busyTimeoutMs }));

  const tenant = (customerId: number): TenantDatabase => {
    checkCustomerId(customerId);
    return {
      customerId,
      stores: createSyncStores({ db: sqlite, customerId, logger }),
      search: createSearchIndex(sqlite, customerId, logger),
      queries: new MirrorQueries(prismaClient, customerId),
    };
  };

  let closed = false;
  return {
    ...tenant(options.customerId),
    path,
    get prisma() {
      return prismaClient();
    },
    sqlite,
    migrations,
    forCustomer: tenant,
    async close() {
      if (closed) return;
      closed = true;
      await prisma?.$disconnect();
      sqlite.close();
    },
  };
}
