import { loggingFromSettings, waitForStop } from '@testio-mcp/app-runtime';
import {
  formatThreePart,
  InvalidInputError,
  isDomainError,
  portSchema,
  sharedSettingsSchema,
  type EnvRecord,
  type Logger,
} from '@testio-mcp/domain';
import { Command, CommanderError, Option } from 'commander';
import { parseMcpServerSettings, restBaseUrl, type McpServerSettings } from './config.js';
import { createMcpContainer, resolveMcpRuntime, type McpContainer } from './container.js';
import { createRootLogger } from './logger.js';
import { createServer, SERVER_VERSION } from './server.js';
import { startSyncProcess, type SyncProcess } from './sync-process.js';
import { selectTools } from './toolsets.js';
import type { AnyToolDefinition } from './tools/define-tool.js';
import { createHttpApp, listen } from './transports/http.js';
import { serveStdio } from './transports/stdio.js';

/**
 * `testio-mcp serve --transport stdio|http [--host 127.0.0.1] [--port 8080]`. Settings are parsed
 * once, the tool selection is checked before anything is opened, and every line it writes goes to
 * stderr: in stdio mode stdout carries nothing but the protocol. Unless `--no-sync`, it keeps the
 * mirror fresh through a sync process of its own (ADR 0012).
 */

interface ServeFlags {
  transport: 'stdio' | 'http';
  host?: string;
  port?: string;
  refreshInterval?: string;
  forceSync?: boolean;
  sync: boolean;
}

export interface ServeCommandOptions {
  /** The CLI entry to start the sync process with (`testio-mcp worker`); without it `serve` does not sync. */
  readonly cliEntry?: string | undefined;
}

function buildCommand(): Command {
  return new Command('testio-mcp serve')
    .description('Serve the MCP tools over stdio (one client) or Streamable HTTP at /mcp (many clients).')
    .addOption(
      new Option('--transport <transport>', 'stdio or http').choices(['stdio', 'http']).default('stdio'),
    )
    .option('--host <host>', 'http: address to bind (default TESTIO_HTTP_HOST or 127.0.0.1)')
    .option('--port <port>', 'http: port to listen on, 0 for any free one (default TESTIO_HTTP_PORT or 8080)')
    .option(
      '--refresh-interval <seconds>',
      'seconds between background syncs, 0 for the start-up sync only (default TESTIO_REFRESH_INTERVAL_SECONDS or 3600)',
    )
    .option('--force-sync', 'sync at start even when the mirror is fresh (TESTIO_FORCE_INITIAL_SYNC)')
    .option(
      '--no-sync',
      'do not sync from this server (TESTIO_SERVE_SYNC=false); a worker or sync_data keeps the mirror fresh',
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

/** Prints an error for a person (three-part when it is ours) and returns the exit code. */
export function reportServeError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (isDomainError(error)) {
    stderr.write(`${error.toUserText()}\n`);
    return error.code === 'invalid_input' ? 2 : 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(
    `${formatThreePart(`Unexpected error: ${message}`, undefined, 'Run again with LOG_LEVEL=debug, and report it if it persists')}\n`,
  );
  return 1;
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
  tools: readonly AnyToolDefinition[],
  logger: Logger,
  settings: McpServerSettings,
  sync: () => SyncProcess | undefined,
): Promise<string> {
  const server = createServer({
    services: container.services,
    logger,
    tools,
    restBaseUrl: restBaseUrl(settings),
  });
  const session = await serveStdio(server);
  // Listening for signals before saying "ready": whoever reacts to that line may signal at once.
  const stopping = stopRequested(
    logger,
    settings,
    session.closed.then(() => 'stdin closed'),
  );
  logger.info(
    { tools: tools.length, database: container.runtime.databasePath },
    `${container.runtime.demo ? 'DEMO MODE: ' : ''}MCP server ready on stdio`,
  );
  const syncing = sync();
  const stop = await stopping;
  logger.info({ reason: stop.reason }, 'stopping');
  await Promise.all([session.close(), syncing?.stop()]);
  await container.close();
  stop.done();
  return stop.reason;
}

async function runHttp(
  container: McpContainer,
  tools: readonly AnyToolDefinition[],
  logger: Logger,
  settings: McpServerSettings,
  flags: ServeFlags,
  sync: () => SyncProcess | undefined,
): Promise<string> {
  const host = flags.host ?? settings.TESTIO_HTTP_HOST;
  const port = parsePortFlag(flags.port, settings.TESTIO_HTTP_PORT);
  const app = createHttpApp({
    createServer: () =>
      createServer({ services: container.services, logger, tools, restBaseUrl: restBaseUrl(settings) }),
    logger,
    bindHost: host,
    ...(settings.TESTIO_HTTP_ALLOWED_HOSTS ? { allowedHosts: settings.TESTIO_HTTP_ALLOWED_HOSTS } : {}),
    ...(settings.TESTIO_HTTP_ALLOWED_ORIGINS ? { allowedOrigins: settings.TESTIO_HTTP_ALLOWED_ORIGINS } : {}),
    health: async () => ({
      ...(await container.health()),
      server: { name: 'testio-mcp', version: SERVER_VERSION },
      tools: tools.length,
    }),
  });
  const running = await listen(app, host, port);
  const stopping = stopRequested(logger, settings);
  if (host === '0.0.0.0' || host === '::') {
    logger.warn(
      { host },
      'bound to every interface without authentication: only Host names in TESTIO_HTTP_ALLOWED_HOSTS (and loopback) are accepted; put a reverse proxy with authentication in front',
    );
  }
  logger.info(
    {
      url: running.url,
      health: running.url.replace(/\/mcp$/, '/health'),
      tools: tools.length,
      database: container.runtime.databasePath,
    },
    `${container.runtime.demo ? 'DEMO MODE: ' : ''}MCP server ready at ${running.url}`,
  );
  const syncing = sync();
  const stop = await stopping;
  logger.info({ signal: stop.reason }, 'stopping: running requests finish first');
  await Promise.all([running.close(), syncing?.stop()]);
  await container.close();
  stop.done();
  return stop.reason;
}

export async function runServeCommand(
  argv: readonly string[],
  env: EnvRecord,
  options: ServeCommandOptions = {},
): Promise<number> {
  let container: McpContainer | undefined;
  let logger: Logger | undefined;
  try {
    const command = buildCommand();
    command.parse([...argv], { from: 'user' });
    const flags = command.opts<ServeFlags>();
    const refreshIntervalSeconds = parseRefreshInterval(flags.refreshInterval);
    const settings = parseMcpServerSettings(env);
    const tools = selectTools(settings);
    const runtime = resolveMcpRuntime(settings);
    logger = createRootLogger({
      ...loggingFromSettings(settings),
      base: { process: 'mcp-server', ...(runtime.demo ? { demo: true } : {}) },
    });
    container = createMcpContainer({ settings, runtime, logger });
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
        ? await runStdio(container, tools, logger, settings, sync)
        : await runHttp(container, tools, logger, settings, flags, sync);
    logger.info({ reason }, `MCP server stopped (${reason})`);
    return 0;
  } catch (error) {
    await container?.close().catch(() => undefined);
    if (logger && !isDomainError(error) && !(error instanceof CommanderError))
      logger.error({ err: error }, 'MCP server failed');
    return reportServeError(error);
  }
}
