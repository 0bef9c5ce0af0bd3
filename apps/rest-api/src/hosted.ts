import type { RequestListener } from 'node:http';
import {
  checkToken,
  type AppDatabase,
  type AuditTrail,
  type Authenticator,
  type RateBudget,
  type RateLimits,
} from '@testio-mcp/composition';
import type { TestIOClient } from '@testio-mcp/api-client';
import { type Clock, type EnvRecord, type Logger, type Principal } from '@testio-mcp/domain';
import type { PrincipalStore } from '@testio-mcp/persistence';
import type { Services } from '@testio-mcp/services';
import type { ReadThrough, SyncEngine } from '@testio-mcp/sync';
import { createApp } from './app.js';
import { REST_API_VERSION } from './cli.js';
import { parseRestApiSettings } from './config.js';
import { appOptionsFromSettings, instrumentReadThrough } from './container.js';
import { createHealthProbe } from './health.js';
import { createMetrics } from './metrics.js';
import { SyncJobs } from './sync-jobs.js';

/**
 * The REST API hosted by another process on its port: `serve --transport http` in its default hybrid mode
 * (ADR 0015). The host owns the database, the TestIO client, the sync engine and the services; this
 * builds the same express app as `testio-mcp api` over them (API keys, rate limit, request ids, error
 * model, Swagger UI, /health, /metrics), so one mirror is opened once. Apps never import each other: the
 * CLI dispatcher hands `restApiHost` to the MCP server, whose `RestApiHost` interface this satisfies.
 */

export interface HostedRestPrepareOptions {
  /** The process environment: the REST API's own settings (keys, limits, CORS, base path) come from it. */
  readonly env: EnvRecord;
  /** The address the host binds: it decides, as TESTIO_REST_HOST does for `api`, whether keys are required. */
  readonly bindHost: string;
  readonly logger: Logger;
}

/** What the host already built and shares. */
export interface HostedRestParts {
  /** `default`'s services. */
  readonly services: Services;
  /** The services of a request's principal's tenant (ADR 0024). */
  readonly servicesFor?: (principal: Principal | undefined) => Services;
  readonly database: Pick<AppDatabase, 'ping' | 'engine'>;
  readonly engine: Pick<SyncEngine, 'status'>;
  readonly api: Pick<TestIOClient, 'stats'>;
  readonly clock: Clock;
  /** The host's authenticator: one for /mcp and the REST API. */
  readonly authenticator: Authenticator;
  /** The host's audit trail and per-principal limits, shared with /mcp. */
  readonly audit: AuditTrail;
  readonly rateLimits: RateLimits;
  /** What the admin API manages; without it /api/admin answers 404. */
  readonly tenantAdmin?: {
    readonly store: PrincipalStore;
    readonly masterKey: Buffer | undefined;
    readonly customerId: number;
    readonly baseUrl: string;
    forTenant(slug: string): Services;
  };
}

export interface HostedRestApi {
  /** The express app: every path but the host's own goes to it, 404s included. */
  readonly handler: RequestListener;
  /** Stops sync jobs started through POST /api/sync (they end as interrupted). */
  close(): Promise<void>;
}

export interface PreparedRestApi {
  /** `''` or `/prefix` (TESTIO_REST_BASE_PATH): where /api, /docs, /health and /metrics live. */
  readonly basePath: string;
  /** express `trust proxy`, for the host's own routes on the same port (the 401 challenge of /mcp). */
  readonly trustProxy: boolean | number | readonly string[];
  /** TESTIO_REST_RATE_LIMIT: requests without a principal, per client address (the host's limits carry it). */
  readonly anonymousRateLimit: RateBudget;
  /** Counts read-through decisions (the host's tools included) into testio_cache_lookups_total. */
  instrumentReadThrough(readThrough: ReadThrough): ReadThrough;
  mount(parts: HostedRestParts): HostedRestApi;
}

/**
 * Checks the REST API's settings before the host opens anything: a bad value stops the host with the
 * three-part error. The host refuses a non-loopback address without principals once its mirror is open.
 */
export function prepareHostedRestApi({ env, bindHost, logger }: HostedRestPrepareOptions): PreparedRestApi {
  // Parsed as if on loopback: whether callers can be authenticated is the host's check, once its mirror
  // (and the keys in it) is open.
  const parsed = parseRestApiSettings({ ...env, TESTIO_REST_HOST: '127.0.0.1' });
  const settings = { ...parsed, TESTIO_REST_HOST: bindHost };
  const options = appOptionsFromSettings(settings, REST_API_VERSION);
  const metrics = createMetrics();
  const log = logger.child({ component: 'rest-api' });
  return {
    basePath: options.basePath,
    trustProxy: options.trustProxy,
    anonymousRateLimit: { points: options.rateLimit, windowSeconds: options.rateLimitWindowSeconds },
    instrumentReadThrough: (readThrough) => instrumentReadThrough(readThrough, metrics),
    mount(parts) {
      const health = createHealthProbe({
        database: parts.database,
        engine: parts.engine,
        clock: parts.clock,
      });
      metrics.setSources({ upstream: () => parts.api.stats(), health });
      const syncJobs = new SyncJobs({
        services: parts.services,
        logger: log,
        clock: parts.clock,
        metrics,
        basePath: options.basePath,
      });
      const tenantAdmin = parts.tenantAdmin;
      const app = createApp({
        services: parts.services,
        ...(parts.servicesFor ? { servicesFor: parts.servicesFor } : {}),
        logger: log,
        health,
        options,
        metrics,
        syncJobs,
        clock: parts.clock,
        authenticator: parts.authenticator,
        audit: parts.audit,
        rateLimits: parts.rateLimits,
        ...(tenantAdmin
          ? {
              admin: {
                store: tenantAdmin.store,
                masterKey: tenantAdmin.masterKey,
                defaultAccount: { customerId: tenantAdmin.customerId, baseUrl: tenantAdmin.baseUrl },
                checkToken,
                servicesForTenant: (slug: string) => tenantAdmin.forTenant(slug),
                clock: parts.clock,
              },
            }
          : {}),
      });
      return { handler: app, close: () => syncJobs.shutdown() };
    },
  };
}

/** Handed by the CLI dispatcher to `runServeCommand` (the MCP server's `RestApiHost`). */
export const restApiHost = { prepare: prepareHostedRestApi };
