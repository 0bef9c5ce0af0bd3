/**
 * Global flags (docs/cli.md) work before or after the command, as `--flag value` or `--flag=value`. Each
 * one sets its environment variable, so the settings of every process (and of the children of `start`,
 * which inherit the environment) see the same value, and it is checked with the same zod schema as that
 * variable. Precedence: flag > environment > --env-file (or ./.env, then ~/.testio-mcp.env).
 */

/** Names of the shared settings a global flag may set. */
export type GlobalFlagVariable =
  | 'LOG_LEVEL'
  | 'LOG_FORMAT'
  | 'LOG_FILE'
  | 'MAX_CONCURRENT_API_REQUESTS'
  | 'HTTP_TIMEOUT_SECONDS'
  | 'CACHE_TTL_SECONDS';

export interface GlobalFlag {
  readonly flag: string;
  readonly env: GlobalFlagVariable;
  readonly arg: string;
  readonly help: string;
}

/** Flags every command accepts, each the twin of an environment variable. */
export const GLOBAL_FLAGS: readonly GlobalFlag[] = [
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

/** A mistake in how the command line was written: printed as `testio-mcp: <message>`, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export interface GlobalFlagValue extends GlobalFlag {
  readonly value: string;
}

export interface ParsedArgv {
  command: string | undefined;
  args: string[];
  flags: GlobalFlagValue[];
  envFile: string | undefined;
  help: boolean;
  version: boolean;
}

const ENV_FILE_FLAG = '--env-file';

/**
 * Splits argv into the command, its own arguments and the global flags, wherever they appear. A global
 * flag's value is `--flag value` or `--flag=value`; `--` ends flag parsing.
 */
export function parseArgv(argv: readonly string[]): ParsedArgv {
  const known = new Map<string, GlobalFlag | null>([
    [ENV_FILE_FLAG, null],
    ...GLOBAL_FLAGS.map((g): [string, GlobalFlag] => [g.flag, g]),
  ]);
  const result: ParsedArgv = {
    command: undefined,
    args: [],
    flags: [],
    envFile: undefined,
    help: false,
    version: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      result.args.push(...argv.slice(i));
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const spec = known.get(name);
    if (spec !== undefined) {
      let value = eq === -1 ? argv[i + 1] : arg.slice(eq + 1);
      if (eq === -1) {
        if (value === undefined || (value.startsWith('--') && value.length > 2)) {
          throw new UsageError(
            `${name} needs a value, e.g. ${name} ${spec ? spec.arg : 'PATH'} (testio-mcp --help lists the global options)`,
          );
        }
        i += 1;
      }
      value = value ?? '';
      if (spec === null) result.envFile = value;
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
        throw new UsageError(
          `unknown option '${arg}' before the command. Run 'testio-mcp --help' for the options and commands.`,
        );
      result.command = arg;
      continue;
    }
    result.args.push(arg);
  }
  return result;
}
