import type { TestIOClient } from '@testio-mcp/api-client';
import { playbookThresholdsFrom, type Clock, type Logger, type SharedSettings } from '@testio-mcp/domain';
import {
  createReadPorts,
  createReportFileWriter,
  databaseSizeBytes,
  defaultReadWorkers,
  resolveUserPath,
  type MirrorDatabase,
  type ReadPorts,
} from '@testio-mcp/persistence';
import { createServices, type Services } from '@testio-mcp/services';
import { createReadThrough, type ReadThrough, type SyncEngine } from '@testio-mcp/sync';
import { createApi, openMirror, type Mirror, type MirrorSettings } from './mirror.js';
import type { AppRuntime } from './runtime.js';
import { openServingPrincipals, type PrincipalSettings, type ServingPrincipals } from './auth/serving.js';

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

/** A serving app's settings: the services' plus its principal sources (keys, the master key). */
export type ServingSettings = ServiceSettings & PrincipalSettings;

export interface CreateAppServicesOptions {
  readonly settings: ServiceSettings;
  readonly runtime: AppRuntime;
  readonly mirror: Mirror<TestIOClient>;
  readonly logger: Logger;
  /** Wraps the read-through refresh, e.g. to count its decisions into the REST API's metrics. */
  readonly instrumentReadThrough?: (readThrough: ReadThrough) => ReadThrough;
  /** Where the reads run (`openReadPorts`); absent = on the mirror's connection, on this thread. */
  readonly reads?: ReadPorts;
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
  reads = createReadPorts({
    db: mirror.database.sqlite,
    path: mirror.database.path,
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
    clock,
    logger,
    settings: {
      defaultPageSize: settings.TESTIO_DEFAULT_PAGE_SIZE,
      cacheTtlSeconds: settings.CACHE_TTL_SECONDS,
      autoAcceptanceAlertThreshold: settings.AUTO_ACCEPTANCE_ALERT_THRESHOLD,
      productIds: runtime.productIds ?? null,
      databasePath: runtime.databasePath,
      databaseSizeBytes: () => databaseSizeBytes(runtime.databasePath),
      playbookThresholds: playbookThresholdsFrom(settings),
    },
  });
}

/** What the two serving apps (MCP server, REST API) share: the client, the mirror, the engine, the services. */
export interface ServingParts {
  readonly api: TestIOClient;
  readonly database: MirrorDatabase;
  readonly engine: SyncEngine;
  readonly clock: Clock;
  readonly services: Services;
  /** Who may call: the authenticator over TESTIO_API_KEYS and the database's keys (ADR 0022). */
  readonly principals: ServingPrincipals;
  /** Where the services' reads run: `workers` read threads, or 0 for this thread (ADR 0027). */
  readonly reads: ReadPorts;
  /** Stops the read workers, then closes the client and the database. */
  close(): Promise<void>;
}

export interface OpenServingPartsOptions extends Omit<CreateAppServicesOptions, 'mirror' | 'settings'> {
  readonly settings: ServingSettings;
  /** Who holds the sync lease when a sync runs through this engine (`mcp-server`, `rest-api`). */
  readonly role: string;
  readonly clock?: Clock;
  /**
   * Who calls this server, for the read workers' default when TESTIO_READ_WORKERS is unset: `shared`
   * (HTTP: many clients; cores + 1 workers) or `personal` (stdio: one person; one worker for the heavy
   * reads). Default `shared`.
   */
  readonly audience?: 'shared' | 'personal';
}

/** The read ports of a serving process: its workers from TESTIO_READ_WORKERS or the audience's default. */
export function openReadPorts(
  settings: Pick<ServiceSettings, 'TESTIO_READ_WORKERS'>,
  database: MirrorDatabase,
  logger: Logger,
  audience: 'shared' | 'personal' = 'shared',
): ReadPorts {
  return createReadPorts({
    db: database.sqlite,
    path: database.path,
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
export function openServingParts({
  role,
  clock,
  audience = 'shared',
  ...options
}: OpenServingPartsOptions): ServingParts {
  const { settings, runtime, logger } = options;
  const api = createApi(settings, runtime, logger);
  const mirror = openMirror({ settings, runtime, logger, api, role, ...(clock ? { clock } : {}) });
  const reads = openReadPorts(settings, mirror.database, logger, audience);
  const services = createAppServices({ ...options, mirror, reads });
  let principals: ServingPrincipals;
  try {
    principals = openServingPrincipals(settings, mirror.database.sqlite, mirror.clock);
  } catch (error) {
    void reads.close().then(() => mirror.close());
    throw error;
  }
  return {
    principals,
    api,
    database: mirror.database,
    engine: mirror.engine,
    clock: mirror.clock,
    services,
    reads,
    async close() {
      await reads.close();
      await mirror.close();
    },
  };
}
