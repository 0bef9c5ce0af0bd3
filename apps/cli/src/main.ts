import { parseArgv, UsageError } from './argv.js';
import { loadEnvFiles } from './env-files.js';
import { COMMANDS, GLOBAL_HELP, START_HELP, usage } from './help.js';
import { packageVersion } from './version.js';

/**
 * The `testio-mcp` command line. It only dispatches: each subcommand lives in the app that owns it, loaded
 * when it runs (so `--version` loads none of them). From a checkout, bin/testio-mcp.mjs runs it through
 * tsx; the published package bundles it to JavaScript (tools/package).
 */

const unknownCommand = (command: string) =>
  new UsageError(`unknown command '${command}'. Run 'testio-mcp --help' for the list of commands.`);

async function runCommand(command: string, args: string[]): Promise<void> {
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
    case 'keys': {
      const { runKeysCommand } = await import('./principals/keys-command.js');
      process.exitCode = await runKeysCommand(args, process.env);
      return;
    }
    case 'audit': {
      const { runAuditCommand } = await import('./principals/audit-command.js');
      process.exitCode = await runAuditCommand(args, process.env);
      return;
    }
    case 'tenants': {
      const { runTenantsCommand } = await import('./principals/tenants-command.js');
      process.exitCode = await runTenantsCommand(args, process.env);
      return;
    }
    case 'db': {
      const { runDbCommand } = await import('./db/db-command.js');
      process.exitCode = await runDbCommand(args, process.env);
      return;
    }
    case 'setup': {
      const { runSetupCommand } = await import('./setup/setup-command.js');
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
        throw new UsageError(
          `'start' takes no arguments (got '${args[0]}'); configure it with environment variables or global options`,
        );
      const { runStart } = await import('./start/start.js');
      await runStart(process.env);
      return;
    }
    default:
      throw unknownCommand(command);
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseArgv(argv);
  let { command, args } = parsed;
  if (command === 'help') {
    command = args[0];
    args = [];
    parsed.help = true;
  }
  if (parsed.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  if (command === undefined && parsed.help) {
    process.stdout.write(usage(packageVersion()));
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
    if (!COMMANDS.has(command)) throw unknownCommand(command);
    // The command's own help (its options), then the options every command shares.
    if (command === 'start') process.stdout.write(START_HELP);
    else await runCommand(command, [...args.filter((a) => !a.startsWith('-')), '--help']);
    process.stdout.write(`\n${GLOBAL_HELP}`);
    process.exitCode = 0;
    return;
  }
  // setup writes an env file; it does not read one (a token from an old file must not be reused unasked).
  if (command !== 'setup') loadEnvFiles(parsed.envFile);
  if (parsed.flags.length > 0) {
    // The settings schemas load only when a flag needs checking: `--version` and `--help` stay quick.
    const { applyGlobalFlags } = await import('./global-flags.js');
    applyGlobalFlags(parsed.flags, process.env);
  }
  await runCommand(command, args);
}

/** Runs `testio-mcp` with the process's arguments; a usage mistake exits 2, any other failure 1. */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  try {
    await main(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`testio-mcp: ${message}\n`);
    process.exit(error instanceof UsageError ? error.exitCode : 1);
  }
}
