// The `testio-mcp` command line. It only dispatches: each subcommand lives in the project that owns it.
// From a checkout, bin/testio-mcp.mjs loads it through tsx; the published package bundles it to JavaScript.
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** Subcommands that later milestones implement; they say so instead of pretending. */
const PLANNED = {
  setup: 'interactive set-up of a .env for a real TestIO account',
};

const USAGE = `testio-mcp ${pkg.version}: read a TestIO crowd-testing account from AI assistants and tools

Usage: testio-mcp <command> [options]

Commands:
  start               the main job; with no TESTIO_CUSTOMER_API_TOKEN, runs on the embedded sandbox (demo mode)
  sandbox [options]   the local TestIO Customer API simulator (testio-mcp sandbox --help)
  serve [options]     the MCP server: --transport stdio (default) | http [--host 127.0.0.1] [--port 8080]
  api [options]       the REST API with OpenAPI and Swagger UI: [--host 127.0.0.1] [--port 8081]
  worker              keep the SQLite mirror of the account fresh (initial sync, then periodic)
  sync [options]      one sync run: --force --refresh --since DATE --product-ids 1,2 --dry-run --status
  problematic <cmd>   tests TestIO could not serve: list | retry | clear
${Object.entries(PLANNED)
  .map(([name, what]) => `  ${name.padEnd(20)}${what} (not built yet)`)
  .join('\n')}

Options:
  --env-file PATH     read settings from PATH (default: .env in the current directory, if present)
  -h, --help          show this help
  -v, --version       print the version
`;

function fail(message, code = 2) {
  process.stderr.write(`testio-mcp: ${message}\n`);
  process.exit(code);
}

function loadEnvFile(args) {
  const index = args.indexOf('--env-file');
  if (index === -1) {
    if (existsSync('.env')) process.loadEnvFile('.env');
    return args;
  }
  const file = args[index + 1];
  if (!file || file.startsWith('-')) fail('--env-file needs a path, e.g. --env-file ./.env');
  if (!existsSync(file)) fail(`--env-file '${file}' does not exist; create it or point to another file`);
  process.loadEnvFile(file);
  return [...args.slice(0, index), ...args.slice(index + 2)];
}

async function main() {
  const [command, ...rawArgs] = process.argv.slice(2);
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${pkg.version}\n`);
    return;
  }
  const args = loadEnvFile(rawArgs);
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
      const run = { sync: commands.runSyncCommand, worker: commands.runWorkerCommand, problematic: commands.runProblematicCommand }[command];
      process.exitCode = await run(args, process.env);
      return;
    }
    case 'serve': {
      // stdout belongs to the stdio transport from here on: everything else goes to stderr.
      const { runServeCommand } = await import('@testio-mcp/mcp-server');
      process.exitCode = await runServeCommand(args, process.env);
      return;
    }
    case 'api': {
      const { runApiCommand } = await import('@testio-mcp/rest-api');
      process.exitCode = await runApiCommand(args, process.env);
      return;
    }
    case 'start': {
      const { runStart } = await import('./start.mjs');
      await runStart(args, process.env);
      return;
    }
    default:
      if (command in PLANNED) {
        fail(
          `'${command}' (${PLANNED[command]}) is not built yet.\n` +
            `  It arrives with the next milestones; see README.md, "Status".\n` +
            `  Today you can run: testio-mcp sandbox, or npm start (demo mode).`,
          1,
        );
      }
      fail(`unknown command '${command}'. Run 'testio-mcp --help' for the list of commands.`);
  }
}

export async function runCli() {
  try {
    await main();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error), 1);
  }
}
