import { reportCliError, resolveRuntimeWithoutToken } from '@testio-mcp/composition';
import { InvalidInputError, parseSettings, sharedSettingsSchema, type EnvRecord } from '@testio-mcp/domain';
import {
  copySqliteToPostgres,
  openDatabase,
  openPostgresDatabase,
  redactUrl,
  type PgMirrorDatabase,
} from '@testio-mcp/persistence';
import { Command } from 'commander';
import { processIo, table, type CommandIo } from '../principals/principal-db.js';

/**
 * `testio-mcp db copy --to postgresql://...`: moves an existing SQLite mirror (every tenant's rows, sync
 * state, principals and audit) into a PostgreSQL database, migrating it first, and prints and verifies
 * the row counts (ADR 0036). The copy is one transaction: a failed one leaves the target as it was.
 */

function checkUrl(value: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new InvalidInputError({
      field: '--to',
      message: `--to '${parsed ? redactUrl(value) : value.slice(0, 20)}' is not a PostgreSQL URL`,
      reason: 'The copy goes into a PostgreSQL database named by its connection URL',
      hint: 'Use e.g. --to postgresql://testio@db.internal:5432/testio (a password is better in PGPASSWORD or ~/.pgpass)',
    });
  }
  return value;
}

export async function runDbCommand(
  argv: readonly string[],
  env: EnvRecord,
  io: CommandIo = processIo(),
): Promise<number> {
  try {
    const root = new Command('testio-mcp db')
      .description('move the mirror between engines')
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

    root
      .command('copy')
      .description(
        'copy the SQLite mirror (TESTIO_DB_PATH: every tenant, sync state, keys, audit) into a PostgreSQL database, migrated first',
      )
      .requiredOption('--to <url>', 'the target, postgresql://user@host:port/database')
      .option('--replace', 'empty a target that already has rows instead of refusing it')
      .option('--batch-size <rows>', 'rows per INSERT', '500')
      .option('--json', 'print the counts as JSON')
      .action(async (flags: { to: string; replace?: boolean; batchSize: string; json?: boolean }) => {
        const url = checkUrl(flags.to);
        const batchSize = Number(flags.batchSize);
        if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 5000) {
          throw new InvalidInputError({
            field: '--batch-size',
            message: `--batch-size '${flags.batchSize.slice(0, 20)}' is not valid`,
            reason:
              'A batch is a whole number of rows, and PostgreSQL takes at most 65535 parameters a statement',
            hint: 'Use a number from 1 to 5000, or leave it out (500)',
          });
        }
        const settings = parseSettings(sharedSettingsSchema, env);
        const runtime = resolveRuntimeWithoutToken({ ...settings, TESTIO_DEMO_MODE: false });
        // Opening migrates the source to this release, the schema the target's migrations describe.
        const source = openDatabase({ path: runtime.databasePath, customerId: runtime.customerId });
        let target: PgMirrorDatabase | undefined;
        try {
          target = await openPostgresDatabase({ url, customerId: runtime.customerId });
          if (!flags.json) io.stderr.write(`copying ${source.path} into ${redactUrl(url)}\n`);
          const started = Date.now();
          const result = await copySqliteToPostgres({
            sqlite: source.sqlite,
            pool: target.pool,
            replace: flags.replace,
            batchSize,
            onTable: ({ table: name, rows }) => {
              if (!flags.json) io.stderr.write(`  ${name}: ${rows}\n`);
            },
            onDerived: ({ table: name, rows }) => {
              if (!flags.json) io.stderr.write(`  ${name}: ${rows} (rebuilt)\n`);
            },
          });
          const seconds = (Date.now() - started) / 1000;
          const counted = new Map(result.verified.map((r) => [r.table, r.rows]));
          const wrong = result.tables.filter((r) => counted.get(r.table) !== r.rows);
          if (flags.json) {
            io.stdout.write(
              `${JSON.stringify({ target: redactUrl(url), seconds, tables: result.verified, verified: wrong.length === 0 })}\n`,
            );
          } else {
            io.stdout.write(
              `${table([
                ['TABLE', 'SQLITE', 'POSTGRESQL'],
                ...result.tables.map((r) => [r.table, String(r.rows), String(counted.get(r.table) ?? '')]),
              ])}\n`,
            );
          }
          if (wrong.length > 0) {
            throw new Error(
              `row counts differ after the copy in ${wrong.map((r) => r.table).join(', ')}; the target is not a faithful copy`,
            );
          }
          if (!flags.json) {
            io.stdout.write(
              `Copied ${result.tables.reduce((n, r) => n + r.rows, 0)} rows in ${seconds.toFixed(1)} s; counts verified. ` +
                `Point every process at it with TESTIO_DATABASE_URL.\n`,
            );
          }
        } finally {
          await target?.close();
          await source.close();
        }
      });

    await root.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return reportCliError(error, io.stderr);
  }
}
