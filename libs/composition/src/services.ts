import type { TestIOClient } from '@testio-mcp/api-client';
import { playbookThresholdsFrom, type Clock, type Logger, type SharedSettings } from '@testio-mcp/domain';
import {
  createReportFileWriter,
  defaultReadWorkers,
  resolveUserPath,
  type ReadPorts,
} from '@testio-mcp/persistence';
import { createServices, type Services } from '@testio-mcp/services';
import { createReadThrough, type ReadThrough, type SyncEngine } from '@testio-mcp/sync';
import { createApi, openMirror, type Mirror, type MirrorSettings } from './mirror.js';
import type { AppRuntime } from './runtime.js';
import { openServingPrincipals, type PrincipalSettings, type ServingPrincipals } from './auth/serving.js';
import { createAuditTrail, type AuditTrail } from './audit/audit-trail.js';
import { sharedConfirmationKey } from './auth/confirmation-key.js';
import {
  createRateLimits,
  sharedLimiter,
  rateLimitConfig,
  type RateBudget,
  type RateLimits,
  type RateLimitSettings,
} from './limits/rate-limits.js';
import { createTenantServices, type TenantServices } from './tenants/tenant-services.js';
import type { AppDatabase, AuditSinkHandle } from './database/app-database.js';

/** The settings the services read: the shared ones, plus the alert threshold of the MCP server and REST API. */
export type ServiceSettings = MirrorSettings &
  Pick<
    SharedSettings,
    | 'TESTIO_EXPORT_DIR'
    | 'TESTIO_DEFAULT_PAGE_SIZE'
    | 'PLAYBOOK_REJECTION_WARNING'
    | 'PLAYBOOK_REJECTION_CRITICAL'
    | 'PLAYBOOK_AUTO_ACCEPTANCE_WARNING'
    | 'PLAYBOOK_AUTO_ACCEPTANCE_CRITICAL'
    | 'PLAYBOOK_REVIEW_WARNING'
    | 'PLAYBOOK_REVIEW_CRITICAL'
    | 'TESTIO_READ_WORKERS'
  > & { readonly AUTO_ACCEPTANCE_ALERT_THRESHOLD: number };

/** A serving app's settings: the services' plus its principal sources (keys, the master key), limits and audit. */
export type ServingSettings = ServiceSettings &
  PrincipalSettings &
  RateLimitSettings & { readonly TESTIO_AUDIT_RETENTION_DAYS?: number | undefined };

export interface CreateAppServicesOptions {
  readonly settings: ServiceSettings;
  readonly runtime: AppRuntime;
  /** One tenant's parts: its client and engine, and the mirror with that tenant's stores. */
  readonly mirror: Pick<Mirror<TestIOClient>, 'api' | 'engine' | 'clock'> & {
    readonly database: Pick<AppDatabase, 'stores' | 'openReads' | 'location' | 'sizeBytes'>;
  };
  readonly logger: Logger;
  /** Wraps the read-through refresh, e.g. to count its decisions into the REST API's metrics. */
  readonly instrumentReadThrough?: (readThrough: ReadThrough) => ReadThrough;
  /** Where the reads run (`openReadPorts`); absent = on the mirror's connection, on this thread. */
  readonly reads?: ReadPorts;
  /** The triage confirmation key every instance shares (`sharedConfirmationKey`); absent = one per process. */
  readonly confirmationKey?: () => Promise<Buffer | undefined>;
}

/**
 * The services the MCP tools and the REST controllers answer from: readers and search over the mirror,
 * the read-through refresh of stale entities, report files, and the sync engine for `sync_data` and
 * `POST /api/sync`.
 */
export function createAppServices({
  settings,
  runtime,
  mirror,
  logger,
  instrumentReadThrough = (readThrough) => readThrough,
  confirmationKey,
  reads = mirror.database.openReads({
    customerId: runtime.customerId,
    workers: 0,
    logger: logger.child({ component: 'search' }),
  }),
}: CreateAppServicesOptions): Services {
  const { api, database, engine, clock } = mirror;
  const readThrough = instrumentReadThrough(
    createReadThrough({
      api,
      stores: database.stores,
      clock,
      logger,
      cacheTtlSeconds: settings.CACHE_TTL_SECONDS,
    }),
  );
  return createServices({
    reader: reads.reader,
    analytics: reads.analytics,
    reportFiles: createReportFileWriter(resolveUserPath(settings.TESTIO_EXPORT_DIR)),
    search: reads.search,
    readThrough,
    engine,
    api,
    productStore: database.stores.products,
    // Bug triage (ADR 0032) writes through the tenant's client and its bug store; the tools that call it
    // are served only when writes are turned on.
    triage: { api, bugs: database.stores.bugs, ...(confirmationKey ? { confirmationKey } : {}) },
    clock,
    logger,
    settings: {
      defaultPageSize: settings.TESTIO_DEFAULT_PAGE_SIZE,
      cacheTtlSeconds: settings.CACHE_TTL_SECONDS,
      autoAcceptanceAlertThreshold: settings.AUTO_ACCEPTANCE_ALERT_THRESHOLD,
      productIds: runtime.productIds ?? null,
      databasePath: database.location,
      databaseSizeBytes: () => database.sizeBytes(),
      playbookThresholds: playbookThresholdsFrom(settings),
    },
  });
}

/** What the two serving apps (MCP server, REST API) share: the client, the mirror, the engine, the services. */
export interface ServingParts {
  readonly api: TestIOClient;
  readonly database: AppDatabase;
  readonly engine: SyncEngine;
  readonly clock: Clock;
  /** `default`'s services (the environment's account). */
  readonly services: Services;
  /** The services of the principal's tenant, for every request (ADR 0024). */
  readonly tenants: TenantServices;
  /** Who may call: the authenticator over TESTIO_API_KEYS and the database's keys (ADR 0022). */
  readonly principals: ServingPrincipals;
  /** Where the services' reads run: `workers` read threads, or 0 for this thread (ADR 0027). */
  readonly reads: ReadPorts;
  /** Every MCP tool call and REST request, recorded off the hot path (ADR 0025). */
  readonly audit: AuditTrail;
  /** Per-principal limits, one budget per principal for MCP and REST on one port (ADR 0025). */
  readonly rateLimits: RateLimits;
  /** Stops the read workers, flushes the audit trail, closes the client and the database. */
  close(): Promise<void>;
}

export interface OpenServingPartsOptions extends Omit<CreateAppServicesOptions, 'mirror' | 'settings'> {
  readonly settings: ServingSettings;
  /** Who holds the sync lease when a sync runs through this engine (`mcp-server`, `rest-api`). */
  readonly role: string;
  readonly clock?: Clock;
  /** Requests without a principal, per client address (the REST API's TESTIO_REST_RATE_LIMIT); default off. */
  readonly anonymousRateLimit?: RateBudget;
  /**
   * Who calls this server, for the read workers' default when TESTIO_READ_WORKERS is unset: `shared`
   * (HTTP: many clients; cores + 1 workers) or `personal` (stdio: one person; one worker for the heavy
   * reads). Default `shared`.
   */
  readonly audience?: 'shared' | 'personal';
  /** PostgreSQL: the principal copy's fallback reload interval (ADR 0034; default 5 s). */
  readonly principalRefreshMs?: number;
}

/** The read ports of a serving process: its workers from TESTIO_READ_WORKERS or the audience's default. */
export function openReadPorts(
  settings: Pick<ServiceSettings, 'TESTIO_READ_WORKERS'>,
  database: Pick<AppDatabase, 'openReads' | 'customerId'>,
  logger: Logger,
  audience: 'shared' | 'personal' = 'shared',
): ReadPorts {
  return database.openReads({
    customerId: database.customerId,
    workers: settings.TESTIO_READ_WORKERS ?? defaultReadWorkers(audience),
    logger: logger.child({ component: 'read-pool' }),
  });
}

/**
 * The parts a serving app answers from: the TestIO client for the runtime's token, the mirror and the
 * sync engine over both (`sync_data`, `POST /api/sync` run through it; its lease keeps them from
 * overlapping the worker), and the services.
 */
export async function openServingParts({
  role,
  clock,
  anonymousRateLimit = { points: 0, windowSeconds: 60 },
  audience = 'shared',
  principalRefreshMs,
  ...options
}: OpenServingPartsOptions): Promise<ServingParts> {
  const { settings, runtime, logger } = options;
  const api = createApi(settings, runtime, logger);
  const mirror = await openMirror({
    settings,
    runtime,
    logger,
    api,
    role,
    ...(clock ? { clock } : {}),
    ...(principalRefreshMs === undefined ? {} : { principalRefreshMs }),
  });
  const reads = openReadPorts(settings, mirror.database, logger, audience);
  // One triage confirmation key for every instance on the database, sealed under the master key (ADR 0035);
  // the master key is known once the principals are open, before any request.
  let masterKey: Buffer | undefined;
  const confirmationKey = sharedConfirmationKey(
    mirror.database.instanceSecrets,
    () => masterKey,
    mirror.clock,
  );
  const services = createAppServices({ ...options, mirror, reads, confirmationKey });
  let principals: ServingPrincipals;
  try {
    principals = openServingPrincipals(settings, mirror.database.principals, mirror.clock, {
      baseUrl: runtime.baseUrl,
      token: runtime.token,
      customerId: runtime.customerId,
    });
    masterKey = principals.masterKey;
  } catch (error) {
    void reads.close().then(() => mirror.close());
    throw error;
  }
  // On SQLite the audit trail writes through a connection of its own that never waits for a lock (see
  // AppDatabase.openAuditSink), so the serving thread never stalls behind a sync.
  let auditSink: AuditSinkHandle;
  let audit: AuditTrail;
  try {
    auditSink = mirror.database.openAuditSink();
    audit = createAuditTrail({
      store: auditSink.sink,
      clock: mirror.clock,
      logger: logger.child({ component: 'audit' }),
      retentionDays: settings.TESTIO_AUDIT_RETENTION_DAYS ?? 90,
    });
  } catch (error) {
    void reads.close().then(() => mirror.close());
    throw error;
  }
  const tenants = createTenantServices({
    settings,
    runtime,
    defaults: services,
    database: mirror.database,
    store: principals.store,
    masterKey: principals.masterKey,
    confirmationKey,
    logger,
    role,
    clock: mirror.clock,
    ...(options.instrumentReadThrough ? { instrumentReadThrough: options.instrumentReadThrough } : {}),
  });
  return {
    principals,
    audit,
    // PostgreSQL: one budget for every instance on the database; SQLite: this process' memory (ADR 0035).
    rateLimits: createRateLimits(
      rateLimitConfig(settings, anonymousRateLimit),
      mirror.database.rateWindows
        ? sharedLimiter(mirror.database.rateWindows, mirror.clock, rateStoreWarning(logger))
        : undefined,
    ),
    api,
    database: mirror.database,
    engine: mirror.engine,
    clock: mirror.clock,
    services,
    tenants,
    reads,
    async close() {
      tenants.close();
      await reads.close();
      // The last batch may wait for a sync's transaction: the server is stopping, no request waits.
      auditSink.beforeLastFlush();
      await audit.close();
      auditSink.close();
      await mirror.close();
    },
  };
}

/** Logs a failing rate-window store at most once a minute: every request would otherwise log it. */
function rateStoreWarning(logger: Logger): (error: unknown, during: 'count' | 'prune') => void {
  let warnedAt = Number.NEGATIVE_INFINITY;
  return (error, during) => {
    if (Date.now() - warnedAt < 60_000) return;
    warnedAt = Date.now();
    logger.warn(
      { err: error, during },
      during === 'count'
        ? 'rate windows cannot be counted in the database; counting in this process until it answers'
        : 'expired rate windows could not be pruned',
    );
  };
}
