import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import {
  credentialFromHeaders,
  protectedResourceMetadata,
  RESOURCE_METADATA_PATH,
  wwwAuthenticate,
  type AuthOutcome,
  type Authenticator,
} from '@testio-mcp/composition';
import type { Logger, Principal } from '@testio-mcp/domain';
import { ConflictError, isLoopbackHost } from '@testio-mcp/domain';
import {
  createMcpHandler,
  validateHostHeader,
  type AuthInfo,
  type McpServerFactory,
  type Server,
} from '@modelcontextprotocol/server';
import express, { type NextFunction, type Request, type Response } from 'express';
import { legacyRoute } from './legacy-json.js';
import { sendWebResponse, toWebRequest } from './web-bridge.js';

/**
 * Streamable HTTP, stateless: every POST to /mcp gets a new MCP server, so nothing is shared between
 * requests and any number of clients can connect. The SDK's `createMcpHandler` serves both protocol
 * eras from the one factory (ADR 0037): 2026-07-28 requests (per-request `_meta`, `server/discover`,
 * the `Mcp-Method`/`Mcp-Name` headers checked against the body) and 2025-era ones (`initialize`, then
 * plain calls, statelessly). GET and DELETE (the 2025 session stream and session end; 2026-07-28 has
 * neither) answer 405. Protection against DNS rebinding: the Host header must be one
 * of the allowed names (loopback ones when bound to loopback) and a browser Origin must be loopback
 * or explicitly allowed; anything else gets 403 before the body is read. Then the principal (ADR 0022):
 * once a principal source is configured a request without a valid bearer gets 401 with the RFC 9728
 * challenge, and the server built for the request lists and accepts only what its role allows.
 */

export const MCP_PATH = '/mcp';
export const HEALTH_PATH = '/health';

export interface HealthReport {
  readonly status: 'ok' | 'error';
  readonly [key: string]: unknown;
}

export interface HttpAppOptions {
  /** Called once per request: a fresh server over the shared services, for the caller's principal. */
  readonly createServer: (principal: Principal | undefined) => Server;
  /** Who may call /mcp; without one the endpoint is open (stdio-like loopback use, tests). */
  readonly authenticator?: Authenticator;
  readonly logger: Logger;
  /** The address the app is bound to; decides the default Host allow-list. */
  readonly bindHost: string;
  /** Extra Host names to accept (e.g. the name of a reverse proxy). */
  readonly allowedHosts?: readonly string[];
  /** Extra browser origins to accept, e.g. `https://inspector.example.com`. */
  readonly allowedOrigins?: readonly string[];
  readonly health: () => Promise<HealthReport>;
  /**
   * express `trust proxy`, so the 401 challenge and the metadata document name the public scheme behind a
   * TLS proxy (the REST API's TESTIO_REST_TRUST_PROXY when it shares the port).
   */
  readonly trustProxy?: boolean | number | readonly string[];
}

interface PrincipalCarrier {
  readonly principal: Principal;
}

const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'];

function jsonRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/** Host names (as `URL.hostname` spells them) the app accepts. */
export function allowedHostnames(bindHost: string, extra: readonly string[] = []): string[] {
  const bound = bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost;
  const names = new Set<string>(LOOPBACK_HOSTNAMES);
  if (!isLoopbackHost(bindHost) && bindHost !== '0.0.0.0' && bindHost !== '::')
    names.add(bound.toLowerCase());
  for (const name of extra) names.add(name.trim().toLowerCase());
  return [...names];
}

/** An Origin is allowed when it is loopback (any port) or listed; requests without one (non-browser clients) pass. */
export function isAllowedOrigin(origin: string, allowedOrigins: readonly string[] = []): boolean {
  if (
    allowedOrigins
      .map((o) => o.trim().replace(/\/$/, '').toLowerCase())
      .includes(origin.replace(/\/$/, '').toLowerCase())
  )
    return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

function hostValidation(allowed: string[], logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const result = validateHostHeader(req.headers.host, allowed);
    if (result.ok) {
      next();
      return;
    }
    logger.warn(
      { host: req.headers.host?.slice(0, 200), path: req.path },
      'request with a disallowed Host refused',
    );
    jsonRpcError(res, 403, -32000, result.message);
  };
}

function originValidation(allowedOrigins: readonly string[], logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (origin === undefined || isAllowedOrigin(origin, allowedOrigins)) {
      next();
      return;
    }
    logger.warn({ origin: origin.slice(0, 200), path: req.path }, 'request from a disallowed Origin refused');
    jsonRpcError(res, 403, -32000, `Origin not allowed: ${origin.slice(0, 200)}`);
  };
}

export function createHttpApp(options: HttpAppOptions): express.Express {
  const { logger } = options;
  const app = express();
  app.disable('x-powered-by');
  const trust = options.trustProxy ?? false;
  app.set('trust proxy', Array.isArray(trust) ? [...trust] : trust);
  app.use(hostValidation(allowedHostnames(options.bindHost, options.allowedHosts), logger));
  app.use(originValidation(options.allowedOrigins ?? [], logger));

  app.get(HEALTH_PATH, (_req, res) => {
    options
      .health()
      .then((report) => res.status(report.status === 'ok' ? 200 : 503).json(report))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'health check failed');
        res.status(503).json({ status: 'error', message: 'The health check failed; see the server log' });
      });
  });

  // RFC 9728: public, so a client refused with 401 can learn how to authenticate.
  app.get(RESOURCE_METADATA_PATH, (req, res) => {
    res.setHeader('Cache-Control', 'max-age=300');
    res.json(
      protectedResourceMetadata(
        `${req.protocol}://${req.get('host') ?? 'localhost'}`,
        options.authenticator?.authorizationServers,
      ),
    );
  });

  const authenticator = options.authenticator;
  const authenticate = (req: Request, res: Response, next: NextFunction): void => {
    if (!authenticator) return next();
    const answer = authenticator.authenticate(credentialFromHeaders(req.get('authorization')));
    if (answer instanceof Promise) answer.then((outcome) => decide(outcome, req, res, next), next);
    else decide(answer, req, res, next);
  };
  const decide = (outcome: AuthOutcome, req: Request, res: Response, next: NextFunction): void => {
    if (outcome.kind === 'refused') {
      if (outcome.status === 401) {
        res.setHeader(
          'WWW-Authenticate',
          wwwAuthenticate(`${req.protocol}://${req.get('host') ?? 'localhost'}`),
        );
      }
      logger.info({ status: outcome.status, path: req.path }, 'MCP request refused: no valid principal');
      jsonRpcError(res, outcome.status, -32001, `${outcome.message}. ${outcome.hint}`);
      return;
    }
    if (outcome.kind === 'principal') res.locals['principal'] = outcome.principal;
    next();
  };

  // The principal rides to the factory in the SDK's pass-through `authInfo` (never from headers).
  const factory: McpServerFactory = ({ authInfo }) =>
    options.createServer((authInfo?.extra as PrincipalCarrier | undefined)?.principal);
  const onerror = (error: Error): void => logger.debug({ err: error }, 'MCP request rejected');
  const maxRequestBodySize = 1024 * 1024;
  // 2026-07-28 requests go to the SDK's handler; 2025-era ones to our leg in front of it, which answers
  // JSON where nothing could be streamed and the SDK's stateless SSE fallback otherwise (legacy-json.ts).
  const mcp = createMcpHandler(factory, { legacy: 'reject', maxRequestBodySize, onerror });
  const legacy = legacyRoute(factory, onerror, maxRequestBodySize);
  app.post(MCP_PATH, authenticate, express.json({ limit: '1mb' }), (req, res) => {
    const principal = res.locals['principal'] as Principal | undefined;
    const authInfo: AuthInfo | undefined = principal
      ? { token: '', clientId: principal.id, scopes: [], extra: { principal } satisfies PrincipalCarrier }
      : undefined;
    const request = toWebRequest(req, res);
    const handlerOptions = { parsedBody: req.body as unknown, ...(authInfo ? { authInfo } : {}) };
    legacy
      .isLegacy(request, req.body)
      .then((isLegacy) =>
        isLegacy ? legacy.handle(request, handlerOptions) : mcp.fetch(request, handlerOptions),
      )
      .then((response) => sendWebResponse(response, res))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'MCP request failed');
        if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal server error');
      });
  });

  const methodNotAllowed = (_req: Request, res: Response) => {
    res.setHeader('Allow', 'POST');
    jsonRpcError(
      res,
      405,
      -32000,
      'Method not allowed: this server is stateless; send JSON-RPC requests with POST',
    );
  };
  app.get(MCP_PATH, authenticate, methodNotAllowed);
  app.delete(MCP_PATH, authenticate, methodNotAllowed);

  app.use((_req, res) => {
    res.status(404).json({
      error: {
        code: 'not_found',
        message: `Not found. The MCP endpoint is POST ${MCP_PATH}; health is GET ${HEALTH_PATH}`,
      },
    });
  });

  // Malformed JSON bodies and other middleware errors: a JSON-RPC error, never an HTML stack page.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status =
      typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    if (status >= 500) logger.error({ err: error }, 'HTTP request failed');
    if (res.headersSent) return;
    if (status === 400) jsonRpcError(res, 400, -32700, 'Parse error: the body is not valid JSON');
    else if (status === 413) jsonRpcError(res, 413, -32600, 'Request body too large');
    else jsonRpcError(res, status, -32603, 'Internal server error');
  });
  return app;
}

export interface RunningHttpServer {
  /** The MCP endpoint: `{origin}/mcp`. */
  readonly url: string;
  /** `http://host:port`, for the other paths served beside it. */
  readonly origin: string;
  readonly port: number;
  readonly httpServer: HttpServer;
  close(): Promise<void>;
}

/** Listens on `host:port` (0 picks a free port); resolves once listening. */
export async function listen(app: RequestListener, host: string, port: number): Promise<RunningHttpServer> {
  const httpServer = createHttpServer(app);
  // Idle keep-alive connections outlive a reverse proxy's (60 s for nginx and most load balancers), as
  // `testio-mcp api` does, so a proxy never reuses a connection this server is closing.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') {
        reject(error);
        return;
      }
      reject(
        new ConflictError({
          message: `Cannot listen on ${host}:${port}: ${error.code === 'EADDRINUSE' ? 'the port is already in use' : 'permission denied'}`,
          reason:
            error.code === 'EADDRINUSE'
              ? 'Another process (perhaps another testio-mcp) is bound to it'
              : 'Ports below 1024 need elevated rights',
          hint: 'Stop the other process, or choose another port with --port or TESTIO_HTTP_PORT',
        }),
      );
    });
    httpServer.listen(port, host, () => {
      httpServer.removeAllListeners('error');
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const origin = `http://${urlHost}:${address.port}`;
  return {
    url: `${origin}${MCP_PATH}`,
    origin,
    port: address.port,
    httpServer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        httpServer.close((error) => (error ? reject(error) : resolve()));
        httpServer.closeAllConnections();
      }),
  };
}
