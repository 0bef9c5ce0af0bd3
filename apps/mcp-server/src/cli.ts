import { waitForStop } from '@testio-mcp/app-runtime';
import {
  assertPrincipalsForBind,
  createProcessLogger,
  isReportedCliError,
  reportCliError,
} from '@testio-mcp/composition';
import {
  InvalidInputError,
  portSchema,
  sharedSettingsSchema,
  type EnvRecord,
  type Logger,
} from '@testio-mcp/domain';
import { Command, Option } from 'commander';
import {
  API_MODES,
  parseMcpServerSettings,
  restBaseUrl,
  type ApiMode,
  type McpServerSettings,
} from './config.js';
import { createMcpContainer, resolveMcpRuntime, type McpContainer } from './container.js';
import { createServer, SERVER_VERSION } from './server.js';
import { startSyncProcess, type SyncProcess } from './sync-process.js';
import { resolveToolSelection, type ToolSelection } from './toolsets.js';
import { ToolTasks } from './tasks.js';
import { createHttpApp, listen } from './transports/http.js';
import { routeByPath, type PreparedRestApi, type RestApiHost } from './transports/rest-host.js';
import { serveStdio } from './transports/stdio.js';

/**
 * `testio-mcp serve --transport stdio|http [--host 127.0.0.1] [--port 8080] [--api-mode hybrid|mcp|rest]`.
 * Settings are parsed once, the tool selection is checked before anything is opened, and every line it
 * writes goes to stderr: in stdio mode stdout carries nothing but the protocol. Over HTTP it also serves
 * the REST API on the same port unless `--api-mode mcp` (ADR 0015). Unless `--no-sync`, it keeps the
 * mirror fresh through a sync process of its own (ADR 0012).
 */

interface ServeFlags {
  transport: 'stdio' | 'http';
  host?: string;
  port?: string;
  apiMode?: ApiMode;
  refreshInterval?: string;
  forceSync?: boolean;
  sync: boolean;
  readOnly?: boolean;
}

export interface ServeOptions {
  /**
   * The REST API, for the hybrid and rest modes of `--transport http`. Apps do not import each other:
   * apps/cli passes the REST API app's `restApiHost`, loaded only when it is served.
   */
  readonly loadRestApi?: () => Promise<RestApiHost>;
  /** The CLI entry to start the sync process with (`testio-mcp worker`); without it `serve` does not sync. */
  readonly cliEntry?: string | undefined;
}

function buildCommand(): Command {
  return new Command('testio-mcp serve')
    .description(
      'Serve the MCP tools over stdio (one client) or Streamable HTTP at /mcp (many clients), with the REST API on the same port.',
    )
    .addOption(
      new Option('--transport <transport>', 'stdio or http').choices(['stdio', 'http']).default('stdio'),
    )
    .option('--host <host>', 'http: address to bind (default TESTIO_HTTP_HOST or 127.0.0.1)')
    .option('--port <port>', 'http: port to listen on, 0 for any free one (default TESTIO_HTTP_PORT or 8080)')
    .addOption(
      new Option(
        '--api-mode <mode>',
        'http: hybrid (MCP at /mcp and the REST API at /api, /docs, /openapi.json, /health, /metrics), mcp, or rest (default TESTIO_API_MODE or hybrid)',
      ).choices([...API_MODES]),
    )
    .option(
      '--refresh-interval <seconds>',
      'seconds between background syncs, 0 for the start-up sync only (default TESTIO_REFRESH_INTERVAL_SECONDS or 3600)',
    )
    .option('--force-sync', 'sync at start even when the mirror is fresh (TESTIO_FORCE_INITIAL_SYNC)')
    .option(
      '--no-sync',
      'do not sync from this server (TESTIO_SERVE_SYNC=false); a worker or sync_data keeps the mirror fresh',
    )
    .option(
      '--read-only',
      'serve reads only: no sync_data, no POST /api/sync, no report exports (TESTIO_READ_ONLY=true); the background sync still runs',
    )
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
}

function parsePortFlag(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (value.trim() === '0') return 0;
  const parsed = portSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidInputError({
      field: '--port',
      message: `--port '${value}' is not valid`,
      reason: 'A port is a whole number between 1 and 65535 (0 picks a free one)',
      hint: 'Use e.g. --port 8080',
    });
  }
  return parsed.data;
}

function parseRefreshInterval(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = sharedSettingsSchema.shape.TESTIO_REFRESH_INTERVAL_SECONDS.safeParse(value);
  if (!parsed.success || value.trim() === '') {
    throw new InvalidInputError({
      field: '--refresh-interval',
      message: `--refresh-interval '${value}' is not valid`,
      reason: 'It is a whole number of seconds between 0 (start-up sync only) and 604800 (a week)',
      hint: 'Use e.g. --refresh-interval 3600',
    });
  }
  return parsed.data;
}

/**
 * Tool selection warnings (a toolset or tool name that is not known): one warning line each on the log
 * (stderr), never stdout, so a stdio client's protocol stream stays clean.
 */
function logToolWarnings(logger: Logger, toolWarnings: readonly string[]): void {
  for (const message of toolWarnings) logger.warn({ variable: message.split(':')[0] }, message);
}

/** Waits for SIGINT/SIGTERM (or `also`); the returned request's `done()` ends the grace period. */
function stopRequested(logger: Logger, settings: McpServerSettings, also?: Promise<string>) {
  return waitForStop({
    graceSeconds: settings.SHUTDOWN_GRACE_PERIOD_SECONDS,
    also,
    report: (message) => logger.error({ graceSeconds: settings.SHUTDOWN_GRACE_PERIOD_SECONDS }, message),
  });
}

async function runStdio(
  container: McpContainer,
  selection: ToolSelection,
  logger: Logger,
  settings: McpServerSettings,
  sync: () => SyncProcess | undefined,
): Promise<string> {
  const tools = selection.listed;
  const tasks = new ToolTasks({ logger });
  const session = serveStdio(() =>
    createServer({
      services: container.services,
      logger,
      tools,
      callableTools: selection.callable,
      restBaseUrl: restBaseUrl(settings),
      readOnly: settings.TESTIO_READ_ONLY,
      tasks,
      // One person and no principal: tool calls are not audited, writes to TestIO are (ADR 0032).
      writeAudit: container.audit,
    }),
  );
  // Listening for signals before saying "ready": whoever reacts to that line may signal at once.
  const stopping = stopRequested(
    logger,
    settings,
    session.closed.then(() => 'stdin closed'),
  );
  logger.info(
    { tools: tools.length, database: container.database.location },
    `${container.runtime.demo ? 'DEMO MODE: ' : ''}MCP server ready on stdio`,
  );
  const syncing = sync();
  const stop = await stopping;
  logger.info({ reason: stop.reason }, 'stopping');
  // A sync running as a task stops (interrupted, lease released) before the mirror closes.
  await Promise.all([session.close(), syncing?.stop(), tasks.close()]);
  await container.close();
  stop.done();
  return stop.reason;
}

/** The REST API's settings, checked for the bind address before the container opens the mirror. */
async function prepareRestApi(
  options: ServeOptions,
  env: EnvRecord,
  bindHost: string,
  logger: Logger,
): Promise<PreparedRestApi> {
  if (!options.loadRestApi) {
    throw new InvalidInputError({
      field: '--api-mode',
      message: 'This entry point cannot serve the REST API beside MCP',
      reason:
        'The REST API is loaded by the testio-mcp command line, which was not used to start this server',
      hint: 'Run `testio-mcp serve --transport http`, or serve MCP alone with --api-mode mcp',
    });
  }
  return (await options.loadRestApi()).prepare({ env, bindHost, logger });
}

async function runHttp(
  container: McpContainer,
  selection: ToolSelection,
  logger: Logger,
  settings: McpServerSettings,
  flags: ServeFlags,
  mode: ApiMode,
  rest: PreparedRestApi | undefined,
  sync: () => SyncProcess | undefined,
): Promise<string> {
  const tools = selection.listed;
  const host = flags.host ?? settings.TESTIO_HTTP_HOST;
  const port = parsePortFlag(flags.port, settings.TESTIO_HTTP_PORT);
  const { authenticator } = container.principals;
  // For /mcp and the REST API alike: one port, one authenticator.
  assertPrincipalsForBind(host, authenticator, 'Serving over HTTP', 'TESTIO_HTTP_HOST');
  // Known once listening when the REST API is served on this port; the programmatic-access resource shows it.
  let restUrl = restBaseUrl(settings);
  // One registry for every request's server: a task created by one POST is polled by the next (ADR 0033),
  // and, through the database, by a request that lands on another instance (ADR 0035).
  const tasks = new ToolTasks({ logger, store: container.database.mcpTasks });
  const mcpApp =
    mode === 'rest'
      ? undefined
      : createHttpApp({
          createServer: (principal) =>
            createServer({
              // The principal's tenant picks the services (ADR 0024); no principal means `default`.
              services: container.tenants.servicesFor(principal),
              logger,
              tools,
              callableTools: selection.callable,
              restBaseUrl: restUrl,
              principal,
              audit: container.audit,
              rateLimits: container.rateLimits,
              readOnly: settings.TESTIO_READ_ONLY,
              tasks,
            }),
          authenticator,
          ...(rest ? { trustProxy: rest.trustProxy } : {}),
          logger,
          bindHost: host,
          ...(settings.TESTIO_HTTP_ALLOWED_HOSTS ? { allowedHosts: settings.TESTIO_HTTP_ALLOWED_HOSTS } : {}),
          ...(settings.TESTIO_HTTP_ALLOWED_ORIGINS
            ? { allowedOrigins: settings.TESTIO_HTTP_ALLOWED_ORIGINS }
            : {}),
          health: async () => ({
            ...(await container.health()),
            server: { name: 'testio-mcp', version: SERVER_VERSION },
            tools: tools.length,
          }),
        });
  const hosted = rest?.mount({
    services: container.services,
    servicesFor: (principal) => container.tenants.servicesFor(principal),
    database: container.database,
    engine: container.engine,
    api: container.api,
    clock: container.clock,
    authenticator,
    audit: container.audit,
    rateLimits: container.rateLimits,
    tenantAdmin: {
      store: container.principals.store,
      masterKey: container.principals.masterKey,
      customerId: container.runtime.customerId,
      baseUrl: container.runtime.baseUrl,
      forTenant: (slug) => container.tenants.forTenant(slug),
    },
  });
  const listener = !hosted ? mcpApp : !mcpApp ? hosted.handler : routeByPath(mcpApp, hosted.handler);
  if (!listener) throw new Error(`api mode '${mode}' serves nothing`);
  const running = await listen(listener, host, port);
  const stopping = stopRequested(logger, settings);
  const restBase = `${running.origin}${rest?.basePath ?? ''}`;
  if (hosted && !settings.TESTIO_REST_PUBLIC_URL) restUrl = restBase;
  const demo = container.runtime.demo ? 'DEMO MODE: ' : '';
  const restFields = hosted
    ? {
        api: `${restBase}/api`,
        docs: `${restBase}/docs`,
        auth: authenticator.configured() ? 'required' : 'off',
      }
    : {};
  const fields = {
    mode,
    health: `${restBase}/health`,
    ...restFields,
    tools: mcpApp ? tools.length : 0,
    database: container.database.location,
  };
  if (!mcpApp) logger.info(fields, `${demo}REST API ready at ${restBase}/api (docs: ${restBase}/docs)`);
  else if (hosted)
    logger.info(
      { url: running.url, ...fields },
      `${demo}MCP server ready at ${running.url}, REST API at ${restBase}/api (docs: ${restBase}/docs)`,
    );
  else
    logger.info(
      { url: running.url, ...fields, health: `${running.origin}/health` },
      `${demo}MCP server ready at ${running.url}`,
    );
  const syncing = sync();
  const stop = await stopping;
  logger.info({ signal: stop.reason }, 'stopping: running requests finish first');
  await Promise.all([running.close(), syncing?.stop(), tasks.close()]);
  await hosted?.close();
  await container.close();
  stop.done();
  return stop.reason;
}

export async function runServeCommand(
  argv: readonly string[],
  env: EnvRecord,
  options: ServeOptions = {},
): Promise<number> {
  let container: McpContainer | undefined;
  let logger: Logger | undefined;
  try {
    const command = buildCommand();
    command.parse([...argv], { from: 'user' });
    const flags = command.opts<ServeFlags>();
    // The flag wins over the environment, for MCP and for the REST API served beside it.
    if (flags.readOnly) env = { ...env, TESTIO_READ_ONLY: 'true' };
    const refreshIntervalSeconds = parseRefreshInterval(flags.refreshInterval);
    const settings = parseMcpServerSettings(env);
    const selection = resolveToolSelection(settings);
    const runtime = resolveMcpRuntime(settings);
    logger = createProcessLogger(settings, env, { process: 'mcp-server', demo: runtime.demo });
    logToolWarnings(logger, selection.warnings);
    if (flags.apiMode && flags.transport !== 'http') {
      throw new InvalidInputError({
        field: '--api-mode',
        message: `--api-mode ${flags.apiMode} needs --transport http`,
        reason:
          'Over stdio the server speaks MCP to the one client that started it; the REST API needs a port',
        hint: 'Add --transport http, or run `testio-mcp api` for the REST API alone',
      });
    }
    const mode = flags.apiMode ?? settings.TESTIO_API_MODE;
    const rest =
      flags.transport === 'http' && mode !== 'mcp'
        ? await prepareRestApi(options, env, flags.host ?? settings.TESTIO_HTTP_HOST, logger)
        : undefined;
    container = await createMcpContainer({
      settings,
      runtime,
      logger,
      audience: flags.transport === 'stdio' ? 'personal' : 'shared',
      ...(rest
        ? {
            instrumentReadThrough: (r) => rest.instrumentReadThrough(r),
            anonymousRateLimit: rest.anonymousRateLimit,
          }
        : {}),
    });
    const log = logger;
    // Started once the server is ready, so a first question never waits for a process start.
    const sync = (): SyncProcess | undefined => {
      if (!flags.sync || !settings.TESTIO_SERVE_SYNC || !options.cliEntry) {
        log.info(
          {
            reason: options.cliEntry ? 'off by --no-sync or TESTIO_SERVE_SYNC=false' : 'no CLI entry to run',
          },
          'this server does not sync: run `testio-mcp worker`, or call sync_data, to keep the mirror fresh',
        );
        return undefined;
      }
      return startSyncProcess({
        entry: options.cliEntry,
        env,
        logger: log.child({ component: 'sync-process' }),
        refreshIntervalSeconds,
        forceSync: flags.forceSync,
      });
    };
    const reason =
      flags.transport === 'stdio'
        ? await runStdio(container, selection, logger, settings, sync)
        : await runHttp(container, selection, logger, settings, flags, mode, rest, sync);
    logger.info({ reason }, `MCP server stopped (${reason})`);
    return 0;
  } catch (error) {
    await container?.close().catch(() => undefined);
    if (logger && !isReportedCliError(error)) logger.error({ err: error }, 'MCP server failed');
    return reportCliError(error);
  }
}
