// The `testio-mcp` command line. It only dispatches: each subcommand lives in the project that owns it.
// From a checkout, bin/testio-mcp.mjs loads it through tsx; the published package bundles it to JavaScript.
//
// Global flags (docs/cli.md) work before or after the command, as `--flag value` or `--flag=value`. Each
// one sets its environment variable, so the settings of every process (and of the children of `start`,
// which inherit the environment) see the same value, and it is checked with the same zod schema as that
// variable. Precedence: flag > environment > --env-file (or ./.env, then ~/.testio-mcp.env).
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** Flags every command accepts, each the twin of an environment variable. */
export const GLOBAL_FLAGS = [
  {
    flag: '--log-level',
    env: 'LOG_LEVEL',
    arg: 'LEVEL',
    help: 'debug, info, warning, error or critical (default info)',
  },
  {
    flag: '--log-format',
    env: 'LOG_FORMAT',
    arg: 'FORMAT',
    help: 'json or text (default text on a terminal, json otherwise)',
  },
  {
    flag: '--log-file',
    env: 'LOG_FILE',
    arg: 'PATH',
    help: 'also write JSON log lines to PATH, rotated by size',
  },
  {
    flag: '--max-concurrent-requests',
    env: 'MAX_CONCURRENT_API_REQUESTS',
    arg: 'N',
    help: 'concurrent calls to TestIO, 1-50 (default 10)',
  },
  {
    flag: '--http-timeout',
    env: 'HTTP_TIMEOUT_SECONDS',
    arg: 'SECONDS',
    help: 'per-request timeout to TestIO, 1-300 (default 90)',
  },
  {
    flag: '--cache-ttl',
    env: 'CACHE_TTL_SECONDS',
    arg: 'SECONDS',
    help: 'when mutable data counts as stale, 60-86400 (default 3600)',
  },
];

const USER_ENV_FILE = '~/.testio-mcp.env';

const GLOBAL_HELP = `Global options (before or after the command; each sets the variable in brackets):
  --env-file PATH                 read settings from PATH (default: ./.env, then ${USER_ENV_FILE}, when present)
${GLOBAL_FLAGS.map(({ flag, env, arg, help }) => `  ${`${flag} ${arg}`.padEnd(32)}${help} [${env}]`).join('\n')}
  -h, --help                      show help (testio-mcp <command> --help: that command's)
  -v, --version                   print the version

Flags win over the environment, which wins over the env file. A bad value stops with exit code 2.
`;

const USAGE = `testio-mcp ${pkg.version}: read a TestIO crowd-testing account from AI assistants and tools

Usage: testio-mcp [global options] <command> [options]
       testio-mcp [global options]          with no command: serve over stdio, as MCP clients start it

Commands:
  setup [options]     write the settings of a real TestIO account to an env file (testio-mcp setup --help)
  start               the main job: worker + MCP and REST on one port; without a token, demo mode on the sandbox
  sandbox [options]   the local TestIO Customer API simulator (testio-mcp sandbox --help)
  serve [options]     the MCP server, syncing the mirror by itself: --transport stdio (default) | http
                      [--host 127.0.0.1] [--port 8080] [--api-mode hybrid|mcp|rest] [--refresh-interval SECONDS]
                      [--force-sync] [--no-sync]; over http it also serves the REST API (hybrid)
  api [options]       the REST API alone, with OpenAPI and Swagger UI: [--host 127.0.0.1] [--port 8081]
  worker              keep the SQLite mirror of the account fresh (initial sync, then periodic)
  sync [options]      one sync run: --force --refresh --since DATE --product-ids 1,2 --dry-run --status
  problematic <cmd>   tests TestIO could not serve: list | retry | clear

${GLOBAL_HELP}`;

const START_HELP = `Usage: testio-mcp start

Runs the sync worker and the server (MCP over Streamable HTTP at /mcp, the REST API at /api, /docs and
/health, all on TESTIO_HTTP_HOST:TESTIO_HTTP_PORT) with prefixed logs, then prints their URLs and
ready-to-paste MCP client configurations. With no
TESTIO_CUSTOMER_API_TOKEN it first starts the embedded sandbox (TESTIO_SANDBOX_PORT, TESTIO_SANDBOX_SCALE)
and runs on it: demo mode. Ctrl-C (or SIGTERM) stops everything within SHUTDOWN_GRACE_PERIOD_SECONDS; a
second Ctrl-C stops at once.

`;

function fail(message, code = 2) {
  process.stderr.write(`testio-mcp: ${message}\n`);
  process.exit(code);
}

const expandHome = (file) =>
  file === '~' || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : file;

/**
 * Splits argv into the command, its own arguments and the global flags, wherever they appear. A global
 * flag's value is `--flag value` or `--flag=value`; `--` ends flag parsing.
 */
export function parseArgv(argv) {
  const known = new Map([
    ['--env-file', { flag: '--env-file', env: null }],
    ...GLOBAL_FLAGS.map((g) => [g.flag, g]),
  ]);
  const result = { command: undefined, args: [], flags: [], envFile: undefined, help: false, version: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--') {
      result.args.push(...argv.slice(i));
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const spec = known.get(name);
    if (spec) {
      let value = eq === -1 ? argv[i + 1] : arg.slice(eq + 1);
      if (eq === -1) {
        if (value === undefined || (value.startsWith('--') && value.length > 2)) {
          fail(
            `${name} needs a value, e.g. ${name}${spec.arg ? ` ${spec.arg}` : ' PATH'} (testio-mcp --help lists the global options)`,
          );
        }
        i += 1;
      }
      value = value ?? '';
      if (spec.env === null) result.envFile = value;
      else result.flags.push({ ...spec, value });
      continue;
    }
    if (arg === '-h' || arg === '--help') {
      result.help = true;
      continue;
    }
    if (arg === '--version' || (arg === '-v' && result.command === undefined)) {
      result.version = true;
      continue;
    }
    if (result.command === undefined) {
      if (arg.startsWith('-'))
        fail(
          `unknown option '${arg}' before the command. Run 'testio-mcp --help' for the options and commands.`,
        );
      result.command = arg;
      continue;
    }
    result.args.push(arg);
  }
  return result;
}

/** Loads --env-file, or ./.env and then ~/.testio-mcp.env when present; variables already set win. */
function loadEnvFiles(envFile) {
  if (envFile !== undefined) {
    if (envFile.trim() === '') fail('--env-file needs a path, e.g. --env-file ./.env');
    const file = expandHome(envFile);
    if (!existsSync(file))
      fail(`--env-file '${envFile}' does not exist; create it (testio-mcp setup) or point to another file`);
    process.loadEnvFile(file);
    return;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  const userFile = expandHome(USER_ENV_FILE);
  if (existsSync(userFile)) process.loadEnvFile(userFile);
}

/** Checks each global flag with its variable's schema (so the limits agree), then sets the variable. */
async function applyGlobalFlags(flags) {
  if (flags.length === 0) return;
  const { sharedSettingsSchema } = await import('@testio-mcp/domain');
  for (const { flag, env, value } of flags) {
    const parsed = sharedSettingsSchema.shape[env].safeParse(value);
    if (!parsed.success || value.trim() === '') {
      const reason = parsed.success
        ? 'a value is required'
        : parsed.error.issues.map((issue) => issue.message).join('; ');
      fail(`${flag} '${value}' is not valid: ${reason} (it sets ${env}; see testio-mcp --help)`);
    }
    process.env[env] = value;
  }
}

async function runCommand(command, args) {
  switch (command) {
    case 'sandbox': {
      const { runSandboxCli } = await import('@testio-mcp/testio-sandbox');
      await runSandboxCli(args);
      return;
    }
    case 'sync':
    case 'worker':
    case 'problematic': {
      const commands = await import('@testio-mcp/sync-worker');
      const run = {
        sync: commands.runSyncCommand,
        worker: commands.runWorkerCommand,
        problematic: commands.runProblematicCommand,
      }[command];
      process.exitCode = await run(args, process.env);
      return;
    }
    case 'serve': {
      // stdout belongs to the stdio transport from here on: everything else goes to stderr.
      // Over HTTP it also serves the REST API on its port (ADR 0015). Apps do not import each other, so
      // the dispatcher hands the REST API app over, loaded only when it is served.
      const { runServeCommand } = await import('@testio-mcp/mcp-server');
      // The sync process runs `worker` from the same entry (bin/testio-mcp.mjs, or the package's bundle).
      process.exitCode = await runServeCommand(args, process.env, {
        loadRestApi: async () => (await import('@testio-mcp/rest-api')).restApiHost,
        cliEntry: process.argv[1],
      });
      return;
    }
    case 'setup': {
      const { runSetupCommand } = await import('@testio-mcp/mcp-server');
      process.exitCode = await runSetupCommand(args, process.env);
      return;
    }
    case 'api': {
      const { runApiCommand } = await import('@testio-mcp/rest-api');
      process.exitCode = await runApiCommand(args, process.env);
      return;
    }
    case 'start': {
      if (args.length > 0)
        fail(
          `'start' takes no arguments (got '${args[0]}'); configure it with environment variables or global options`,
        );
      const { runStart } = await import('./start.mjs');
      await runStart(args, process.env);
      return;
    }
    default:
      fail(`unknown command '${command}'. Run 'testio-mcp --help' for the list of commands.`);
  }
}

const COMMANDS = new Set(['setup', 'start', 'sandbox', 'serve', 'api', 'worker', 'sync', 'problematic']);

async function main() {
  const parsed = parseArgv(process.argv.slice(2));
  let { command, args } = parsed;
  if (command === 'help') {
    command = args[0];
    args = [];
    parsed.help = true;
  }
  if (parsed.version) {
    process.stdout.write(`${pkg.version}\n`);
    return;
  }
  if (command === undefined && parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (command === undefined) {
    // A bare `testio-mcp` is what MCP client configurations of the reference product run (`npx testio-mcp`).
    command = 'serve';
    if (process.stdin.isTTY)
      process.stderr.write(
        'testio-mcp: no command given, so serving MCP over stdio (for an MCP client); testio-mcp --help lists the commands\n',
      );
  }
  if (parsed.help) {
    if (!COMMANDS.has(command))
      fail(`unknown command '${command}'. Run 'testio-mcp --help' for the list of commands.`);
    // The command's own help (its options), then the options every command shares.
    if (command === 'start') process.stdout.write(START_HELP);
    else await runCommand(command, [...args.filter((a) => !a.startsWith('-')), '--help']);
    process.stdout.write(`\n${GLOBAL_HELP}`);
    process.exitCode = 0;
    return;
  }
  // setup writes an env file; it does not read one (a token from an old file must not be reused unasked).
  if (command !== 'setup') loadEnvFiles(parsed.envFile);
  await applyGlobalFlags(parsed.flags);
  await runCommand(command, args);
}

export async function runCli() {
  try {
    await main();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error), 1);
  }
}
