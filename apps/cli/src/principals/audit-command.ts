import {
  InvalidInputError,
  systemClock,
  TENANT_SLUG_PATTERN,
  type Clock,
  type EnvRecord,
} from '@testio-mcp/domain';
import { Command } from 'commander';
import {
  processIo,
  runWithPrincipalDb,
  table,
  type CommandIo,
  type PrincipalAction,
} from './principal-db.js';

/**
 * `testio-mcp audit [--tenant SLUG] [--since 24h|ISO] [--limit N] [--json]`: the newest entries of the
 * audit trail (ADR 0025), newest first. Entries hold public principal ids only, so nothing here is secret.
 */

const UNITS_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `24h`, `7d` (before now) or an ISO 8601 date/time. */
export function parseSince(value: string, clock: Pick<Clock, 'now'>): Date {
  const relative = /^(\d{1,6})([mhd])$/.exec(value.trim());
  if (relative) {
    return new Date(clock.now().getTime() - Number(relative[1]) * (UNITS_MS[relative[2] ?? 'd'] ?? 0));
  }
  const at = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(at)) return new Date(at);
  throw new InvalidInputError({
    field: 'since',
    message: `--since '${value.slice(0, 40)}' is neither a duration nor a date`,
    reason: 'It says how far back the entries go',
    hint: 'Use a duration before now such as 30m, 24h or 7d, or a date such as 2026-12-01 or 2026-12-01T08:00:00Z',
  });
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1 && n <= 10_000) return n;
  throw new InvalidInputError({
    field: 'limit',
    message: `--limit '${value.slice(0, 20)}' is not a whole number from 1 to 10000`,
    hint: 'Use e.g. --limit 500, or narrow with --since and --tenant',
  });
}

function command(io: CommandIo, run: PrincipalAction): Command {
  return new Command('testio-mcp audit')
    .description('recent MCP tool calls and REST requests: who, which tenant, what, outcome, duration')
    .option('--tenant <slug>', 'only this tenant')
    .option('--since <when>', 'how far back: 30m, 24h, 7d, or a date (default: everything kept)')
    .option('--limit <n>', 'at most this many entries, newest first', '100')
    .option('--json', 'print a JSON array')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .action((flags: { tenant?: string; since?: string; limit: string; json?: boolean }) =>
      run(async (db) => {
        if (flags.tenant !== undefined && !TENANT_SLUG_PATTERN.test(flags.tenant)) {
          throw new InvalidInputError({
            field: 'tenant',
            message: `--tenant '${flags.tenant.slice(0, 40)}' is not a tenant slug`,
            reason: 'Slugs are lower-case letters, digits and dashes, starting with a letter',
            hint: 'Use default, or a slug from `testio-mcp tenants list`',
          });
        }
        const rows = (
          await db.listAudit({
            tenant: flags.tenant,
            since: flags.since === undefined ? undefined : parseSince(flags.since, systemClock),
            limit: parseLimit(flags.limit),
          })
        ).map((r) => ({
          at: r.at.toISOString(),
          principal: r.principal,
          tenant: r.tenant,
          surface: r.surface,
          action: r.action,
          outcome: r.outcome,
          status: r.status,
          duration_ms: r.durationMs,
        }));
        if (flags.json) {
          io.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        if (rows.length === 0) {
          io.stdout.write(
            'No audit entries match. MCP tool calls over HTTP and REST requests are recorded while the server runs.\n',
          );
          return;
        }
        io.stdout.write(
          `${table([
            ['AT', 'PRINCIPAL', 'TENANT', 'SURFACE', 'ACTION', 'OUTCOME', 'STATUS', 'MS'],
            ...rows.map((r) => [
              r.at,
              r.principal ?? '-',
              r.tenant,
              r.surface,
              r.action,
              r.outcome,
              r.status === null ? '-' : String(r.status),
              String(r.duration_ms),
            ]),
          ])}\n`,
        );
      }),
    );
}

export function runAuditCommand(
  argv: readonly string[],
  env: EnvRecord,
  io: CommandIo = processIo(),
): Promise<number> {
  return runWithPrincipalDb(command, argv, env, io);
}
