import { ConflictError, DatabaseBusyError, type Logger, type SyncMode } from '@testio-mcp/domain';
import { errorMessage } from './abort.js';
import type { SyncEngine } from './engine.js';
import type { SyncResult, SyncRunOptions } from './types.js';

export interface SyncSchedulerOptions {
  readonly engine: SyncEngine;
  /** Time between two checks (`TESTIO_REFRESH_INTERVAL_SECONDS`); 0 runs the startup check only. */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Mode of automatic runs. Default `incremental`. */
  readonly mode?: SyncMode;
  readonly since?: Date;
  /** `TESTIO_FORCE_INITIAL_SYNC`: the startup check skips the staleness test (never the breaker). */
  readonly forceInitialSync?: boolean;
  readonly onProgress?: SyncRunOptions['onProgress'];
  /** Called after every automatic run, and with the reason when a check decided not to run. */
  readonly onRunFinished?: (result: SyncResult) => void;
  readonly onSkipped?: (reason: string) => void;
}

export interface SyncScheduler {
  /** Runs the startup check at once, then a check every interval. */
  start(): void;
  /** Stops the loop; a running sync finishes its current write and ends `interrupted`. */
  stop(): Promise<void>;
  /** Whether a run started by this scheduler is in progress. */
  readonly running: boolean;
}

/**
 * The worker's periodic loop. Each check asks the engine whether an automatic sync should run (the
 * circuit breaker first, then staleness); runs never overlap (the next check is scheduled only after
 * the previous one ended), and a sync held by another process is skipped quietly.
 */
export function createSyncScheduler(options: SyncSchedulerOptions): SyncScheduler {
  const { engine, intervalMs } = options;
  const logger = options.logger.child({ component: 'sync-scheduler' });
  let timer: ReturnType<typeof setTimeout> | null = null;
  let current: Promise<void> | null = null;
  let controller: AbortController | null = null;
  let stopped = true;

  async function check(trigger: 'startup' | 'background'): Promise<void> {
    const decision = await engine.shouldRunAutomaticSync(undefined, {
      force: trigger === 'startup' && (options.forceInitialSync ?? false),
    });
    if (!decision.run) {
      (decision.breaker.open ? logger.warn.bind(logger) : logger.debug.bind(logger))(
        { trigger },
        `automatic sync skipped: ${decision.reason}`,
      );
      options.onSkipped?.(decision.reason);
      return;
    }
    if (stopped) return;
    logger.info({ trigger }, `automatic sync starting: ${decision.reason}`);
    controller = new AbortController();
    try {
      const result = await engine.run({
        mode: options.mode ?? 'incremental',
        trigger,
        signal: controller.signal,
        ...(options.since ? { since: options.since } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      options.onRunFinished?.(result);
    } catch (error) {
      // Another sync holds the lease, or another writer the database: this turn is skipped, not failed.
      if (error instanceof ConflictError || error instanceof DatabaseBusyError) {
        logger.info({ trigger }, `automatic sync skipped: ${error.message}`);
        options.onSkipped?.(error.message);
      } else throw error;
    } finally {
      controller = null;
    }
  }

  function schedule(trigger: 'startup' | 'background', delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      current = check(trigger)
        .catch((error: unknown) =>
          logger.error({ err: error }, `automatic sync check failed: ${errorMessage(error)}`),
        )
        .finally(() => {
          current = null;
          if (intervalMs > 0) schedule('background', intervalMs);
        });
    }, delayMs);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule('startup', 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      controller?.abort();
      if (current) await current;
    },
    get running() {
      return controller !== null;
    },
  };
}
