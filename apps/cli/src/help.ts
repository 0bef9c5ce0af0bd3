import { GLOBAL_FLAGS } from './argv.js';
import { DEFAULT_ENV_FILE } from './setup/env-file.js';

/** The commands `testio-mcp` dispatches (docs/cli.md). */
export const COMMANDS: ReadonlySet<string> = new Set([
  'setup',
  'start',
  'sandbox',
  'serve',
  'api',
  'worker',
  'sync',
  'problematic',
  'keys',
  'tenants',
  'audit',
  'db',
]);

export const GLOBAL_HELP = `Global options (before or after the command; each sets the variable in brackets):
  --env-file PATH                 read settings from PATH (default: ./.env, then ${DEFAULT_ENV_FILE}, when present)
${GLOBAL_FLAGS.map(({ flag, env, arg, help }) => `  ${`${flag} ${arg}`.padEnd(32)}${help} [${env}]`).join('\n')}
  -h, --help                      show help (testio-mcp <command> --help: that command's)
  -v, --version                   print the version

Flags win over the environment, which wins over the env file. A bad value stops with exit code 2.
`;

export const usage = (
  version: string,
): string => `testio-mcp ${version}: read a TestIO crowd-testing account from AI assistants and tools

Usage: testio-mcp [global options] <command> [options]
       testio-mcp [global options]          with no command: serve over stdio, as MCP clients start it

Commands:
  setup [options]     write the settings of a real TestIO account to an env file (testio-mcp setup --help)
  start               the main job: worker + MCP and REST on one port; without a token, demo mode on the sandbox
  sandbox [options]   the local TestIO Customer API simulator (testio-mcp sandbox --help)
  serve [options]     the MCP server, syncing the mirror by itself: --transport stdio (default) | http
                      [--host 127.0.0.1] [--port 8080] [--api-mode hybrid|mcp|rest] [--refresh-interval SECONDS]
                      [--force-sync] [--no-sync] [--read-only]; over http it also serves the REST API (hybrid)
  api [options]       the REST API alone, with OpenAPI and Swagger UI: [--host 127.0.0.1] [--port 8081] [--read-only]
  worker              keep the SQLite mirror of the account fresh (initial sync, then periodic)
  sync [options]      one sync run: --force --refresh --since DATE --product-ids 1,2 --dry-run --status
  problematic <cmd>   tests TestIO could not serve: list | retry | clear
  keys <cmd>          API keys for HTTP clients: create --tenant SLUG --role viewer|operator|admin --name LABEL
                      [--expires 90d] [--json] | list | revoke ID
  tenants <cmd>       TestIO accounts besides default: add SLUG [--customer-id N] [--base-url URL]
                      [--token-env VAR] (token on stdin) | list | remove SLUG | rekey
  audit [options]     recent MCP tool calls and REST requests: [--tenant SLUG] [--since 24h|DATE] [--limit N] [--json]
  db copy --to URL    copy the SQLite mirror into a PostgreSQL database (migrated first): [--replace] [--json]

${GLOBAL_HELP}`;

export const START_HELP = `Usage: testio-mcp start

Runs the sync worker and the server (MCP over Streamable HTTP at /mcp, the REST API at /api, /docs and
/health, all on TESTIO_HTTP_HOST:TESTIO_HTTP_PORT) with prefixed logs, then prints their URLs and
ready-to-paste MCP client configurations. With no
TESTIO_CUSTOMER_API_TOKEN it first starts the embedded sandbox (TESTIO_SANDBOX_PORT, TESTIO_SANDBOX_SCALE)
and runs on it: demo mode. Ctrl-C (or SIGTERM) stops everything within SHUTDOWN_GRACE_PERIOD_SECONDS; a
second Ctrl-C stops at once.

`;
