import { rmSync, statSync } from 'node:fs';
import {
  DEFAULT_TENANT,
  formatThreePart,
  InvalidInputError,
  parseFlexibleDate,
  parseIdList,
  type EnvRecord,
  type SyncMode,
} from '@testio-mcp/domain';
import type { SyncStatusReport } from '@testio-mcp/sync';
import { Command } from 'commander';
import { createSyncContainer, type TenantSync } from '../container.js';
import { createProgressDisplay } from './progress-display.js';
import { confirmDestructive } from './confirm.js';
import {
  CommandFailure,
  loadContext,
  prepareCommand,
  reportCommandError,
  type CommandContext,
} from './shared.js';
import { formatSyncSummary } from './summary.js';

interface SyncFlags {
  force?: boolean;
  refresh?: boolean;
  incrementalOnly?: boolean;
  nuke?: boolean;
  yes?: boolean;
  since?: string;
  productIds?: string[];
  dryRun?: boolean;
  status?: boolean;
  verbose?: boolean;
  tenant?: string;
}

function buildCommand(): Command {
  return prepareCommand(
    new Command('testio-mcp sync')
      .description('Run one sync of the TestIO account into the local SQLite mirror.')
      .option('--force', 'read everything again: every test of every product, every bug')
      .option(
        '--refresh',
        'new tests plus every test that can still change (running, locked, ...) and its bugs',
      )
      .option('--incremental-only', 'only look for new tests: skip the product list, features and updates')
      .option('--nuke', 'delete the local mirror and read everything again, after a confirmation')
      .option('-y, --yes', 'answer yes to the confirmation (required for --nuke without a terminal)')
      .option('--since <date>', "ignore tests that ended before this date ('2025-01-01', '90 days ago')")
      .option(
        '--product-ids <ids...>',
        'only these products: 598 599 or 598,599 (within TESTIO_PRODUCT_IDS when set)',
      )
      .option('--dry-run', 'show what would be synced, without calling TestIO or writing anything')
      .option('--status', 'show the state of the mirror and of recent syncs, then exit')
      .option('--verbose', 'with --status: one line per product')
      .option(
        '--tenant <slug>',
        'only this tenant (`default` or one from `tenants list`); default every tenant',
      )
      .allowExcessArguments(false),
  );
}

function formatDate(d: Date | null | undefined): string {
  return d ? d.toISOString().replace('.000Z', 'Z') : 'never';
}

function formatStatus(report: SyncStatusReport, databasePath: string, verbose: boolean): string {
  let size = 'missing';
  try {
    size = `${(statSync(databasePath).size / 1_048_576).toFixed(1)} MB`;
  } catch {
    // A mirror that was never created has no size; "missing" says so.
  }
  const lines = [`database       ${databasePath} (${size})`];
  lines.push(
    `sync           ${report.running && report.lease ? `running (${report.lease.holder} since ${formatDate(report.lease.acquiredAt)})` : 'idle'}`,
  );
  lines.push(`breaker        ${report.breaker.open ? `open: ${report.breaker.reason}` : 'closed'}`);
  lines.push(`products       ${report.products.length}`);
  const open = report.problematicRanges.filter((r) => r.resolvedAt === null);
  lines.push(
    `problematic    ${open.length} open range(s)${open.length ? ' (testio-mcp problematic list)' : ''}`,
  );
  lines.push('recent runs:');
  if (report.runs.length === 0) lines.push('  none yet');
  for (const run of report.runs) {
    const counts = run.counts
      ? `${run.counts.testsDiscovered} new / ${run.counts.testsUpdated} updated tests, ${run.counts.bugsSynced} bugs`
      : '';
    lines.push(
      `  #${run.id} ${formatDate(run.startedAt)} ${run.trigger} ${run.mode} ${run.status} ${counts}${run.error ? ` (${run.error})` : ''}`,
    );
  }
  if (verbose) {
    lines.push('products:');
    for (const p of report.products) {
      lines.push(
        `  ${p.id} ${p.title}: features ${formatDate(p.featuresSyncedAt)}, tests ${formatDate(p.testsSyncedAt)}, full ${formatDate(p.lastFullSyncAt)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function modeOf(flags: SyncFlags): SyncMode {
  if (flags.force && flags.refresh) {
    throw new InvalidInputError({
      field: '--force',
      message: '--force and --refresh cannot be used together',
      reason: '--force already reads everything again, which includes what --refresh reads',
      hint: 'Use one of them',
    });
  }
  const chosen = (['force', 'refresh', 'incrementalOnly', 'nuke'] as const)
    .filter((flag) => flags[flag])
    .map((flag) => (flag === 'incrementalOnly' ? '--incremental-only' : `--${flag}`));
  if (chosen.length > 1) {
    throw new InvalidInputError({
      field: chosen[0] ?? '--force',
      message: `${chosen.join(' and ')} cannot be used together`,
      reason:
        '--force, --refresh, --incremental-only and --nuke each choose how much to read again; a run does one of them',
      hint: 'Use one of them',
    });
  }
  if (flags.nuke && flags.status) {
    throw new InvalidInputError({
      field: '--nuke',
      message: '--nuke and --status cannot be used together',
      reason: '--status only shows the state of the mirror; --nuke deletes it',
      hint: 'Run testio-mcp sync --status first, then testio-mcp sync --nuke',
    });
  }
  return flags.force || flags.nuke ? 'force' : flags.refresh ? 'refresh' : 'incremental';
}

/** The mirror's files: the database and SQLite's write-ahead log and shared-memory index beside it. */
function deleteMirror(databasePath: string): void {
  for (const file of [databasePath, `${databasePath}-wal`, `${databasePath}-shm`])
    rmSync(file, { force: true });
}

/** Deleting the mirror under a running sync would leave that sync writing to a file nobody reads. */
async function refuseWhileSyncing(context: CommandContext): Promise<void> {
  const container = await createSyncContainer(context.settings, context.runtime, context.logger, 'sync-cli');
  try {
    for (const tenant of container.tenants) {
      const report = await tenant.engine.status({ runs: 1 });
      if (report.running && report.lease) {
        throw new CommandFailure(
          formatThreePart(
            `A sync is running on this mirror (${report.lease.holder}, since ${formatDate(report.lease.acquiredAt)}): nothing was deleted`,
            'Deleting the mirror under a running sync would lose what it writes',
            'Stop the process that syncs (testio-mcp worker, serve or another sync) or wait for it, then run testio-mcp sync --nuke again',
          ),
          1,
        );
      }
    }
  } finally {
    await container.close();
  }
}

/** `testio-mcp sync`: one run with a progress display, a summary, and exit code 0 on success. */
export async function runSyncCommand(argv: readonly string[], env: EnvRecord): Promise<number> {
  try {
    const command = buildCommand();
    command.parse([...argv], { from: 'user' });
    const flags = command.opts<SyncFlags>();
    const mode = modeOf(flags);
    const now = new Date();
    const since = flags.since
      ? parseFlexibleDate(flags.since, { startOfDay: true, now, field: '--since' })
      : undefined;
    // `--product-ids 598 599` (the reference's form) and `--product-ids 598,599` alike.
    const productIds = parseIdList(flags.productIds?.join(','), '--product-ids');

    // The status and the dry run only read the local mirror: they work without a token.
    const context = loadContext(env, 'sync', { requireToken: !(flags.status || flags.dryRun) });
    if (flags.nuke && !flags.dryRun && context.runtime.databaseUrl) {
      throw new InvalidInputError({
        field: '--nuke',
        message:
          '--nuke deletes the SQLite mirror file, but this mirror is on PostgreSQL (TESTIO_DATABASE_URL)',
        reason:
          'A shared PostgreSQL database is not deleted by one instance; the other instances still use it',
        hint: 'Run testio-mcp sync --force to read everything again, or drop and recreate the database with PostgreSQL tools',
      });
    }
    if (flags.nuke && !flags.dryRun) {
      const confirmed = await confirmDestructive({
        yes: Boolean(flags.yes),
        command: 'sync --nuke',
        consequence: `deletes the local mirror ${context.runtime.databasePath} and reads everything from TestIO again (stop other testio-mcp processes that use it first)`,
      });
      if (!confirmed) {
        process.stderr.write('cancelled: nothing was deleted\n');
        return 1;
      }
      await refuseWhileSyncing(context);
      deleteMirror(context.runtime.databasePath);
      process.stderr.write(`deleted ${context.runtime.databasePath}; rebuilding it\n`);
    }
    const container = await createSyncContainer(
      context.settings,
      context.runtime,
      context.logger,
      'sync-cli',
      {
        tenant: flags.tenant,
      },
    );
    try {
      const many = container.tenants.length > 1;
      if (productIds && many) {
        throw new InvalidInputError({
          field: '--product-ids',
          message: '--product-ids names products of one account, but this sync covers several tenants',
          reason: `The mirror holds the tenants ${container.tenants.map((t) => t.slug).join(', ')}, each its own TestIO account`,
          hint: 'Add --tenant <slug> to say whose products they are',
        });
      }
      const heading = (tenant: TenantSync): string =>
        many ? `tenant ${tenant.slug} (customer ${tenant.customerId}, ${tenant.baseUrl})\n` : '';
      if (flags.status) {
        for (const tenant of container.tenants) {
          process.stdout.write(
            heading(tenant) +
              formatStatus(
                await tenant.engine.status({ runs: 10 }),
                context.runtime.databasePath,
                Boolean(flags.verbose),
              ),
          );
        }
        return 0;
      }
      if (flags.dryRun) {
        for (const tenant of container.tenants) {
          const report = await tenant.engine.status({ runs: 1 });
          const scope =
            productIds ?? (tenant.slug === DEFAULT_TENANT ? context.runtime.productIds : undefined);
          process.stdout.write(
            heading(tenant) +
              `dry run: ${flags.nuke ? 'delete the mirror, then ' : ''}a ${mode} sync of ${scope ? `products ${scope.join(', ')}` : 'every product'}` +
              `${(since ?? context.runtime.since) ? ` (tests ending after ${formatDate(since ?? context.runtime.since)})` : ''}` +
              ` into ${context.runtime.databasePath}\n` +
              report.products
                .filter((p) => !scope || scope.includes(p.id))
                .map((p) => `  ${p.id} ${p.title}: tests last walked ${formatDate(p.testsSyncedAt)}\n`)
                .join('') +
              `nothing was read from TestIO and nothing was written.\n`,
          );
        }
        return 0;
      }

      const controller = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        process.stderr.write(`\n${signal} received: finishing the current write, then stopping...\n`);
        controller.abort(new Error(`stopped by ${signal}`));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let exitCode = 0;
      try {
        // One tenant after another, each under its own lease: one tenant's failure (its API down, its
        // token refused, its lease held) is reported and the next tenant still syncs (ADR 0024).
        for (const tenant of container.tenants) {
          if (controller.signal.aborted) break;
          const code = await syncOneTenant(tenant, {
            heading: heading(tenant),
            mode,
            incrementalOnly: Boolean(flags.incrementalOnly),
            productIds,
            since: since ?? context.runtime.since,
            demo: context.runtime.demo,
            signal: controller.signal,
          });
          // Interrupted wins over failed, failed over success.
          if (code === 130 || (code !== 0 && exitCode === 0)) exitCode = code;
        }
        return exitCode;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    } finally {
      await container.close();
    }
  } catch (error) {
    return reportCommandError(error);
  }
}

interface TenantRunOptions {
  readonly heading: string;
  readonly mode: SyncMode;
  readonly incrementalOnly: boolean;
  readonly productIds: number[] | undefined;
  readonly since: Date | undefined;
  readonly demo: boolean;
  readonly signal: AbortSignal;
}

/** One tenant's run with its progress display and summary; the exit code it would give alone. */
async function syncOneTenant(tenant: TenantSync, options: TenantRunOptions): Promise<number> {
  const display = createProgressDisplay(process.stderr);
  let result;
  try {
    result = await tenant.engine.run({
      mode: options.mode,
      trigger: 'manual_cli',
      // The reference's "incremental only": new tests alone, no product list, features or updates.
      ...(options.incrementalOnly ? { phases: ['tests'] as const } : {}),
      ...(options.productIds ? { productIds: options.productIds } : {}),
      ...(options.since ? { since: options.since } : {}),
      onProgress: (p) => display.update(p),
      signal: options.signal,
    });
  } catch (error) {
    display.finish();
    // With one tenant the error is the command's; with several, it is this tenant's and the next one runs.
    if (!options.heading) throw error;
    process.stdout.write(options.heading);
    reportCommandError(error);
    return 1;
  }
  display.finish();
  process.stdout.write(
    `${options.heading}${options.demo ? '[demo] ' : ''}sync #${result.runId} finished\n${formatSyncSummary(result)}`,
  );
  if (result.status === 'failure') return 1;
  if (result.status === 'interrupted') return 130;
  return 0;
}
