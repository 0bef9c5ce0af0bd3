import { createTestIOClient } from '@testio-mcp/api-client';
import { InvalidInputError, systemClock, type Logger, type TestIOApi } from '@testio-mcp/domain';
import { openDatabase, type MirrorDatabase } from '@testio-mcp/persistence';
import { createSyncEngine, isDeadLocalHolder, leaseHolderId, type SyncEngine } from '@testio-mcp/sync';
import type { SyncRuntime, SyncWorkerSettings } from './config.js';

/**
 * The composition root of sync processes: the only place that wires the HTTP client and the SQLite
 * stores into the sync engine.
 */
export interface SyncContainer {
  readonly runtime: SyncRuntime;
  readonly database: MirrorDatabase;
  readonly engine: SyncEngine;
  close(): Promise<void>;
}

/** Stands in for the client when no token is configured: local-only commands work, remote calls explain. */
function offlineApi(): TestIOApi & { stats(): { requests: number }; close(): void } {
  const refuse = (): never => {
    throw new InvalidInputError({
      field: 'TESTIO_CUSTOMER_API_TOKEN',
      message: 'No TestIO API token is configured (TESTIO_CUSTOMER_API_TOKEN)',
      reason: 'This command only reads the local mirror, but the step it reached needs the TestIO API',
      hint: 'Put TESTIO_CUSTOMER_API_TOKEN in .env, or run `npm start` for the demo on simulated data',
    });
  };
  const rejecting = async (): Promise<never> => refuse();
  return {
    listProducts: rejecting,
    getProduct: rejecting,
    listFeatures: rejecting,
    listProductFeatures: rejecting,
    listUserStories: rejecting,
    listProductUserStories: rejecting,
    getTest: rejecting,
    listTestsPage: rejecting,
    walkTests: () => ({ [Symbol.asyncIterator]: () => ({ next: rejecting }) }),
    listBugsForTests: rejecting,
    getBug: rejecting,
    stats: () => ({ requests: 0 }),
    close: () => undefined,
  };
}

export function createSyncContainer(
  settings: SyncWorkerSettings,
  runtime: SyncRuntime,
  logger: Logger,
  role: string,
): SyncContainer {
  const database = openDatabase({
    path: runtime.databasePath,
    customerId: runtime.customerId,
    logger: logger.child({ component: 'persistence' }),
  });
  const api = runtime.token
    ? createTestIOClient({
        baseUrl: runtime.baseUrl,
        token: runtime.token,
        maxConcurrentRequests: settings.MAX_CONCURRENT_API_REQUESTS,
        timeoutMs: Math.round(settings.HTTP_TIMEOUT_SECONDS * 1000),
        logger: logger.child({ component: 'api-client' }),
      })
    : offlineApi();
  const engine = createSyncEngine({
    api,
    stores: database.stores,
    clock: systemClock,
    logger,
    options: {
      cacheTtlSeconds: settings.CACHE_TTL_SECONDS,
      productConcurrency: settings.MAX_CONCURRENT_API_REQUESTS,
      holderId: leaseHolderId(role),
      canStealLease: isDeadLocalHolder,
      ...(runtime.productIds ? { productIds: runtime.productIds } : {}),
      countUpstreamCalls: () => api.stats().requests,
      refreshIntervalMs: Math.max(1, settings.TESTIO_REFRESH_INTERVAL_SECONDS) * 1000,
    },
  });
  return {
    runtime,
    database,
    engine,
    async close() {
      api.close();
      await database.close();
    },
  };
}
