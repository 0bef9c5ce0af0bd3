import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { waitForStop } from '@testio-mcp/app-runtime';
import { createProcessLogger, isReportedCliError, reportCliError } from '@testio-mcp/composition';
import {
  formatThreePart,
  InvalidInputError,
  isLoopbackHost,
  portSchema,
  type EnvRecord,
  type Logger,
} from '@testio-mcp/domain';
import { Command } from 'commander';
import { createApp } from './app.js';
import { assertRestPrincipals, parseRestApiSettings } from './config.js';
import {
  appOptionsFromSettings,
  createRestContainer,
  resolveRestRuntime,
  type RestContainer,
} from './container.js';

/**
 * `testio-mcp api [--host 127.0.0.1] [--port 8081]`: serves the REST API until SIGINT/SIGTERM (or the
 * `signal` option), then lets running requests and syncs finish within SHUTDOWN_GRACE_PERIOD_SECONDS.
 * Prints the API and docs URLs on stdout; everything else is logged on stderr.
 */

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
export const REST_API_VERSION = pkg.version;

export interface RunApiOptions {
  /** Stops the server like SIGINT (tests, `npm start`). */
  readonly signal?: AbortSignal;
  /** Where the URLs are printed (default stdout). */
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  /** Called once the server listens. */
  readonly onListening?: (urls: { base: string; api: string; docs: string }) => void;
}

interface ApiFlags {
  host?: string;
  port?: string;
  readOnly?: boolean;
}

function buildCommand(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Command {
  return new Command('testio-mcp api')
    .description('Serve the REST API (/api/*, /docs, /openapi.json, /health, /metrics).')
    .option(
      '--host <host>',
      'address to bind (default TESTIO_REST_HOST or 127.0.0.1); anything but loopback requires TESTIO_API_KEYS',
    )
    .option('--port <port>', 'port to listen on, 0 for any free one (default TESTIO_REST_PORT or 8081)')
    .option(
      '--read-only',
      'serve reads only: no POST /api/sync and no report exports (TESTIO_READ_ONLY=true); the background sync still runs',
    )
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
}

function checkPortFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!portSchema.safeParse(value).success) {
    throw new InvalidInputError({
      field: '--port',
      message: `--port '${value}' is not valid`,
      reason: 'A port is a whole number between 1 and 65535 (0 picks a free one)',
      hint: 'Use e.g. --port 8081',
    });
  }
  return value.trim();
}

/** Prints an error for a person (three-part when it is ours) and returns the exit code. */
export function reportApiError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    stderr.write(
      `${formatThreePart(
        `Cannot listen: ${code === 'EADDRINUSE' ? 'the port is already in use' : code === 'EACCES' ? 'permission denied for this port' : 'the address is not available on this machine'}`,
        undefined,
        'Pick another --port (or TESTIO_REST_PORT), or stop the process using it',
      )}\n`,
    );
    return 1;
  }
  return reportCliError(error, stderr);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function runApiCommand(
  argv: readonly string[],
  env: EnvRecord,
  options: RunApiOptions = {},
): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  let container: RestContainer | undefined;
  let logger: Logger | undefined;
  try {
    const command = buildCommand(stdout, stderr);
    command.parse([...argv], { from: 'user' });
    const flags = command.opts<ApiFlags>();
    const port = checkPortFlag(flags.port);
    // Flags win over the environment; the settings check (keys for non-loopback) sees the final values.
    const settings = parseRestApiSettings({
      ...env,
      ...(flags.host ? { TESTIO_REST_HOST: flags.host } : {}),
      ...(port !== undefined ? { TESTIO_REST_PORT: port } : {}),
      ...(flags.readOnly ? { TESTIO_READ_ONLY: 'true' } : {}),
    });
    const runtime = resolveRestRuntime(settings);
    logger = createProcessLogger(settings, env, { process: 'rest-api', demo: runtime.demo });
    const appOptions = appOptionsFromSettings(settings, REST_API_VERSION);
    container = await createRestContainer({ settings, runtime, logger, basePath: appOptions.basePath });
    assertRestPrincipals(settings, container.principals.authenticator);
    const app = createApp(container.appDeps(appOptions));
    const server = createServer(app);
    // Behind a reverse proxy idle keep-alive connections must outlive the proxy's.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 120_000;
    const host = settings.TESTIO_REST_HOST;
    const bound = await listen(server, host, settings.TESTIO_REST_PORT);
    // Listening for signals before printing the URLs: whoever reacts to them may signal at once.
    const log = logger;
    const stopping = waitForStop({
      graceSeconds: settings.SHUTDOWN_GRACE_PERIOD_SECONDS,
      signal: options.signal,
      report: (message) => log.error({ graceSeconds: settings.SHUTDOWN_GRACE_PERIOD_SECONDS }, message),
    });
    const base = `http://${urlHost(host)}:${bound}${appOptions.basePath}`;
    const urls = { base, api: `${base}/api`, docs: `${base}/docs` };
    stdout.write(
      `${runtime.demo ? 'DEMO MODE: ' : ''}TestIO REST API  ${urls.api}\nAPI docs         ${urls.docs}\n`,
    );
    logger.info(
      {
        url: urls.api,
        docs: urls.docs,
        database: container.database.location,
        auth: container.principals.authenticator.configured() ? 'required' : 'off',
        loopback: isLoopbackHost(host),
      },
      `${runtime.demo ? 'DEMO MODE: ' : ''}REST API ready at ${urls.api}`,
    );
    options.onListening?.(urls);

    const stop = await stopping;
    logger.info({ reason: stop.reason }, 'stopping: running requests and syncs finish first');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await container.close();
    await closed;
    stop.done();
    logger.info({ reason: stop.reason }, `REST API stopped (${stop.reason})`);
    return 0;
  } catch (error) {
    await container?.close().catch(() => undefined);
    if (logger && !isReportedCliError(error)) logger.error({ err: error }, 'REST API failed');
    return reportApiError(error, stderr);
  }
}
