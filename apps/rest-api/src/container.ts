import {
  checkToken,
  openServingParts,
  resolveServingRuntime,
  type AppRuntime,
  type ServingParts,
} from '@testio-mcp/composition';
import type { Clock, Logger } from '@testio-mcp/domain';
import type { ReadThrough, RefreshOutcome } from '@testio-mcp/sync';
import type { AppDeps, AppOptions } from './app.js';
import type { RestApiSettings } from './config.js';
import { createHealthProbe, type HealthProbe } from './health.js';
import { createMetrics, type ApiMetrics, type CacheEntity } from './metrics.js';
import { SyncJobs } from './sync-jobs.js';

/**
 * The REST API's container: the parts every app builds the same way come from libs/composition; this adds
 * what only the REST API has (metrics, the health probe, sync jobs). The REST API does not run the
 * periodic sync (the worker does); `POST /api/sync` runs one through this engine, whose lease keeps it
 * from overlapping the worker and the MCP server.
 */

export type RestRuntime = AppRuntime;

export function resolveRestRuntime(settings: RestApiSettings): RestRuntime {
  return resolveServingRuntime(settings, 'The REST API');
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
    readOnly: settings.TESTIO_READ_ONLY,
    enableWrites: settings.TESTIO_ENABLE_WRITES,
  };
}

export interface RestContainer extends ServingParts {
  readonly runtime: RestRuntime;
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

export async function createRestContainer({
  basePath = '',
  ...options
}: RestContainerOptions): Promise<RestContainer> {
  const { runtime, logger } = options;
  const metrics = createMetrics();
  const parts = await openServingParts({
    ...options,
    role: 'rest-api',
    anonymousRateLimit: {
      points: options.settings.TESTIO_REST_RATE_LIMIT,
      windowSeconds: options.settings.TESTIO_REST_RATE_LIMIT_WINDOW_SECONDS,
    },
    instrumentReadThrough: (readThrough) => instrumentReadThrough(readThrough, metrics),
  });
  const { api, database, engine, services, clock } = parts;
  const health = createHealthProbe({ database, engine, clock });
  metrics.setSources({ upstream: () => api.stats(), health });
  const syncJobs = new SyncJobs({ services, logger, clock, metrics, basePath });

  return {
    ...parts,
    runtime,
    health,
    metrics,
    syncJobs,
    appDeps: (appOptions) => ({
      services,
      servicesFor: (principal) => parts.tenants.servicesFor(principal),
      logger,
      health,
      options: appOptions,
      metrics,
      syncJobs,
      clock,
      authenticator: parts.principals.authenticator,
      audit: parts.audit,
      rateLimits: parts.rateLimits,
      admin: {
        store: parts.principals.store,
        masterKey: parts.principals.masterKey,
        defaultAccount: { customerId: runtime.customerId, baseUrl: runtime.baseUrl },
        checkToken,
        servicesForTenant: (slug) => parts.tenants.forTenant(slug),
        clock,
      },
    }),
    async close() {
      await syncJobs.shutdown();
      await parts.close();
    },
  };
}
