import type { EnvRecord } from '@testio-mcp/domain';
import { createSyncScheduler } from '@testio-mcp/sync';
import { Command } from 'commander';
import { nextRunDelayMs } from '../config.js';
import { createSyncContainer } from '../container.js';
import { loadContext, prepareCommand, reportCommandError } from './shared.js';

/**
 * `testio-mcp worker`: an initial sync when the mirror is stale, then one every
 * `TESTIO_REFRESH_INTERVAL_SECONDS`. SIGINT/SIGTERM let the current write finish, then exit 0.
 */
export async function runWorkerCommand(argv: readonly string[], env: EnvRecord): Promise<number> {
  try {
    prepareCommand(
      new Command('testio-mcp worker').description('Keep the local mirror of the TestIO account fresh.').allowExcessArguments(false),
    ).parse([...argv], { from: 'user' });
    const { settings, runtime, logger } = loadContext(env, 'sync-worker');
    const container = createSyncContainer(settings, runtime, logger, 'sync-worker');
    const interval = nextRunDelayMs(settings);
    const scheduler = createSyncScheduler({
      engine: container.engine,
      intervalMs: interval ?? 0,
      logger,
      forceInitialSync: settings.TESTIO_FORCE_INITIAL_SYNC,
      ...(runtime.since ? { since: runtime.since } : {}),
      onRunFinished: (result) =>
        logger.info(
          { runId: result.runId, status: result.status, durationMs: result.durationMs, ...result.counts, warnings: result.warnings.length },
          `sync #${result.runId} ${result.status}`,
        ),
    });
    logger.info(
      {
        database: runtime.databasePath,
        api: runtime.baseUrl,
        intervalSeconds: settings.TESTIO_REFRESH_INTERVAL_SECONDS,
        products: runtime.productIds ?? 'all',
      },
      `${runtime.demo ? 'DEMO MODE: ' : ''}sync worker started`,
    );
    scheduler.start();

    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'stopping: the current write finishes first');
        const grace = setTimeout(() => {
          logger.error({ graceSeconds: settings.SHUTDOWN_GRACE_PERIOD_SECONDS }, 'shutdown grace period exceeded, exiting');
          process.exit(1);
        }, settings.SHUTDOWN_GRACE_PERIOD_SECONDS * 1000);
        grace.unref();
        scheduler
          .stop()
          .catch((error: unknown) => logger.error({ err: error }, 'the sync did not stop cleanly'))
          .finally(() => resolve());
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await container.close();
    logger.info('sync worker stopped');
    return 0;
  } catch (error) {
    return reportCommandError(error);
  }
}
