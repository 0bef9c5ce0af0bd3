import { issueApiKey, listApiKeys, revokeApiKey } from '@testio-mcp/composition';
import { systemClock, type EnvRecord } from '@testio-mcp/domain';
import { Command } from 'commander';
import {
  processIo,
  runWithPrincipalDb,
  table,
  type CommandIo,
  type PrincipalAction,
} from './principal-db.js';

/**
 * `testio-mcp keys create|list|revoke`: API keys for MCP over HTTP and the REST API (ADR 0022). The key
 * is printed once, by `create`; the database keeps its SHA-256 only, so nothing can show it again.
 */

function command(io: CommandIo, run: PrincipalAction): Command {
  const root = new Command('testio-mcp keys')
    .description('API keys for MCP over HTTP and the REST API: create (shown once), list, revoke')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  root
    .command('create')
    .description('create a key and print it once')
    .requiredOption('--tenant <slug>', 'the tenant the key reads: default, or one added with `tenants add`')
    .requiredOption('--role <role>', 'viewer (read), operator (read and sync), admin (everything)')
    .requiredOption('--name <label>', 'who or what uses it, shown by `keys list`')
    .option('--expires <duration>', 'e.g. 90d, 12h, 30m, or never (default never)')
    .option('--json', 'print {"id","key","tenant","role","expires_at"}')
    .action((flags: { tenant: string; role: string; name: string; expires?: string; json?: boolean }) =>
      run(async (db) => {
        const issued = issueApiKey(db.store, flags, systemClock);
        // Printed once stored: a key the database refused is never shown as made.
        await db.settled();
        if (flags.json) {
          const { id, key, tenant, role, expires_at } = issued;
          io.stdout.write(`${JSON.stringify({ id, key, tenant, role, expires_at })}\n`);
          return;
        }
        io.stdout.write(
          [
            `Created key ${issued.id} (${issued.role} of tenant ${issued.tenant}, "${issued.name}"), ${issued.expires_at ? `expires ${issued.expires_at}` : 'no expiry'}:`,
            '',
            `  ${issued.key}`,
            '',
            'It is shown this once: store it now. Send it as "Authorization: Bearer <key>".',
            '',
          ].join('\n'),
        );
      }),
    );

  root
    .command('list')
    .description('list keys (never a secret)')
    .option('--json', 'print a JSON array')
    .action((flags: { json?: boolean }) =>
      run((db) => {
        const rows = listApiKeys(db.store, systemClock.now());
        if (flags.json) {
          io.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        if (rows.length === 0) {
          io.stdout.write(
            'No keys. Create one with `testio-mcp keys create --tenant default --role viewer --name "<label>"`.\n',
          );
          return;
        }
        io.stdout.write(
          `${table([
            ['ID', 'TENANT', 'ROLE', 'STATE', 'EXPIRES', 'NAME'],
            ...rows.map((r) => [r.id, r.tenant, r.role, r.state, r.expires_at ?? 'never', r.name]),
          ])}\n`,
        );
      }),
    );

  root
    .command('revoke')
    .description('revoke a key at once (its id from `keys list`)')
    .argument('<id>', 'the key id')
    .action((id: string) =>
      run(async (db) => {
        revokeApiKey(db.store, id, systemClock.now());
        await db.settled();
        io.stdout.write(`Revoked key ${id}: requests with it are refused from now on.\n`);
      }),
    );
  return root;
}

export function runKeysCommand(
  argv: readonly string[],
  env: EnvRecord,
  io: CommandIo = processIo(),
): Promise<number> {
  return runWithPrincipalDb(command, argv, env, io);
}
