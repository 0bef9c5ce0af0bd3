import { ConflictError, type Clock, type Lease, type Logger, type SyncStateStore } from '@testio-mcp/domain';

export interface LeaseConfig {
  readonly holderId: string;
  readonly leaseTtlMs: number;
  readonly canStealLease?: ((lease: Lease) => boolean) | undefined;
}

export function syncInProgressError(current: Lease): ConflictError {
  return new ConflictError({
    message: `A sync is already running (holder ${current.holder} since ${current.acquiredAt.toISOString()})`,
    reason: `Only one sync writes the mirror at a time; that lease expires at ${current.expiresAt.toISOString()} unless its holder keeps renewing it`,
    hint: 'Wait for the running sync to finish (see the sync status), then try again',
  });
}

/** Takes the one-writer lease or throws `ConflictError` naming the current holder. */
export async function acquireSyncLease(
  syncState: SyncStateStore,
  config: LeaseConfig,
  now: Date,
): Promise<Lease> {
  const result = await syncState.acquireLease(config.holderId, config.leaseTtlMs, now, config.canStealLease);
  if (!result.acquired) throw syncInProgressError(result.current);
  return result.lease;
}

export interface Heartbeat {
  /** Stops the timer and waits for a beat in progress, so nothing renews after the release. */
  stop(): Promise<void>;
}

/**
 * Renews the lease and the run's heartbeat every `intervalMs`. When the lease turns out to be lost
 * (it expired and someone else took it), `onLost` is called once; the run must stop writing.
 */
export function startHeartbeat(options: {
  syncState: SyncStateStore;
  clock: Clock;
  logger: Logger;
  holderId: string;
  leaseTtlMs: number;
  intervalMs: number;
  runId: number;
  onLost: () => void;
}): Heartbeat {
  const { syncState, clock, logger, holderId, leaseTtlMs, runId } = options;
  let beating: Promise<void> | null = null;
  let lost = false;
  const beat = async (): Promise<void> => {
    const now = clock.now();
    const kept = await syncState.renewLease(holderId, leaseTtlMs, now);
    if (!kept) {
      if (!lost) {
        lost = true;
        logger.error({ holderId, runId }, 'the sync lease was lost to another holder; stopping this run');
        options.onLost();
      }
      return;
    }
    await syncState.heartbeatRun(runId, now);
  };
  const timer = setInterval(() => {
    if (beating) return;
    beating = beat()
      .catch((error: unknown) => logger.warn({ err: error, runId }, 'sync heartbeat failed; will retry'))
      .finally(() => {
        beating = null;
      });
  }, options.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      if (beating) await beating;
    },
  };
}
