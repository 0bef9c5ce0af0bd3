import { waitForStop } from '@testio-mcp/app-runtime';
import type { EnvRecord } from '@testio-mcp/domain';
import { createSyncScheduler } from '@testio-mcp/sync';
import { Command } from 'commander';
import { nextRunDelayMs } from '../config.js';
import { createSyncContainer, type TenantSync } from '../container.js';
import { loadContext, prepareCommand, reportCommandError } from './shared.js';

/**
 * Started by `serve` as its sync process (ADR 0012), the worker has an IPC channel to the server. The
 * channel closes when the server exits, however it exits (even SIGKILL), and then the worker stops too,
 * releasing the sync lease, instead of syncing on as an orphan.
 */
function serverGone(): Promise<string> | undefined {
  if (!process.send) return undefined;
  if (!process.connected) return Promise.resolve('server gone');
  return new Promise((resolve) => process.once('disconnect', () => resolve('server gone')));
}

/**
 * `testio-mcp worker`: an initial sync when the mirror is stale, then one every
 * `TESTIO_REFRESH_INTERVAL_SECONDS`. SIGINT/SIGTERM let the current write finish, then exit 0.
 */
export async function runWorkerCommand(argv: readonly string[], env: EnvRecord): Promise<number> {
  try {
    prepareCommand(
      new Command('testio-mcp worker')
        .description('Keep the local mirror of the TestIO account fresh.')
        .allowExcessArguments(false),
    ).parse([...argv], { from: 'user' });
    const { settings, runtime, logger } = loadContext(env, 'sync-worker');
    const container = await createSyncContainer(settings, runtime, logger, 'sync-worker');
    const interval = nextRunDelayMs(settings);
    // One scheduler per tenant (ADR 0024): each with its own lease, client and circuit breaker, so one
    // tenant's outage, 429s or bad token never hold up another's sync.
    const many = () => container.tenants.length > 1;
    const schedule = (tenant: TenantSync) => {
      const log = logger.child({ tenant: tenant.slug });
      return createSyncScheduler({
        engine: tenant.engine,
        intervalMs: interval ?? 0,
        logger: log,
        forceInitialSync: settings.TESTIO_FORCE_INITIAL_SYNC,
        ...(runtime.since ? { since: runtime.since } : {}),
        onRunFinished: (result) =>
          log.info(
            {
              runId: result.runId,
              status: result.status,
              durationMs: result.durationMs,
              ...result.counts,
              warnings: result.warnings.length,
            },
            `sync #${result.runId} ${result.status}${many() ? ` (tenant ${tenant.slug})` : ''}`,
          ),
      });
    };
    const schedulers = new Map(container.tenants.map((tenant) => [tenant.slug, schedule(tenant)]));
    // Tenants added or removed while running (CLI, admin API, customer tokens) are picked up by a rescan,
    // without a restart. One rescan at a time; a removed tenant's sync is stopped before its client closes.
    let rescanning: Promise<void> = Promise.resolve();
    const rescan = () => {
      rescanning = rescanning.then(async () => {
        const { added, removed } = container.rescanTenants();
        for (const tenant of removed) {
          await schedulers.get(tenant.slug)?.stop();
          schedulers.delete(tenant.slug);
          tenant.close();
          logger.info({ tenant: tenant.slug }, `tenant ${tenant.slug} is no longer synced`);
        }
        for (const tenant of added) {
          const scheduler = schedule(tenant);
          schedulers.set(tenant.slug, scheduler);
          scheduler.start();
          logger.info({ tenant: tenant.slug }, `tenant ${tenant.slug} is synced from now on`);
        }
      });
      rescanning.catch((error: unknown) => logger.error({ err: error }, 'the tenant rescan failed'));
    };
    const rescanTimer = setInterval(rescan, settings.TESTIO_TENANT_RESCAN_SECONDS * 1000);
    rescanTimer.unref();
    // Listening for signals before saying "started": whoever reacts to that line may signal at once.
    const stopping = waitForStop({
      graceSeconds: settings.SHUTDOWN_GRACE_PERIOD_SECONDS,
      also: serverGone(),
      report: (message) => logger.error({ graceSeconds: settings.SHUTDOWN_GRACE_PERIOD_SECONDS }, message),
    });
    logger.info(
      {
        database: container.database.location,
        api: runtime.baseUrl,
        intervalSeconds: settings.TESTIO_REFRESH_INTERVAL_SECONDS,
        products: runtime.productIds ?? 'all',
        tenants: container.tenants.map((t) => t.slug),
        tenantRescanSeconds: settings.TESTIO_TENANT_RESCAN_SECONDS,
      },
      `${runtime.demo ? 'DEMO MODE: ' : ''}sync worker started`,
    );
    for (const scheduler of schedulers.values()) scheduler.start();

    const stop = await stopping;
    logger.info({ signal: stop.reason }, 'stopping: the current write finishes first');
    clearInterval(rescanTimer);
    await rescanning.catch(() => undefined);
    await Promise.all(
      [...schedulers.values()].map((scheduler) =>
        scheduler
          .stop()
          .catch((error: unknown) => logger.error({ err: error }, 'the sync did not stop cleanly')),
      ),
    );
    await container.close();
    stop.done();
    logger.info({ signal: stop.reason }, `sync worker stopped (${stop.reason})`);
    // An open IPC channel would keep this process alive.
    if (process.connected) process.disconnect();
    return 0;
  } catch (error) {
    return reportCommandError(error);
  }
}
