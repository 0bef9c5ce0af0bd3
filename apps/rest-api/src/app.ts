import { readFileSync } from 'node:fs';
import {
  createAuthenticator,
  createRateLimits,
  protectedResourceMetadata,
  RESOURCE_METADATA_PATH,
  type AuditOutcome,
  type AuditTrail,
  type Authenticator,
  type RateLimits,
} from '@testio-mcp/composition';
import { DEFAULT_TENANT, systemClock, type Clock, type Logger, type Principal } from '@testio-mcp/domain';
import type { Services } from '@testio-mcp/services';
import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import swaggerUi from 'swagger-ui-express';
import { AdminController, type AdminParts } from './controllers/admin.controller.js';
import { AnalyticsController } from './controllers/analytics.controller.js';
import { BugsController } from './controllers/bugs.controller.js';
import { DiagnosticsController } from './controllers/diagnostics.controller.js';
import { FeaturesController } from './controllers/features.controller.js';
import { HealthController } from './controllers/health.controller.js';
import { ProductsController } from './controllers/products.controller.js';
import { SearchController } from './controllers/search.controller.js';
import { SyncController } from './controllers/sync.controller.js';
import { TestsController } from './controllers/tests.controller.js';
import { TriageController } from './controllers/triage.controller.js';
import { UsersController } from './controllers/users.controller.js';
import { RegisterRoutes } from './generated/routes.js';
import type { HealthPolicy, HealthProbe } from './health.js';
import { principalMiddleware, publicBase } from './http/auth.js';
import { HttpError, toErrorResponse, type ParameterLocation } from './http/errors.js';
import { rateLimitMiddleware } from './http/rate-limit.js';
import { requestContext, requestIdMiddleware } from './http/request-context.js';
import { CONTAINER_KEY, ControllerContainer } from './ioc.js';
import { createMetrics, type ApiMetrics } from './metrics.js';
import { SyncJobs } from './sync-jobs.js';
import { readOnlyMiddleware, readOnlySpec, writesDisabledMiddleware } from './http/read-only.js';
import { describeStreamedResponses } from './openapi-media.js';

/**
 * `createApp(deps)`: the whole REST API as an express app, without listening (supertest drives it
 * directly; `runApiCommand` listens). Order of the chain: request id → access log and metrics → CORS →
 * public docs (`/openapi.json`, `/docs`) and the RFC 9728 metadata → principal and role → rate limit → JSON body (size-limited) → `/health`,
 * `/metrics`, the tsoa routes → 404 → the one error handler.
 */

export interface AppOptions {
  /**
   * TESTIO_API_KEYS (plain; only their digests are kept), for the authenticator built when `AppDeps`
   * brings none. Once any key exists every request but the docs needs one.
   */
  readonly apiKeys: readonly string[];
  /** express `trust proxy`. */
  readonly trustProxy: boolean | number | readonly string[];
  /** `''` or `/prefix`. */
  readonly basePath: string;
  /** Browser origins allowed by CORS; empty ⇒ no CORS headers. */
  readonly corsOrigins: readonly string[];
  /**
   * Requests per window without a principal (per client address); with no `rateLimits` given, also each
   * principal's (tests, a bare app). 0 = off.
   */
  readonly rateLimit: number;
  readonly rateLimitWindowSeconds: number;
  /** JSON body limit, e.g. `100kb`. */
  readonly bodyLimit: string;
  readonly version: string;
  readonly demo: boolean;
  /** `/health` says degraded when the last successful sync is older than this. */
  readonly staleAfterSeconds: number;
  /** Serve reads only: writes answer 403 `read_only` and leave the OpenAPI document (ADR 0028). */
  readonly readOnly?: boolean;
  /** Bug triage under /api/bugs (TESTIO_ENABLE_WRITES, ADR 0032); off: those routes answer 403 `writes_disabled`. */
  readonly enableWrites?: boolean;
}

export interface AppDeps {
  /** `default`'s services, and every request's when `servicesFor` is not given. */
  readonly services: Services;
  /** The services of a request's principal's tenant (ADR 0024); the serving parts' `tenants`. */
  readonly servicesFor?: (principal: Principal | undefined) => Services;
  readonly logger: Logger;
  /** Database and sync state for `/health` and the scrape-time gauges. */
  readonly health: HealthProbe;
  readonly options: AppOptions;
  readonly metrics?: ApiMetrics;
  readonly syncJobs?: SyncJobs;
  readonly clock?: Clock;
  /** Who may call (the serving parts' authenticator); by default one over `options.apiKeys` alone. */
  readonly authenticator?: Authenticator;
  /** Per-principal limits shared with /mcp (ADR 0025); by default one uniform budget from `options`. */
  readonly rateLimits?: RateLimits;
  /** Records each API request (ADR 0025); none by default. */
  readonly audit?: AuditTrail;
  /** Tenants, keys and every tenant's diagnostics under /api/admin; without it those routes answer 404. */
  readonly admin?: AdminParts;
}

export const DEFAULT_APP_OPTIONS: AppOptions = {
  apiKeys: [],
  trustProxy: false,
  basePath: '',
  corsOrigins: [],
  rateLimit: 300,
  rateLimitWindowSeconds: 60,
  bodyLimit: '100kb',
  version: '0.0.0',
  demo: false,
  staleAfterSeconds: 7200,
};

const SPEC_URL = new URL('./generated/openapi.json', import.meta.url);

/** The generated OpenAPI document (read once per process; `createApp` adapts a copy per app). */
let specCache: Record<string, unknown> | null = null;
export function loadOpenApiSpec(): Record<string, unknown> {
  specCache ??= describeStreamedResponses(
    JSON.parse(readFileSync(SPEC_URL, 'utf8')) as Record<string, unknown>,
  );
  return structuredClone(specCache);
}

/** The spec as this app serves it: its base path as the server URL, its version. */
function servedSpec(options: AppOptions): Record<string, unknown> {
  const spec = loadOpenApiSpec();
  spec['servers'] = [{ url: options.basePath || '/', description: 'This server' }];
  const info = (spec['info'] ?? {}) as Record<string, unknown>;
  spec['info'] = { ...info, version: options.version };
  return options.readOnly ? readOnlySpec(spec) : spec;
}

/** Where each parameter of the operation a request matched comes from, per the OpenAPI document. */
function parameterLocations(
  spec: Record<string, unknown>,
): (req: Request) => Record<string, ParameterLocation> {
  type Operation = { parameters?: Array<{ name: string; in: string }> };
  const paths = (spec['paths'] ?? {}) as Record<string, Record<string, Operation>>;
  return (req) => {
    const route = (req as Request & { route?: { path?: unknown } }).route;
    if (!route || typeof route.path !== 'string') return {};
    const template = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const operation = paths[template]?.[req.method.toLowerCase()];
    const out: Record<string, ParameterLocation> = {};
    for (const p of operation?.parameters ?? []) {
      if (p.in === 'query' || p.in === 'path' || p.in === 'header') out[p.name] = p.in;
    }
    return out;
  };
}

/** The audit's word for a finished request. */
function auditOutcome(status: number): AuditOutcome {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'refused';
  return status >= 400 ? 'error' : 'ok';
}

function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return route.path;
  const path = req.originalUrl.split('?')[0] ?? '';
  if (path.endsWith('/docs') || path.includes('/docs/')) return '/docs';
  return 'unmatched';
}

export function createApp(deps: AppDeps): Express {
  const options = deps.options;
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? createMetrics();
  metrics.setSources({ health: deps.health });
  const syncJobs =
    deps.syncJobs ??
    new SyncJobs({
      services: deps.services,
      logger: deps.logger,
      clock,
      metrics,
      basePath: options.basePath,
    });
  const startedAt = clock.now();
  const policy: HealthPolicy = {
    staleAfterSeconds: options.staleAfterSeconds,
    version: options.version,
    startedAt,
    demo: options.demo,
  };

  // Every answer comes from the services of the request's tenant, bound from its principal, never from input.
  const principalOf = (req: Request | undefined): Principal | undefined =>
    (req?.res?.locals['ctx'] as ReturnType<typeof requestContext> | undefined)?.principal;
  const servicesOf = (req: Request | undefined): Services =>
    deps.servicesFor ? deps.servicesFor(principalOf(req)) : deps.services;
  const syncJobsOf = (req: Request | undefined): SyncJobs => {
    const tenant = principalOf(req)?.tenant ?? DEFAULT_TENANT;
    return tenant === DEFAULT_TENANT ? syncJobs : syncJobs.forTenant(tenant, servicesOf(req));
  };
  const container = new ControllerContainer()
    .register(ProductsController, (req) => new ProductsController(servicesOf(req)))
    .register(TestsController, (req) => new TestsController(servicesOf(req)))
    .register(BugsController, (req) => new BugsController(servicesOf(req)))
    .register(FeaturesController, (req) => new FeaturesController(servicesOf(req)))
    .register(UsersController, (req) => new UsersController(servicesOf(req)))
    .register(SearchController, (req) => new SearchController(servicesOf(req)))
    .register(DiagnosticsController, (req) => new DiagnosticsController(servicesOf(req)))
    .register(AnalyticsController, (req) => new AnalyticsController(servicesOf(req)))
    .register(SyncController, (req) => new SyncController(servicesOf(req), syncJobsOf(req)))
    .register(TriageController, (req) => {
      const principal = principalOf(req);
      return new TriageController(
        servicesOf(req),
        { id: principal?.id ?? 'local', tenant: principal?.tenant ?? DEFAULT_TENANT },
        {
          // Each write to TestIO, beside the request's own audit row (ADR 0032).
          record: (event) =>
            deps.audit?.record({
              principal,
              surface: 'rest',
              action: `POST /api/bugs ${event.action} bug ${event.bugId}: ${event.before} → ${event.after ?? 'unchanged'}`,
              outcome: event.outcome,
              status: event.upstreamStatus,
              durationMs: event.durationMs,
            }),
        },
      );
    })
    .register(HealthController, () => new HealthController(deps.health, policy, clock))
    .register(AdminController, () => {
      if (!deps.admin) {
        throw new HttpError(
          404,
          'not_found',
          'The admin API is not available in this process',
          'Tenants and keys live in the mirror database: use `testio-mcp tenants` and `testio-mcp keys`, or the REST API of `testio-mcp api` / `serve --transport http`',
        );
      }
      return new AdminController(deps.admin);
    });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', Array.isArray(options.trustProxy) ? [...options.trustProxy] : options.trustProxy);
  app.set('json spaces', 0);
  app.locals[CONTAINER_KEY] = container;
  app.locals['syncJobs'] = syncJobs;
  app.locals['metrics'] = metrics;

  const router = express.Router();

  app.use(requestIdMiddleware(deps.logger));

  // Access log and HTTP metrics, written when the response is finished.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeLabel(req);
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      const ctx = res.locals['ctx'] as ReturnType<typeof requestContext> | undefined;
      const line = {
        method: req.method,
        path: req.path,
        route,
        status: res.statusCode,
        duration_ms: Math.round(seconds * 1000 * 10) / 10,
        ip: req.ip,
        ...(ctx?.keyId ? { key_id: ctx.keyId } : {}),
      };
      // The API's own routes and every refusal; /health, /metrics, docs and CORS preflights are not audited.
      if (
        deps.audit &&
        req.method !== 'OPTIONS' &&
        (req.path.startsWith(`${options.basePath}/api/`) ||
          res.statusCode === 401 ||
          res.statusCode === 403 ||
          res.statusCode === 429)
      ) {
        deps.audit.record({
          principal: ctx?.principal,
          surface: 'rest',
          action: `${req.method} ${route === 'unmatched' ? req.path : route}`,
          outcome: auditOutcome(res.statusCode),
          status: res.statusCode,
          durationMs: seconds * 1000,
        });
      }
      const logger = ctx?.logger ?? deps.logger;
      if (res.statusCode >= 500) logger.error(line, 'request failed');
      else if (res.statusCode >= 400) logger.warn(line, 'request rejected');
      else logger.info(line, 'request');
    });
    next();
  });

  if (options.corsOrigins.length > 0) {
    const allowed = new Set(options.corsOrigins);
    app.use(
      cors({
        origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
        methods: ['GET', 'POST', 'OPTIONS'],
        allowedHeaders: ['Authorization', 'X-API-Key', 'X-Request-Id', 'Content-Type'],
        exposedHeaders: [
          'X-Request-Id',
          'Retry-After',
          'RateLimit-Limit',
          'RateLimit-Remaining',
          'RateLimit-Reset',
          'Location',
        ],
        maxAge: 600,
      }),
    );
  }

  // Public: the API description and its UI (assets served from swagger-ui-dist, no CDN).
  const spec = servedSpec(options);
  const locate = parameterLocations(spec);
  router.get('/openapi.json', (_req, res) => {
    res.json(spec);
  });
  const uiOptions = {
    customSiteTitle: 'TestIO MCP REST API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  };
  router.use('/docs', swaggerUi.serveFiles(spec, uiOptions), swaggerUi.setup(spec, uiOptions));

  // RFC 9728: public, so a client refused with 401 can learn how to authenticate.
  const authenticator =
    deps.authenticator ??
    createAuthenticator({ staticKeys: options.apiKeys, servedTenants: [DEFAULT_TENANT], clock });
  router.get(RESOURCE_METADATA_PATH, (req, res) => {
    res.setHeader('Cache-Control', 'max-age=300');
    res.json(
      protectedResourceMetadata(publicBase(req, options.basePath), authenticator.authorizationServers),
    );
  });
  if (options.readOnly) router.use(readOnlyMiddleware(options.basePath));
  if (!options.enableWrites || options.readOnly) router.use(writesDisabledMiddleware(options.basePath));
  router.use(principalMiddleware(authenticator, options.basePath));
  const budget = { points: options.rateLimit, windowSeconds: options.rateLimitWindowSeconds };
  const rateLimits =
    deps.rateLimits ??
    createRateLimits({ viewer: budget, operator: budget, admin: budget, anonymous: budget });
  router.use(rateLimitMiddleware(rateLimits));
  router.use(express.json({ limit: options.bodyLimit, strict: true }));

  router.get('/metrics', async (_req, res, next) => {
    try {
      const text = await metrics.registry.metrics();
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(text);
    } catch (error) {
      next(error);
    }
  });

  RegisterRoutes(router);

  app.use(options.basePath || '/', router);

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(
      new HttpError(
        404,
        'not_found',
        `No endpoint ${req.method} ${req.path}`,
        'See /docs or /openapi.json for the endpoints',
      ),
    );
  });

  // The one error boundary: every failure becomes `{ error: { code, message, hint, request_id } }`.
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const ctx = res.locals['ctx'] as ReturnType<typeof requestContext> | undefined;
    const requestId = ctx?.requestId ?? 'unknown';
    const answer = toErrorResponse(error, requestId, { query: req.query, locations: locate(req) });
    const logger = ctx?.logger ?? deps.logger;
    if (answer.unexpected) logger.error({ err: error }, 'unexpected error');
    else logger.debug({ code: answer.body.error.code }, answer.body.error.message);
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.status(answer.status).json(answer.body);
  });

  return app;
}
