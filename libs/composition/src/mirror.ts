import { createTestIOClient, type TestIOClient } from '@testio-mcp/api-client';
import {
  InvalidInputError,
  systemClock,
  type Clock,
  type Logger,
  type SharedSettings,
  type SyncStores,
  type TestIOApi,
} from '@testio-mcp/domain';
import { createSyncEngine, isDeadLocalHolder, leaseHolderId, type SyncEngine } from '@testio-mcp/sync';
import { openAppDatabase, type AppDatabase } from './database/app-database.js';
import type { DatabaseEngine } from './database/target.js';
import type { AppRuntime } from './runtime.js';

/** The settings the client, the mirror and the engine are built from. */
export type MirrorSettings = Pick<
  SharedSettings,
  | 'MAX_CONCURRENT_API_REQUESTS'
  | 'HTTP_TIMEOUT_SECONDS'
  | 'CACHE_TTL_SECONDS'
  | 'TESTIO_REFRESH_INTERVAL_SECONDS'
>;

/** The TestIO API as the composition uses it: the port, plus the request count and a way to close it. */
export type AppApi = TestIOApi & { stats(): { requests: number }; close(): void };

/** The parts every process shares: the TestIO client, the mirror (either engine) and the sync engine over both. */
export interface Mirror<Api extends AppApi = AppApi> {
  readonly api: Api;
  readonly database: AppDatabase;
  readonly engine: SyncEngine;
  readonly clock: Clock;
  /** Closes the client and the database. */
  close(): Promise<void>;
}

export interface OpenMirrorOptions<Api extends AppApi> {
  readonly settings: MirrorSettings;
  readonly runtime: AppRuntime<string | undefined>;
  readonly logger: Logger;
  /** Who holds the sync lease (`mcp-server`, `rest-api`, `sync-worker`, ...), as `leaseHolderId` writes it. */
  readonly role: string;
  readonly clock?: Clock;
  /** The client: {@link createApi} for the runtime's token, or {@link offlineApi} for local-only commands. */
  readonly api: Api;
  /** PostgreSQL: the principal copy's fallback reload interval (ADR 0034; default 5 s). */
  readonly principalRefreshMs?: number;
}

/** The default client: TestIO over HTTP with the configured limits. */
export function createApi(
  settings: MirrorSettings,
  runtime: Pick<AppRuntime, 'baseUrl' | 'token'>,
  logger: Logger,
): TestIOClient {
  return createTestIOClient({
    baseUrl: runtime.baseUrl,
    token: runtime.token,
    maxConcurrentRequests: settings.MAX_CONCURRENT_API_REQUESTS,
    timeoutMs: Math.round(settings.HTTP_TIMEOUT_SECONDS * 1000),
    logger: logger.child({ component: 'api-client' }),
  });
}

/**
 * Opens the mirror (migrating it), builds the client and the sync engine. Every process takes the same
 * lease, so a sync from any of them never overlaps one from another; `role` names the holder.
 */
export async function openMirror<Api extends AppApi = AppApi>(
  options: OpenMirrorOptions<Api>,
): Promise<Mirror<Api>> {
  const { settings, runtime, logger, role, api, clock = systemClock } = options;
  let database: AppDatabase;
  try {
    database = await openAppDatabase({
      runtime,
      logger,
      ...(options.principalRefreshMs === undefined ? {} : { principalRefreshMs: options.principalRefreshMs }),
    });
  } catch (error) {
    api.close();
    throw error;
  }
  const engine = createMirrorEngine({
    settings,
    runtime,
    logger,
    role,
    api,
    clock,
    stores: database.stores,
    databaseEngine: database.engine,
  });
  return {
    api,
    database,
    engine,
    clock,
    async close() {
      api.close();
      await database.close();
    },
  };
}

export interface MirrorEngineOptions {
  readonly settings: MirrorSettings;
  readonly runtime: Pick<AppRuntime<string | undefined>, 'productIds'>;
  readonly logger: Logger;
  readonly role: string;
  readonly api: AppApi;
  readonly clock: Clock;
  /** The stores of one tenant: its lease, runs and breaker live in rows keyed by its customer id. */
  readonly stores: SyncStores;
  /** Which engine holds the lease: decides whether a dead holder may be recognised by its PID. */
  readonly databaseEngine: DatabaseEngine;
}

/**
 * The sync engine of one tenant. Every process takes the same lease per tenant, so a sync from any of
 * them never overlaps one from another; `role` names the holder.
 */
export function createMirrorEngine(options: MirrorEngineOptions): SyncEngine {
  const { settings, runtime, logger, role, api, clock, stores } = options;
  return createSyncEngine({
    api,
    stores,
    clock,
    logger,
    options: {
      cacheTtlSeconds: settings.CACHE_TTL_SECONDS,
      productConcurrency: settings.MAX_CONCURRENT_API_REQUESTS,
      holderId: leaseHolderId(role),
      // On SQLite every holder runs on this host, so a holder whose PID is gone is dead and its lease can
      // be taken at once. On PostgreSQL the holder may run on another machine (or in another container
      // with the same host name and its own PIDs): only the lease's expiry says it is gone (ADR 0034).
      ...(options.databaseEngine === 'sqlite' ? { canStealLease: isDeadLocalHolder } : {}),
      ...(runtime.productIds ? { productIds: runtime.productIds } : {}),
      countUpstreamCalls: () => api.stats().requests,
      refreshIntervalMs: Math.max(1, settings.TESTIO_REFRESH_INTERVAL_SECONDS) * 1000,
    },
  });
}

/** Stands in for the client when no token is configured: local-only commands work, remote calls explain. */
export function offlineApi(): AppApi {
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
