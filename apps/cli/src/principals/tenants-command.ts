import {
  addTenant,
  checkToken,
  removeTenant,
  listTenants,
  loadMasterKey,
  rekeyTenants,
  reportCliError,
  requireMasterKey,
} from '@testio-mcp/composition';
import { InvalidInputError, PRODUCTION_API_BASE_URL, systemClock, type EnvRecord } from '@testio-mcp/domain';
import { Command } from 'commander';

import { openPrincipalDb, processIo, table, type CommandIo, type PrincipalDb } from './principal-db.js';

/**
 * `testio-mcp tenants add|list|remove|rekey` (ADR 0022). A token never comes from argv (it would sit in
 * the shell history and in `ps`): it is read from standard input or from the variable `--token-env`
 * names, checked against the API, and stored encrypted under the master key.
 */

export interface TenantsOptions {
  /** How a token is checked; the API's GET /products by default. */
  readonly checkToken?: typeof checkToken;
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin)
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text;
}

async function readSecret(
  io: CommandIo,
  env: EnvRecord,
  variable: string | undefined,
  what: string,
): Promise<string> {
  if (variable !== undefined) {
    const value = env[variable]?.trim();
    if (!value) {
      throw new InvalidInputError({
        field: '--token-env',
        message: `The variable ${variable} is empty or not set`,
        reason: `${what} is read from the variable --token-env names`,
        hint: `Export ${variable} first, or pipe the value on standard input`,
      });
    }
    return value;
  }
  if (io.stdin.isTTY) io.stderr.write(`${what} (input is read until end of file, Ctrl-D): `);
  const value = (await readStdin(io.stdin)).split(/\r?\n/)[0]?.trim() ?? '';
  if (!value) {
    throw new InvalidInputError({
      field: 'stdin',
      message: `No ${what.toLowerCase()} on standard input`,
      reason: 'Secrets are never taken from the command line, where shell history and `ps` would show them',
      hint: 'Pipe it in (`printf %s "$TOKEN" | testio-mcp tenants add acme`) or use --token-env VAR',
    });
  }
  return value;
}

function parseCustomerId(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidInputError({
      field: '--customer-id',
      message: `--customer-id '${value.slice(0, 40)}' is not valid`,
      reason: 'A customer id is a positive whole number',
      hint: 'Use e.g. --customer-id 42, or leave it out to get a free one',
    });
  }
  return n;
}

export async function runTenantsCommand(
  argv: readonly string[],
  env: EnvRecord,
  io: CommandIo = processIo(),
  options: TenantsOptions = {},
): Promise<number> {
  let db: PrincipalDb | undefined;
  const open = async (): Promise<PrincipalDb> => (db ??= await openPrincipalDb(env, io));
  const check = options.checkToken ?? checkToken;
  try {
    const root = new Command('testio-mcp tenants')
      .description('TestIO accounts served besides `default`, their tokens encrypted under TESTIO_MASTER_KEY')
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

    root
      .command('add')
      .description(
        'add a tenant; the token comes from stdin or --token-env, is checked, and stored encrypted',
      )
      .argument('<slug>', 'lower-case letters, digits and dashes, e.g. acme')
      .option('--customer-id <n>', 'the TestIO customer id (default: a free local id)')
      .option('--base-url <url>', `the TestIO Customer API (default ${PRODUCTION_API_BASE_URL})`)
      .option('--token-env <VAR>', 'read the token from this environment variable instead of stdin')
      .option('--skip-check', 'store the token without asking the API first')
      .action(
        async (
          slug: string,
          flags: { customerId?: string; baseUrl?: string; tokenEnv?: string; skipCheck?: boolean },
        ) => {
          const { store, settings, settled } = await open();
          const masterKey = requireMasterKey(loadMasterKey(settings), 'Adding a tenant');
          const customerId = parseCustomerId(flags.customerId);
          const token = await readSecret(io, env, flags.tokenEnv, 'TestIO API token');
          const baseUrl = (flags.baseUrl ?? PRODUCTION_API_BASE_URL).replace(/\/+$/, '');
          if (!flags.skipCheck) {
            const result = await check({ baseUrl, token });
            if (!result.ok) {
              throw new InvalidInputError({
                field: 'token',
                message: `The token for tenant '${slug}' did not work`,
                reason: result.message,
                hint: 'Check the token and --base-url, or add it anyway with --skip-check',
              });
            }
          }
          const added = addTenant(store, { slug, token, customerId, baseUrl }, masterKey, systemClock, [
            settings.TESTIO_CUSTOMER_ID,
          ]);
          await settled();
          io.stdout.write(
            `Added tenant ${added.slug} (customer id ${added.customer_id}, ${added.base_url}); its token is stored encrypted.\nCreate a key for it: testio-mcp keys create --tenant ${added.slug} --role viewer --name "<label>"\n`,
          );
        },
      );

    root
      .command('list')
      .description('list tenants (never a token)')
      .option('--json', 'print a JSON array')
      .action(async (flags: { json?: boolean }) => {
        const { store, settings } = await open();
        const rows = [
          {
            slug: 'default',
            customer_id: settings.TESTIO_CUSTOMER_ID,
            base_url: settings.TESTIO_CUSTOMER_API_BASE_URL,
            created_at: null as string | null,
          },
          ...listTenants(store),
        ];
        if (flags.json) {
          io.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        io.stdout.write(
          `${table([
            ['SLUG', 'CUSTOMER ID', 'BASE URL', 'TOKEN'],
            ...rows.map((r) => [
              r.slug,
              String(r.customer_id),
              r.base_url,
              r.slug === 'default' ? 'TESTIO_CUSTOMER_API_TOKEN' : 'encrypted',
            ]),
          ])}\n`,
        );
      });

    root
      .command('remove')
      .description(
        'remove a tenant and revoke its keys (its mirrored rows stay until the database is rebuilt)',
      )
      .argument('<slug>')
      .action(async (slug: string) => {
        const opened = await open();
        removeTenant(opened.store, slug, systemClock.now());
        await opened.settled();
        io.stdout.write(`Removed tenant ${slug}; its keys are revoked.\n`);
      });

    root
      .command('rekey')
      .description(
        're-encrypt every tenant token under a new master key (the current one is TESTIO_MASTER_KEY)',
      )
      .option('--new-key-env <VAR>', 'read the new key from this variable instead of stdin')
      .action(async (flags: { newKeyEnv?: string }) => {
        const { store, settings, settled } = await open();
        const current = requireMasterKey(loadMasterKey(settings), 'Re-encrypting the tenants');
        const next = loadMasterKey({
          TESTIO_MASTER_KEY: await readSecret(io, env, flags.newKeyEnv, 'New master key'),
        }) as Buffer;
        const n = rekeyTenants(store, current, next, systemClock);
        await settled();
        io.stdout.write(
          `Re-encrypted ${n} tenant token${n === 1 ? '' : 's'} under the new key. Set TESTIO_MASTER_KEY to it before the next start.\n`,
        );
      });

    await root.parseAsync([...argv], { from: 'user' });
    await db?.settled();
    return 0;
  } catch (error) {
    return reportCliError(error, io.stderr);
  } finally {
    await db?.close();
  }
}
