import { createTestIOClient, type TestIOClient } from '@testio-mcp/api-client';
import {
  InvalidInputError,
  playbookThresholdsFrom,
  systemClock,
  type Clock,
  type Logger,
} from '@testio-mcp/domain';
import {
  createAnalyticsReader,
  createMirrorReader,
  createMirrorSearch,
  createReportFileWriter,
  databaseSizeBytes,
  defaultDatabasePath,
  openDatabase,
  resolveUserPath,
  type MirrorDatabase,
} from '@testio-mcp/persistence';
import { createServices, type Services } from '@testio-mcp/services';
import {
  createReadThrough,
  createSyncEngine,
  isDeadLocalHolder,
  leaseHolderId,
  type ReadThrough,
  type RefreshOutcome,
  type SyncEngine,
} from '@testio-mcp/sync';
import type { AppDeps, AppOptions } from './app.js';
import { apiKeysRequired, type RestApiSettings } from './config.js';
import { createHealthProbe, type HealthProbe } from './health.js';
import { createMetrics, type ApiMetrics, type CacheEntity } from './metrics.js';
import { SyncJobs } from './sync-jobs.js';

/**
 * The composition root of the REST API: the only place that builds the HTTP client, the SQLite
 * mirror, the sync engine, the read-through cache and the services. The REST API does not run the
 * periodic sync (the worker does); `POST /api/sync` runs one through this engine, whose lease keeps
 * it from overlapping the worker and the MCP server.
 */

export interface RestRuntime {
  readonly token: string;
  readonly baseUrl: string;
  readonly databasePath: string;
  readonly customerId: number;
  readonly productIds: readonly number[] | undefined;
  readonly demo: boolean;
}

export function resolveRestRuntime(settings: RestApiSettings): RestRuntime {
  const token = settings.TESTIO_CUSTOMER_API_TOKEN;
  if (!token) {
    throw new InvalidInputError({
      field: 'TESTIO_CUSTOMER_API_TOKEN',
      message: 'No TestIO API token is configured (TESTIO_CUSTOMER_API_TOKEN)',
      reason:
        'The REST API reads your account from the local mirror and refreshes it from the TestIO Customer API, which needs a token',
      hint: 'Put TESTIO_CUSTOMER_API_TOKEN in .env (TestIO UI: Integrations → API), or run `npm start` for the demo on simulated data',
    });
  }
  return {
    token,
    baseUrl: settings.TESTIO_CUSTOMER_API_BASE_URL,
    databasePath: resolveUserPath(settings.TESTIO_DB_PATH ?? defaultDatabasePath()),
    customerId: settings.TESTIO_CUSTOMER_ID,
    productIds: settings.TESTIO_PRODUCT_IDS,
    demo: settings.TESTIO_DEMO_MODE,
  };
}

/** Counts every read-through decision into `testio_cache_lookups_total`. */
export function instrumentReadThrough(readThrough: ReadThrough, metrics: ApiMetrics): ReadThrough {
  const count = (entity: CacheEntity) => (outcome: RefreshOutcome) => {
    const add = (kind: 'hit' | 'refreshed' | 'failed' | 'deleted', n: number) => {
      if (n > 0) metrics.cacheLookups.inc({ entity, outcome: kind }, n);
    };
    add('hit', outcome.cacheHits.length);
    add('refreshed', outcome.refreshed.length);
    add('failed', outcome.failed.length);
    add('deleted', outcome.deleted.length);
    return outcome;
  };
  return {
    ensureTestsFresh: (ids, options) => readThrough.ensureTestsFresh(ids, options).then(count('tests')),
    ensureBugsFresh: (ids, options) => readThrough.ensureBugsFresh(ids, options).then(count('bugs')),
    ensureFeaturesFresh: (ids, options) =>
      readThrough.ensureFeaturesFresh(ids, options).then(count('features')),
    // A first-sync read-ahead walks whole products, not cached entities: not a cache lookup.
    ensureProductTests: (ids) => readThrough.ensureProductTests(ids),
  };
}

/** What `createApp` needs, from the settings. */
export function appOptionsFromSettings(settings: RestApiSettings, version: string): AppOptions {
  const interval = settings.TESTIO_REFRESH_INTERVAL_SECONDS;
  return {
    apiKeys: settings.TESTIO_API_KEYS ?? [],
    requireApiKey: apiKeysRequired(settings),
    trustProxy: settings.TESTIO_REST_TRUST_PROXY,
    basePath: settings.TESTIO_REST_BASE_PATH,
    corsOrigins: settings.TESTIO_REST_CORS_ORIGINS ?? [],
    rateLimit: settings.TESTIO_REST_RATE_LIMIT,
    rateLimitWindowSeconds: settings.TESTIO_REST_RATE_LIMIT_WINDOW_SECONDS,
    bodyLimit: settings.TESTIO_REST_BODY_LIMIT,
    version,
    demo: settings.TESTIO_DEMO_MODE,
    // Two missed periodic syncs make the data stale; with periodic sync off, a day.
    staleAfterSeconds: interval > 0 ? interval * 2 : 86_400,
  };
}

export interface RestContainer {
  readonly runtime: RestRuntime;
  readonly services: Services;
  readonly database: MirrorDatabase;
  readonly api: TestIOClient;
  readonly engine: SyncEngine;
  readonly health: HealthProbe;
  readonly metrics: ApiMetrics;
  readonly syncJobs: SyncJobs;
  /** Everything `createApp` takes. */
  appDeps(options: AppOptions): AppDeps;
  /** Stops running syncs (they end as interrupted), then closes the client and the database. */
  close(): Promise<void>;
}

export interface RestContainerOptions {
  readonly settings: RestApiSettings;
  readonly runtime: RestRuntime;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly basePath?: string;
}

export function createRestContainer({
  settings,
  runtime,
  logger,
  clock = systemClock,
  basePath = '',
}: RestContainerOptions): RestContainer {
  const metrics = createMetrics();
  const api = createTestIOClient({
    baseUrl: runtime.baseUrl,
    token: runtime.token,
    maxConcurrentRequests: settings.MAX_CONCURRENT_API_REQUESTS,
    timeoutMs: Math.round(settings.HTTP_TIMEOUT_SECONDS * 1000),
    logger: logger.child({ component: 'api-client' }),
  });
  const database = openDatabase({
    path: runtime.databasePath,
    customerId: runtime.customerId,
    logger: logger.child({ component: 'persistence' }),
  });
  const engine = createSyncEngine({
    api,
    stores: database.stores,
    clock,
    logger,
    options: {
      cacheTtlSeconds: settings.CACHE_TTL_SECONDS,
      productConcurrency: settings.MAX_CONCURRENT_API_REQUESTS,
      holderId: leaseHolderId('rest-api'),
      canStealLease: isDeadLocalHolder,
      ...(runtime.productIds ? { productIds: runtime.productIds } : {}),
      countUpstreamCalls: () => api.stats().requests,
      refreshIntervalMs: Math.max(1, settings.TESTIO_REFRESH_INTERVAL_SECONDS) * 1000,
    },
  });
  const readThrough = instrumentReadThrough(
    createReadThrough({
      api,
      stores: database.stores,
      clock,
      logger,
      cacheTtlSeconds: settings.CACHE_TTL_SECONDS,
    }),
    metrics,
  );
  const services = createServices({
    reader: createMirrorReader(database.sqlite, runtime.customerId),
    analytics: createAnalyticsReader(database.sqlite, runtime.customerId),
    reportFiles: createReportFileWriter(resolveUserPath(settings.TESTIO_EXPORT_DIR)),
    search: createMirrorSearch(database.sqlite, runtime.customerId, logger.child({ component: 'search' })),
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
  const health = createHealthProbe({ database, engine, clock });
  metrics.setSources({ upstream: () => api.stats(), health });
  const syncJobs = new SyncJobs({ services, logger, clock, metrics, basePath });

  return {
    runtime,
    services,
    database,
    api,
    engine,
    health,
    metrics,
    syncJobs,
    appDeps: (options) => ({ services, logger, health, options, metrics, syncJobs, clock }),
    async close() {
      await syncJobs.shutdown();
      api.close();
      await database.close();
    },
  };
}
