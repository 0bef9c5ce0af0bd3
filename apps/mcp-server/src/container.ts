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
  type SyncEngine,
} from '@testio-mcp/sync';
import type { McpServerSettings } from './config.js';
import type { HealthReport } from './transports/http.js';

/**
 * The composition root of the MCP server: the only place that builds the HTTP client, the SQLite
 * mirror, the sync engine and the services, and hands the services to the tools. The MCP server does
 * not run the periodic sync (the worker does); `sync_data` runs one through this engine, and the
 * engine's lease keeps it from overlapping the worker.
 */

/** What the server needs to reach TestIO and the mirror, checked and resolved once. */
export interface McpRuntime {
  readonly token: string;
  readonly baseUrl: string;
  readonly databasePath: string;
  readonly customerId: number;
  readonly productIds: readonly number[] | undefined;
  readonly demo: boolean;
}

export function resolveMcpRuntime(settings: McpServerSettings): McpRuntime {
  const token = settings.TESTIO_CUSTOMER_API_TOKEN;
  if (!token) {
    throw new InvalidInputError({
      field: 'TESTIO_CUSTOMER_API_TOKEN',
      message: 'No TestIO API token is configured (TESTIO_CUSTOMER_API_TOKEN)',
      reason:
        'The MCP server reads your account from the local mirror and refreshes it from the TestIO Customer API, which needs a token',
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

export interface McpContainer {
  readonly runtime: McpRuntime;
  readonly services: Services;
  readonly database: MirrorDatabase;
  readonly api: TestIOClient;
  readonly engine: SyncEngine;
  readonly clock: Clock;
  /** What GET /health answers: the mirror is readable, and the last sync run. */
  health(): Promise<HealthReport>;
  close(): Promise<void>;
}

export interface McpContainerOptions {
  readonly settings: McpServerSettings;
  readonly runtime: McpRuntime;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Wraps the read-through refresh, e.g. to count its decisions into the hosted REST API's metrics. */
  readonly instrumentReadThrough?: (readThrough: ReadThrough) => ReadThrough;
}

export function createMcpContainer({
  settings,
  runtime,
  logger,
  clock = systemClock,
  instrumentReadThrough = (readThrough) => readThrough,
}: McpContainerOptions): McpContainer {
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
      holderId: leaseHolderId('mcp-server'),
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

  return {
    runtime,
    services,
    database,
    api,
    engine,
    clock,
    async health() {
      const status = await engine.status({ runs: 1 });
      const last = status.runs[0];
      return {
        status: 'ok',
        demo: runtime.demo,
        database: { path: runtime.databasePath, products: status.products.length },
        sync: {
          running: status.running,
          last_run: last
            ? {
                id: last.id,
                status: last.status,
                trigger: last.trigger,
                started_at: last.startedAt.toISOString(),
                finished_at: last.finishedAt?.toISOString() ?? null,
              }
            : null,
          circuit_breaker_open: status.breaker.open,
        },
      };
    },
    async close() {
      api.close();
      await database.close();
    },
  };
}
