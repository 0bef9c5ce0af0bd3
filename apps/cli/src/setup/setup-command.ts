import { existsSync, readFileSync } from 'node:fs';
import { PRODUCTION_API_BASE_URL, sharedSettingsSchema, type EnvRecord } from '@testio-mcp/domain';
import { resolveUserPath } from '@testio-mcp/persistence';
import { Command, CommanderError } from 'commander';
import { TOOLS, TOOLSETS } from '@testio-mcp/mcp-server';
import { checkToken, type TokenCheck } from '@testio-mcp/composition';
import { DEFAULT_ENV_FILE, renderEnvFile, writeSecretFile, type SetupValues } from './env-file.js';

/**
 * `testio-mcp setup`: writes the settings of a real TestIO account to an env file (default
 * ~/.testio-mcp.env, which every command reads when there is no ./.env), after checking the token against
 * the API. Interactive on a terminal; `--non-interactive` with flags for scripted installs. The token is
 * never printed, and the file is written with mode 0600.
 *
 * Exit codes: 0 written; 1 token refused, API unreachable, file exists without --force, or cancelled;
 * 2 a bad flag or no terminal; 130 Ctrl-C.
 */

interface SetupFlags {
  nonInteractive?: boolean;
  token?: string;
  tokenFile?: string;
  baseUrl?: string;
  customerName?: string;
  customerId?: string;
  productIds?: string;
  toolsets?: string;
  output?: string;
  force?: boolean;
  skipCheck?: boolean;
}

/** A problem with what the user gave: the message is printed and mapped to the exit code. */
class SetupStop extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const NO_TERMINAL =
  'setup needs a terminal to ask its questions; use --non-interactive with flags for scripted installs, e.g.\n' +
  '  testio-mcp setup --non-interactive --token-file ./token.txt [--base-url URL] [--customer-name NAME] [--customer-id N]\n' +
  '                   [--product-ids 598,599] [--toolsets discovery,summaries] [--output ~/.testio-mcp.env] [--force]\n' +
  "(--token-file - reads the token from stdin). See 'testio-mcp setup --help'.";

function buildCommand(): Command {
  return new Command('testio-mcp setup')
    .description(
      `Write the settings of a real TestIO account to an env file (default ${DEFAULT_ENV_FILE}, mode 0600), after checking the token with GET /products. Interactive on a terminal.`,
    )
    .option('--non-interactive', 'ask nothing: take every value from the flags below (for scripts)')
    .option(
      '--token <token>',
      'the TestIO Customer API token (visible to other users in the process list; prefer --token-file)',
    )
    .option('--token-file <path>', 'read the token from the first line of this file, or from stdin with -')
    .option('--base-url <url>', `the API base URL (default ${PRODUCTION_API_BASE_URL})`)
    .option('--customer-name <name>', 'your TestIO customer name, e.g. the subdomain (default "default")')
    .option('--customer-id <id>', 'local tenant id stored on every row (default 1)')
    .option('--product-ids <ids>', 'mirror only these products, e.g. 598,599 (default: all)')
    .option(
      '--toolsets <names>',
      `MCP tool groups to serve: ${TOOLSETS.join(', ')} (default: all but triage)`,
    )
    .option('--output <path>', `where to write the env file (default ${DEFAULT_ENV_FILE})`)
    .option('--force', 'replace the output file if it exists (interactive setup asks instead)')
    .option('--skip-check', 'save without checking the token against the API (offline installs)')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
}

/** Checks a flag or an answer with the schema of the variable it becomes, so the limits agree. */
function checkWith(
  variable: 'TESTIO_CUSTOMER_API_BASE_URL' | 'TESTIO_CUSTOMER_ID' | 'TESTIO_PRODUCT_IDS',
  value: string,
): string | null {
  const parsed = sharedSettingsSchema.shape[variable].safeParse(value);
  return parsed.success ? null : parsed.error.issues.map((i) => i.message).join('; ');
}

function badFlag(flag: string, value: string, allowed: string): SetupStop {
  return new SetupStop(`${flag} '${value}' is not valid: ${allowed}`, 2);
}

function parseBaseUrl(raw: string, flag = '--base-url'): string {
  const problem = checkWith('TESTIO_CUSTOMER_API_BASE_URL', raw.trim());
  if (problem || !/^https?:\/\//.test(raw.trim()))
    throw badFlag(flag, raw, 'expected an http(s) URL such as https://api.test.io/customer/v2');
  return raw.trim().replace(/\/+$/, '');
}

function parseCustomerId(raw: string): number {
  const problem = checkWith('TESTIO_CUSTOMER_ID', raw);
  if (problem) throw badFlag('--customer-id', raw, `${problem} (a whole number, 1 or more)`);
  return Number(raw.trim());
}

function parseCustomerName(raw: string): string {
  const name = raw.trim();
  if (name === '' || /[\r\n"']/.test(name))
    throw badFlag('--customer-name', raw, 'expected a non-empty name without quotes or line breaks');
  return name;
}

function parseProductIds(raw: string): number[] | undefined {
  if (raw.trim() === '') return undefined;
  const problem = checkWith('TESTIO_PRODUCT_IDS', raw);
  if (problem) throw badFlag('--product-ids', raw, `${problem} (e.g. 598,599)`);
  return [
    ...new Set(
      raw
        .replace(/[[\]"]/g, '')
        .split(',')
        .map((p) => Number(p.trim()))
        .filter((n) => n > 0),
    ),
  ];
}

function parseToolsets(raw: string): string[] | undefined {
  const names = raw
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) return undefined;
  const unknown = names.filter((n) => !(TOOLSETS as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw badFlag(
      '--toolsets',
      raw,
      `unknown toolset ${unknown.map((n) => `'${n}'`).join(', ')}; valid: ${TOOLSETS.join(', ')}`,
    );
  // The default set (every toolset but the opt-in triage, ADR 0032) is the same as none listed: keep the
  // file short and open to new toolsets.
  const defaults = TOOLSETS.filter((t) => t !== 'triage');
  const chosen = TOOLSETS.filter((t) => names.includes(t));
  return chosen.length === defaults.length && defaults.every((t) => chosen.includes(t)) ? undefined : chosen;
}

function parseToken(raw: string, source: string): string {
  const token = raw.trim();
  if (token === '') throw new SetupStop(`${source} is empty: expected the TestIO Customer API token`, 2);
  if (/\s/.test(token))
    throw new SetupStop(
      `${source} is not valid: a token has no spaces or line breaks (the value is not shown)`,
      2,
    );
  return token;
}

function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : resolveUserPath(file), 'utf8');
  } catch (error) {
    throw new SetupStop(
      `--token-file '${file}' cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      2,
    );
  }
  return parseToken(
    text.split(/\r?\n/)[0] ?? '',
    file === '-' ? 'the token on stdin' : `--token-file '${file}'`,
  );
}

function describeValues(values: SetupValues, file: string): string {
  return [
    `  file          ${file} (mode 0600)`,
    `  token         ${values.token.length} characters (not shown)`,
    `  base URL      ${values.baseUrl}`,
    `  customer      ${values.customerName} (id ${values.customerId})`,
    `  products      ${values.productIds?.length ? values.productIds.join(', ') : 'all'}`,
    `  toolsets      ${values.toolsets?.length ? values.toolsets.join(', ') : 'all'}`,
  ].join('\n');
}

function nextSteps(file: string): string {
  const cli = resolveUserPath(DEFAULT_ENV_FILE) === file ? 'testio-mcp' : `testio-mcp --env-file ${file}`;
  return [
    '',
    'Next:',
    `  ${cli} sync                      mirror the account now, with progress`,
    `  ${cli} start                     worker + MCP server (http://127.0.0.1:8080/mcp) + REST API`,
    `  ${cli} serve --transport stdio   what an MCP client starts (docs/mcp-clients.md)`,
    '',
  ].join('\n');
}

function write(values: SetupValues, file: string): void {
  try {
    writeSecretFile(file, renderEnvFile(values));
  } catch (error) {
    throw new SetupStop(
      `could not write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; nothing was saved`,
      1,
    );
  }
}

async function runNonInteractive(flags: SetupFlags): Promise<number> {
  if (flags.token !== undefined && flags.tokenFile !== undefined)
    throw new SetupStop('use either --token or --token-file, not both', 2);
  if (flags.token === undefined && flags.tokenFile === undefined) {
    throw new SetupStop(
      '--non-interactive needs the token: --token-file PATH (or - for stdin), or --token TOKEN',
      2,
    );
  }
  const token =
    flags.tokenFile !== undefined ? readTokenFile(flags.tokenFile) : parseToken(flags.token ?? '', '--token');
  const values: SetupValues = {
    token,
    baseUrl: parseBaseUrl(flags.baseUrl ?? PRODUCTION_API_BASE_URL),
    customerName: parseCustomerName(flags.customerName ?? 'default'),
    customerId: parseCustomerId(flags.customerId ?? '1'),
    productIds: flags.productIds !== undefined ? parseProductIds(flags.productIds) : undefined,
    toolsets: flags.toolsets !== undefined ? parseToolsets(flags.toolsets) : undefined,
  };
  const file = resolveUserPath(flags.output ?? DEFAULT_ENV_FILE);
  if (existsSync(file) && !flags.force)
    throw new SetupStop(`${file} already exists; nothing was written (add --force to replace it)`, 1);
  if (!flags.skipCheck) {
    const check = await checkToken({ baseUrl: values.baseUrl, token });
    if (!check.ok) throw new SetupStop(`${check.message}\nNothing was written.`, 1);
    process.stdout.write(
      `Token accepted: it can see ${check.products.length} product${check.products.length === 1 ? '' : 's'}.\n`,
    );
  }
  write(values, file);
  process.stdout.write(`Saved the settings:\n${describeValues(values, file)}\n${nextSteps(file)}`);
  return 0;
}

/** The toolsets as checkbox choices, each naming its tools. */
function toolsetChoices(selected: readonly string[] | undefined) {
  return TOOLSETS.map((set) => ({
    name: `${set.padEnd(10)} ${TOOLS.filter((t) => t.toolset === set)
      .map((t) => t.name)
      .join(', ')}`,
    value: set,
    short: set,
    checked: selected === undefined ? set !== 'triage' : selected.includes(set),
  }));
}

type Prompts = typeof import('@inquirer/prompts');

async function askToken(
  { password, confirm, select }: Prompts,
  baseUrl: string,
  skipCheck: boolean,
): Promise<{ token: string; check: TokenCheck | null }> {
  for (;;) {
    const token = (
      await password({
        message: 'TestIO Customer API token (TestIO UI: Integrations → API; input is hidden):',
        mask: '*',
        validate: (value) =>
          value.trim() === ''
            ? 'The token is required'
            : /\s/.test(value.trim())
              ? 'A token has no spaces'
              : true,
      })
    ).trim();
    if (skipCheck) return { token, check: null };
    process.stdout.write(`Checking the token with GET ${baseUrl}/products ...\n`);
    const check = await checkToken({ baseUrl, token });
    if (check.ok) {
      process.stdout.write(
        `Token accepted: it can see ${check.products.length} product${check.products.length === 1 ? '' : 's'}.\n`,
      );
      return { token, check };
    }
    process.stdout.write(`${check.message}\n`);
    if (check.kind === 'refused') {
      if (await confirm({ message: 'Enter the token again?', default: true })) continue;
      throw new SetupStop('The token was refused; nothing was written.', 1);
    }
    const next = await select({
      message: 'What now?',
      choices: [
        { name: 'Try again', value: 'retry' },
        { name: 'Save without checking', value: 'save' },
        { name: 'Cancel (nothing is written)', value: 'cancel' },
      ],
    });
    if (next === 'save') return { token, check: null };
    if (next === 'cancel') throw new SetupStop('Cancelled; nothing was written.', 1);
  }
}

async function runInteractive(flags: SetupFlags): Promise<number> {
  // Loaded here only: `serve` and every other command never need the prompts.
  const prompts = await import('@inquirer/prompts');
  const { checkbox, confirm, input } = prompts;
  process.stdout.write(
    [
      'testio-mcp setup: connect testio-mcp to your TestIO account.',
      `Your answers go to an env file readable only by you (default ${DEFAULT_ENV_FILE}). Ctrl-C cancels.`,
      '',
    ].join('\n'),
  );
  const baseUrl = parseBaseUrl(
    await input({
      message: 'TestIO Customer API base URL:',
      default: flags.baseUrl ?? PRODUCTION_API_BASE_URL,
      validate: (v) =>
        checkWith('TESTIO_CUSTOMER_API_BASE_URL', v.trim()) || !/^https?:\/\//.test(v.trim())
          ? 'Expected an http(s) URL'
          : true,
    }),
  );
  const { token, check } = await askToken(prompts, baseUrl, Boolean(flags.skipCheck));
  const customerName = parseCustomerName(
    await input({
      message: 'Customer name (e.g. your TestIO subdomain):',
      default: flags.customerName ?? 'default',
      validate: (v) => (v.trim() === '' || /[\r\n"']/.test(v) ? 'A name without quotes' : true),
    }),
  );
  const customerId = parseCustomerId(
    await input({
      message: 'Customer id (the local tenant id stored on every row):',
      default: flags.customerId ?? '1',
      validate: (v) => (checkWith('TESTIO_CUSTOMER_ID', v) ? 'A whole number, 1 or more' : true),
    }),
  );
  const preset = flags.productIds !== undefined ? parseProductIds(flags.productIds) : undefined;
  let productIds: number[] | undefined;
  if (check?.ok && check.products.length > 0) {
    const chosen = await checkbox({
      message: 'Products to mirror (space selects, enter confirms; none selected = all):',
      choices: check.products.map((p) => ({
        name: `${p.name} (${p.id})`,
        value: p.id,
        checked: preset?.includes(p.id) ?? false,
      })),
      pageSize: 12,
    });
    productIds = chosen.length > 0 && chosen.length < check.products.length ? chosen : undefined;
  } else {
    productIds = parseProductIds(
      await input({
        message: 'Product ids to mirror, comma-separated (empty = all):',
        default: preset?.join(',') ?? '',
        validate: (v) =>
          v.trim() === '' || !checkWith('TESTIO_PRODUCT_IDS', v)
            ? true
            : 'Comma-separated numbers, e.g. 598,599',
      }),
    );
  }
  const chosenToolsets = await checkbox({
    message: 'MCP toolsets to serve:',
    choices: toolsetChoices(flags.toolsets !== undefined ? parseToolsets(flags.toolsets) : undefined),
    required: true,
  });
  const toolsets = parseToolsets(chosenToolsets.join(','));
  let file = resolveUserPath(flags.output ?? DEFAULT_ENV_FILE);
  for (;;) {
    file = resolveUserPath(
      await input({
        message: 'Write the settings to:',
        default: file,
        validate: (v) => (v.trim() === '' ? 'A path is required' : true),
      }),
    );
    if (!existsSync(file)) break;
    if (await confirm({ message: `${file} exists. Replace it?`, default: false })) break;
  }
  const values: SetupValues = { token, baseUrl, customerName, customerId, productIds, toolsets };
  write(values, file);
  process.stdout.write(`\nSaved the settings:\n${describeValues(values, file)}\n${nextSteps(file)}`);
  return 0;
}

export interface SetupTerminal {
  readonly isTTY: boolean;
}

export async function runSetupCommand(
  argv: readonly string[],
  _env: EnvRecord,
  terminal: SetupTerminal = { isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY) },
): Promise<number> {
  try {
    const command = buildCommand();
    command.parse([...argv], { from: 'user' });
    const flags = command.opts<SetupFlags>();
    if (flags.nonInteractive) return await runNonInteractive(flags);
    if (!terminal.isTTY) throw new SetupStop(NO_TERMINAL, 2);
    return await runInteractive(flags);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof SetupStop) {
      process.stderr.write(`testio-mcp setup: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof Error && error.name === 'ExitPromptError') {
      process.stderr.write('\ntestio-mcp setup: cancelled; nothing was written.\n');
      return 130;
    }
    throw error;
  }
}
