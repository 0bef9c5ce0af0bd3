import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TestIOClient } from '@testio-mcp/api-client';
import {
  RESOURCE_METADATA_PATH,
  type AppDatabase,
  type AuditTrail,
  type Authenticator,
  type RateBudget,
  type RateLimits,
} from '@testio-mcp/composition';
import type { Clock, EnvRecord, Logger, Principal } from '@testio-mcp/domain';
import type { PrincipalStore } from '@testio-mcp/persistence';
import type { Services } from '@testio-mcp/services';
import type { ReadThrough, SyncEngine } from '@testio-mcp/sync';
import { MCP_PATH } from './http.js';

/**
 * What `serve --transport http` needs from the REST API to serve it on the same port (hybrid and rest
 * modes, ADR 0015). Apps never import each other, so the REST API app implements this (its
 * `restApiHost`) and the CLI dispatcher hands it over; the server shares its own mirror, client, sync
 * engine and services with it, so the database is opened once.
 */
export interface TenantAdminParts {
  readonly store: PrincipalStore;
  readonly masterKey: Buffer | undefined;
  /** `default`'s customer id and API base URL. */
  readonly customerId: number;
  readonly baseUrl: string;
  forTenant(slug: string): Services;
}

export interface RestApiHost {
  /** Checks the REST API's settings for this bind address; throws the three-part error before anything opens. */
  prepare(options: { env: EnvRecord; bindHost: string; logger: Logger }): PreparedRestApi;
}

export interface PreparedRestApi {
  /** `''` or `/prefix` (TESTIO_REST_BASE_PATH). */
  readonly basePath: string;
  /** express `trust proxy` (TESTIO_REST_TRUST_PROXY): /mcp on the same port honours it too. */
  readonly trustProxy: boolean | number | readonly string[];
  /** TESTIO_REST_RATE_LIMIT: requests without a principal, per client address. */
  readonly anonymousRateLimit: RateBudget;
  instrumentReadThrough(readThrough: ReadThrough): ReadThrough;
  mount(parts: {
    /** `default`'s services. */
    services: Services;
    /** The services of a request's principal's tenant (ADR 0024). */
    servicesFor?: (principal: Principal | undefined) => Services;
    database: Pick<AppDatabase, 'ping' | 'engine'>;
    engine: Pick<SyncEngine, 'status'>;
    api: Pick<TestIOClient, 'stats'>;
    clock: Clock;
    /** One authenticator for /mcp and the REST API. */
    authenticator: Authenticator;
    /** One audit trail and one budget per principal for /mcp and the REST API. */
    audit: AuditTrail;
    rateLimits: RateLimits;
    /** What the REST admin API manages: the mirror's tenants and keys, every tenant's services. */
    tenantAdmin?: TenantAdminParts;
  }): { readonly handler: RequestListener; close(): Promise<void> };
}

/** The MCP endpoint, as express matches it (case-insensitive, an optional trailing slash). */
export function isMcpPath(url: string | undefined): boolean {
  const pathname = (url ?? '/').split('?')[0]?.toLowerCase() ?? '/';
  return pathname === MCP_PATH || pathname === `${MCP_PATH}/`;
}

/** The root RFC 9728 document, which the 401 of /mcp points to (the REST API's may sit under its base path). */
function isRootMetadataPath(url: string | undefined): boolean {
  return (url ?? '/').split('?')[0]?.toLowerCase() === RESOURCE_METADATA_PATH;
}

/**
 * One port for both: the MCP endpoint (and the root metadata document its 401 names) goes to the MCP app
 * with its own Host/Origin checks; every other path, /health and 404s included, to the REST API with its
 * own chain (request id, keys, rate limit, errors), exactly as `testio-mcp api` answers it.
 */
export function routeByPath(mcp: RequestListener, rest: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (isMcpPath(req.url) || isRootMetadataPath(req.url)) mcp(req, res);
    else rest(req, res);
  };
}
