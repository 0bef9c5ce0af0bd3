import {
  InvalidInputError,
  type InstanceSecretStore,
  type Logger,
  type RateWindowStore,
  type McpTaskStore,
  type SyncJobStore,
  type SyncStores,
} from '@testio-mcp/domain';
import {
  createAuditStore,
  createInstanceSecretStore,
  createPgInstanceSecretStore,
  createPgRateWindowStore,
  createPgMcpTaskStore,
  createPgSyncJobStore,
  createMcpTaskStore,
  createSyncJobStore,
  createPgAnalyticsReader,
  createPgAuditStore,
  createPgMirrorReader,
  createPgMirrorSearch,
  createPrincipalStore,
  createReadPorts,
  databaseSizeBytes,
  MigrationError,
  openAuditDatabase,
  openDatabase,
  openPgPrincipalSnapshot,
  openPostgresDatabase,
  setBusyTimeout,
  type AuditRow,
  type AuditStore,
  type MirrorDatabase,
  type PgAuditStore,
  type PgMirrorDatabase,
  type PrincipalStore,
  type ReadPorts,
} from '@testio-mcp/persistence';
import { databaseTarget, describeTarget, type DatabaseEngine, type DatabaseTarget } from './target.js';

/**
 * The mirror as every process uses it, whichever engine holds it (ADR 0034): the sync engine's stores per
 * tenant, the read ports, the principals, the audit sink, a ping for /health. Apps use only this; the
 * engine's own handle (`sqlite`) is there for tests and SQLite-only tools.
 */

/** One tenant's view: rows keyed by its customer id. */
export interface TenantDatabaseView {
  readonly customerId: number;
  readonly stores: SyncStores;
}

/** Where the audit trail writes: synchronous on SQLite (its own connection), asynchronous on PostgreSQL. */
export interface AuditSink {
  insertMany(rows: readonly AuditRow[]): void | Promise<void>;
  prune(before: Date): number | Promise<number>;
}

export interface AuditSinkHandle {
  readonly sink: AuditSink;
  /** Called before the last flush: the SQLite connection may then wait for a sync's lock a moment. */
  beforeLastFlush(): void;
  close(): void;
}

export interface ReadPortsRequest {
  readonly customerId: number;
  /** SQLite read threads (ADR 0027); PostgreSQL reads go through the pool and ignore it. */
  readonly workers: number;
  readonly logger?: Logger;
}

export interface AppDatabase extends TenantDatabaseView {
  readonly engine: DatabaseEngine;
  /** The file's path, or the URL without its password: safe to log and show. */
  readonly location: string;
  /** The same database seen as another tenant. */
  forCustomer(customerId: number): TenantDatabaseView;
  /** The read ports of one tenant. */
  openReads(request: ReadPortsRequest): ReadPorts;
  /** Tenants and API keys: synchronous (the authenticator asks per request); on PostgreSQL a fresh copy. */
  readonly principals: PrincipalStore;
  /** Waits for the principal writes made so far to be stored (a no-op on SQLite, where they are at once). */
  principalsSettled(): Promise<void>;
  /** Where the audit trail writes, opened per serving process. */
  openAuditSink(): AuditSinkHandle;
  /** Reads the audit entries (the CLI's `audit`). */
  listAudit: (...args: Parameters<AuditStore['list']>) => Promise<ReturnType<AuditStore['list']>>;
  /** The jobs of POST /api/sync, seen by every instance on the database (ADR 0035). */
  readonly syncJobs: SyncJobStore;
  /** MCP tasks, seen, cancelled and answered by every instance on the database (ADR 0035). */
  readonly mcpTasks: McpTaskStore;
  /**
   * Rate-limit windows every instance counts in (ADR 0035); undefined on SQLite, where one serving process
   * counts in its memory (cheaper, and it never waits for a sync's write lock on the serving thread).
   */
  readonly rateWindows: RateWindowStore | undefined;
  /** Keys every instance shares, such as the triage confirmation key (ADR 0035). */
  readonly instanceSecrets: InstanceSecretStore;
  /** Throws when the database does not answer a trivial query. */
  ping(): Promise<void>;
  /** The mirror's size on disk (SQLite: file + WAL), or the database's on the server. */
  sizeBytes(): Promise<number | null>;
  /** The SQLite handle; undefined on PostgreSQL. For tests and SQLite-only tools (`db copy`, benches). */
  readonly sqlite: MirrorDatabase | undefined;
  /** The PostgreSQL handle; undefined on SQLite. */
  readonly postgres: PgMirrorDatabase | undefined;
  close(): Promise<void>;
}

export interface OpenAppDatabaseOptions {
  readonly runtime: {
    readonly databasePath: string;
    readonly databaseUrl?: string | undefined;
    readonly customerId: number;
  };
  readonly logger: Logger;
  /** PostgreSQL: the principal copy's fallback reload interval (default 5 s). */
  readonly principalRefreshMs?: number;
}

/** How long the audit trail's last batch may wait for another writer when the server stops. */
const AUDIT_CLOSE_WAIT_MS = 2_000;

/** Opens (and migrates) the mirror the runtime names: PostgreSQL when TESTIO_DATABASE_URL is set. */
export async function openAppDatabase(options: OpenAppDatabaseOptions): Promise<AppDatabase> {
  const target = databaseTarget(options.runtime);
  const logger = options.logger.child({ component: 'persistence' });
  if (target.engine === 'sqlite') {
    return sqliteAppDatabase(
      openDatabase({ path: target.path, customerId: options.runtime.customerId, logger }),
    );
  }
  return openPostgresAppDatabase(target, options.runtime.customerId, logger, options.principalRefreshMs);
}

/** The facade over an open SQLite mirror: its behaviour and speed exactly as before ADR 0034. */
export function sqliteAppDatabase(database: MirrorDatabase): AppDatabase {
  const principals = createPrincipalStore(database.sqlite);
  const audit = createAuditStore(database.sqlite);
  return {
    engine: 'sqlite',
    location: database.path,
    customerId: database.customerId,
    stores: database.stores,
    forCustomer: (customerId) => database.forCustomer(customerId),
    openReads: ({ customerId, workers, logger }) =>
      createReadPorts({
        db: database.sqlite,
        path: database.path,
        customerId,
        workers,
        ...(logger ? { logger } : {}),
      }),
    principals,
    principalsSettled: async () => undefined,
    openAuditSink() {
      // The audit trail writes through a connection of its own that never waits for a lock: a batch that
      // meets a sync's write transaction fails at once and is tried again a moment later, so the serving
      // thread (every request) never stalls behind the sync.
      const connection = openAuditDatabase(database.path);
      return {
        sink: createAuditStore(connection),
        beforeLastFlush: () => setBusyTimeout(connection, AUDIT_CLOSE_WAIT_MS),
        close: () => connection.close(),
      };
    },
    listAudit: async (query) => audit.list(query),
    syncJobs: createSyncJobStore(database.sqlite),
    mcpTasks: createMcpTaskStore(database.sqlite),
    rateWindows: undefined,
    instanceSecrets: createInstanceSecretStore(database.sqlite),
    ping: async () => {
      database.sqlite.prepare('SELECT 1').get();
    },
    sizeBytes: async () => databaseSizeBytes(database.path),
    sqlite: database,
    postgres: undefined,
    close: () => database.close(),
  };
}

async function openPostgresAppDatabase(
  target: Extract<DatabaseTarget, { engine: 'postgresql' }>,
  customerId: number,
  logger: Logger,
  principalRefreshMs: number | undefined,
): Promise<AppDatabase> {
  const location = describeTarget(target);
  let database: PgMirrorDatabase;
  try {
    database = await openPostgresDatabase({ url: target.url, customerId, logger });
  } catch (error) {
    throw unreachable(error, location);
  }
  let principals: Awaited<ReturnType<typeof openPgPrincipalSnapshot>>;
  try {
    principals = await openPgPrincipalSnapshot({
      pool: database.pool,
      logger: logger.child({ component: 'principals' }),
      ...(principalRefreshMs === undefined ? {} : { refreshIntervalMs: principalRefreshMs }),
    });
  } catch (error) {
    await database.close();
    throw unreachable(error, location);
  }
  const audit: PgAuditStore = createPgAuditStore(database.pool);
  const pool = database.pool;
  return {
    engine: 'postgresql',
    location,
    customerId: database.customerId,
    stores: database.stores,
    forCustomer: (id) => database.forCustomer(id),
    openReads: ({ customerId: id, logger: readLogger }) => ({
      reader: createPgMirrorReader(pool, id),
      analytics: createPgAnalyticsReader(pool, id),
      search: createPgMirrorSearch(pool, id, readLogger),
      workers: 0,
      close: async () => undefined,
    }),
    principals,
    principalsSettled: () => principals.settled(),
    openAuditSink: () => ({ sink: audit, beforeLastFlush: () => undefined, close: () => undefined }),
    listAudit: (query) => audit.list(query),
    syncJobs: createPgSyncJobStore(pool),
    mcpTasks: createPgMcpTaskStore(pool),
    rateWindows: createPgRateWindowStore(pool),
    instanceSecrets: createPgInstanceSecretStore(pool),
    ping: async () => {
      await pool.query('SELECT 1');
    },
    sizeBytes: async () => {
      const { rows } = await pool.query<{ bytes: number }>(
        'SELECT pg_database_size(current_database()) AS "bytes"',
      );
      return rows[0]?.bytes ?? null;
    },
    sqlite: undefined,
    postgres: database,
    async close() {
      await principals.close();
      await database.close();
    },
  };
}

/** Driver error codes in words; the driver's own message is never shown (it may carry the host's secrets). */
function causeInWords(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'Nothing accepts connections at that host and port';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'The host name does not resolve';
    case 'ETIMEDOUT':
      return 'The server did not answer in time';
    case '28P01':
    case '28000':
      return 'The server refused the user name or password';
    case '3D000':
      return 'The server has no database of that name';
    case '42501':
      return 'The user may not create the tables the mirror needs';
    default:
      return typeof code === 'string' ? `The connection failed (${code})` : 'The connection failed';
  }
}

function unreachable(error: unknown, location: string): unknown {
  if (error instanceof MigrationError || error instanceof InvalidInputError) return error;
  return new InvalidInputError({
    field: 'TESTIO_DATABASE_URL',
    message: `Cannot open the PostgreSQL mirror at ${location}`,
    reason: causeInWords(error),
    hint: 'Check that PostgreSQL runs and TESTIO_DATABASE_URL names its host, port, user and an existing database; unset TESTIO_DATABASE_URL to use the SQLite file',
  });
}
