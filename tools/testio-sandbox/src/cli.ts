import { Command, CommanderError } from 'commander';
import { startSandbox } from './start.js';
import {
  API_PREFIX,
  DEFAULT_SANDBOX_PORT,
  DEFAULT_SANDBOX_SEED,
  DEFAULT_SANDBOX_TOKEN,
  SANDBOX_SCALES,
  type SandboxFaults,
  type SandboxScale,
  type StartSandboxOptions,
} from './types.js';

/** A bad flag value: the message names the flag, the value and what is allowed. Exit code 2. */
export class CliUsageError extends Error {}

export interface SandboxCliOptions extends StartSandboxOptions {
  port: number;
  host: string;
  seed: number;
  scale: SandboxScale;
  token: string;
  /** Days to move the clock forward right after start. */
  advanceDays: number;
}

interface RawFlags {
  port: string;
  host: string;
  seed: string;
  scale: string;
  token: string;
  latencyMs?: string;
  faultRate?: string;
  anchor?: string;
  advanceDays?: string;
}

function buildCommand(): Command {
  return new Command('testio-mcp sandbox')
    .description(
      'Serve a simulated TestIO Customer API v2 account for local development, tests and benchmarks.',
    )
    .option('--port <port>', 'TCP port (0 picks a free one)', String(DEFAULT_SANDBOX_PORT))
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--seed <seed>',
      'generator seed; same seed + scale + anchor = same account',
      String(DEFAULT_SANDBOX_SEED),
    )
    .option('--scale <scale>', `account size: ${SANDBOX_SCALES.join(', ')}`, 'small')
    .option(
      '--token <token>',
      'API token clients must send as "Authorization: Token <token>"',
      DEFAULT_SANDBOX_TOKEN,
    )
    .option('--latency-ms <ms>', 'latency added to every API response')
    .option('--fault-rate <rate>', 'probability in [0, 1] of a 500 on any API request')
    .option('--anchor <date>', "the account's 'now' as YYYY-MM-DD (default: today, UTC)")
    .option('--advance-days <days>', 'move the clock forward this many days after start', '0')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
}

function fail(flag: string, value: string, allowed: string): never {
  throw new CliUsageError(`invalid value for ${flag}: "${value}" (allowed: ${allowed})`);
}

function integerIn(flag: string, raw: string, min: number, max: number, allowed: string): number {
  if (!/^-?\d+$/.test(raw.trim())) fail(flag, raw, allowed);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) fail(flag, raw, allowed);
  return value;
}

function numberIn(flag: string, raw: string, min: number, max: number, allowed: string): number {
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) fail(flag, raw, allowed);
  return value;
}

/** Parses just the flags (no node/script prefix). Returns null when help was shown. */
export function parseSandboxCliArgs(argv: readonly string[]): SandboxCliOptions | null {
  const command = buildCommand();
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help') return null;
      throw new CliUsageError(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
  const flags = command.opts<RawFlags>();

  const scale = flags.scale as SandboxScale;
  if (!SANDBOX_SCALES.includes(scale)) fail('--scale', flags.scale, SANDBOX_SCALES.join(', '));
  if (!/^\S+$/.test(flags.token)) fail('--token', flags.token, 'a non-empty token without spaces');
  if (flags.host.trim() === '') fail('--host', flags.host, 'a host name or IP address');

  const faults: SandboxFaults = {};
  if (flags.latencyMs !== undefined) {
    faults.latencyMs = integerIn('--latency-ms', flags.latencyMs, 0, 600_000, 'an integer from 0 to 600000');
  }
  if (flags.faultRate !== undefined) {
    faults.failRate = numberIn('--fault-rate', flags.faultRate, 0, 1, 'a number from 0 to 1');
  }

  let anchor: Date | undefined;
  if (flags.anchor !== undefined) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(flags.anchor);
    const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
    if (!date || date.toISOString().slice(0, 10) !== flags.anchor)
      fail('--anchor', flags.anchor, 'a calendar date as YYYY-MM-DD');
    anchor = date;
  }

  return {
    port: integerIn('--port', flags.port, 0, 65_535, 'an integer from 0 to 65535'),
    host: flags.host,
    seed: integerIn('--seed', flags.seed, -2_147_483_648, 4_294_967_295, 'an integer'),
    scale,
    token: flags.token,
    faults,
    ...(anchor ? { anchor } : {}),
    advanceDays: numberIn(
      '--advance-days',
      flags.advanceDays ?? '0',
      0,
      3_650,
      'a number of days from 0 to 3650',
    ),
  };
}

const READ_ENDPOINTS = [
  'GET  /products, /products/{id}',
  'GET  /products/{id}/features (422 on sectioned products), /products/{id}/sections/{sid}/features',
  'GET  /products/{id}/user_stories[?section_id=], /user_stories/{id}',
  'GET  /products/{id}/exploratory_tests[?page=&per_page=], /exploratory_tests/{id}',
  'GET  /bugs?filter_product_ids=&filter_section_ids=&filter_test_cycle_ids=&export_status=, /bugs/{id}, /bugs/reject_reasons',
  'POST /bugs {"bug":{"external_idx":"EXT-<bug id>"}}',
  'PUT  /bugs/{id}/accept|reject|mark_as_known|mark_as_exported|mark_as_fixed',
  'GET  /products/{id}/test_environments[/{id}], /test_templates?product_id=',
];

const CONTROL_ENDPOINTS = [
  'GET  /_sandbox/health, /_sandbox/truth[?per_test=1], /_sandbox/faults, /_sandbox/requests',
  'POST /_sandbox/advance {"days":1,"hours":0}',
  'POST /_sandbox/faults {...SandboxFaults}   DELETE /_sandbox/faults',
];

/**
 * `testio-mcp sandbox [flags]`: serves until SIGINT/SIGTERM, then resolves. A bad flag sets exit code 2
 * and resolves without starting anything.
 */
export async function runSandboxCli(argv: readonly string[]): Promise<void> {
  let options: SandboxCliOptions | null;
  try {
    options = parseSandboxCliArgs(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(
      `testio-mcp sandbox: ${error.message}\nRun "testio-mcp sandbox --help" for the flags.\n`,
    );
    process.exitCode = 2;
    return;
  }
  // null: commander has already printed the help.
  if (options === null) return;

  let sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (error) {
    process.stderr.write(
      `testio-mcp sandbox: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
    return;
  }
  if (options.advanceDays > 0) sandbox.advance({ days: options.advanceDays });
  const truth = sandbox.truth();

  const lines = [
    'TestIO sandbox: a simulated TestIO Customer API v2 account',
    `  base URL   ${sandbox.baseUrl}`,
    `  auth       Authorization: Token ${sandbox.token}   (token "forbidden-token" gets 403 on /products/{id}/... and writes)`,
    `  account    seed ${options.seed}, scale ${options.scale}, now ${truth.now}: ${truth.totals.products} products, ` +
      `${truth.totals.tests} tests, ${truth.totals.bugs} bugs`,
    `  faults     latency ${options.faults?.latencyMs ?? 0} ms, fault rate ${options.faults?.failRate ?? 0}`,
    `  API (under ${API_PREFIX}):`,
    ...READ_ENDPOINTS.map((line) => `    ${line}`),
    `  control (no token, at ${sandbox.origin}):`,
    ...CONTROL_ENDPOINTS.map((line) => `    ${line}`),
    'Press Ctrl+C to stop.',
  ];

  const force = (second: NodeJS.Signals) => {
    process.stderr.write(`testio-mcp sandbox: second ${second} received while stopping: exiting now\n`);
    process.exit(second === 'SIGINT' ? 130 : 143);
  };
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (first: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // A second signal stops at once; open keep-alive connections no longer hold the process.
      process.on('SIGINT', force);
      process.on('SIGTERM', force);
      process.stderr.write(`testio-mcp sandbox: ${first}, stopping\n`);
      void sandbox.close().then(
        () => resolve(first),
        () => resolve(first),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Only now: whoever reacts to these lines may signal at once.
    process.stderr.write(`${lines.join('\n')}\n`);
  });
  process.off('SIGINT', force);
  process.off('SIGTERM', force);
  process.stderr.write(`testio-mcp sandbox: stopped (${signal})\n`);
}
