import {
  DatabaseBusyError,
  DEFAULT_TENANT,
  type Clock,
  type Logger,
  type Principal,
} from '@testio-mcp/domain';
import type { AuditRow } from '@testio-mcp/persistence';
import type { AuditSink } from '../database/app-database.js';

/**
 * The audit trail (ADR 0025): who (principal id, never a secret), for which tenant, did what (tool or
 * route), with what outcome and how long it took. Recording only appends to a buffer; the buffer is
 * written in one transaction a second later (or at once when it fills), so no request waits for the
 * disk. A write that fails keeps its rows for the next flush, up to a bound past which the oldest are
 * dropped and counted.
 *
 * The database busy (`DatabaseBusyError`: a sync's write transaction holds the lock; the audit's
 * connection does not wait for it) is expected while a sync runs: the batch is tried again a moment
 * later, quietly. Only when nothing could be written for `warnAfterMs` is that a warning. Any other
 * failure is a warning at once.
 */

export type AuditOutcome = 'ok' | 'error' | 'refused' | 'rate_limited';

export interface AuditEvent {
  readonly principal: Principal | undefined;
  readonly surface: 'mcp' | 'rest';
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly status?: number;
  readonly durationMs: number;
}

export interface AuditTrail {
  record(event: AuditEvent): void;
  /**
   * Writes what is buffered now (tests, shutdown). On a synchronous store (SQLite) the write is done when
   * this returns; the promise settles when an asynchronous one (PostgreSQL) has answered.
   */
  flush(): Promise<void>;
  /** Deletes entries older than the retention; the number deleted. */
  prune(): Promise<number>;
  /** Flushes and stops the timers. */
  close(): Promise<void>;
}

export interface AuditTrailOptions {
  readonly store: AuditSink;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  readonly retentionDays: number;
  readonly flushIntervalMs?: number;
  readonly maxBatch?: number;
  readonly maxBuffered?: number;
  /** How often old entries are pruned (default hourly; the first prune runs at once). */
  readonly pruneIntervalMs?: number;
  /** Delay before a batch that met a busy database is tried again (default 250 ms). */
  readonly busyRetryMs?: number;
  /** How long the database may stay busy for the trail before that is a warning (default 60 s). */
  readonly warnAfterMs?: number;
}

const DAY_MS = 86_400_000;

export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const { store, clock, logger } = options;
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const maxBatch = options.maxBatch ?? 500;
  const maxBuffered = options.maxBuffered ?? 20_000;
  const busyRetryMs = options.busyRetryMs ?? 250;
  const warnAfterMs = options.warnAfterMs ?? 60_000;
  let buffer: AuditRow[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** A failure was logged as a warning; the next successful write says so. */
  let warned = false;
  /** Since when every write met a busy database (null: the last write did not). */
  let busySince: Date | null = null;
  let dropped = 0;
  let closed = false;

  function keep(rows: AuditRow[]): void {
    buffer = rows.concat(buffer);
    if (buffer.length > maxBuffered) {
      dropped += buffer.length - maxBuffered;
      buffer = buffer.slice(buffer.length - maxBuffered);
    }
  }

  /** The write in flight on an asynchronous store: the next flush waits for it, so batches stay in order. */
  let inFlight: Promise<void> | undefined;

  function written(rows: AuditRow[]): void {
    if (warned) logger.info({ rows: rows.length, dropped }, 'audit trail written again');
    warned = false;
    busySince = null;
    dropped = 0;
  }

  function failed(rows: AuditRow[], error: unknown): void {
    keep(rows);
    if (error instanceof DatabaseBusyError) {
      const now = clock.now();
      busySince ??= now;
      const waitedMs = now.getTime() - busySince.getTime();
      if (!warned && waitedMs >= warnAfterMs) {
        warned = true;
        logger.warn(
          { err: error, rows: buffer.length, dropped, waitedSeconds: Math.round(waitedMs / 1000) },
          `The audit trail could not be written for ${Math.round(waitedMs / 1000)} s (${buffer.length} entries waiting). ` +
            'Another writer kept the database locked the whole time (a sync holds the lock only while it writes). ' +
            'The entries are kept and written once the lock is free; look for a process holding the mirror in a transaction (testio-mcp sync --status)',
        );
      } else {
        logger.debug({ rows: buffer.length, waitedMs }, 'audit trail write deferred: the database is busy');
      }
      schedule(busyRetryMs);
      return;
    }
    busySince = null;
    if (!warned) logger.warn({ err: error, rows: rows.length }, 'audit trail write failed; will retry');
    warned = true;
    schedule();
  }

  /** Writes the buffer; undefined when that finished synchronously (SQLite), else the pending write. */
  function flushNow(): Promise<void> | undefined {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (inFlight) return inFlight.then(flush);
    if (buffer.length === 0) return undefined;
    const rows = buffer;
    buffer = [];
    let result: void | Promise<void>;
    try {
      result = store.insertMany(rows);
    } catch (error) {
      failed(rows, error);
      return undefined;
    }
    if (!result) {
      written(rows);
      return undefined;
    }
    const pending: Promise<void> = result.then(
      () => written(rows),
      (error: unknown) => failed(rows, error),
    );
    inFlight = pending.finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  function flush(): Promise<void> {
    return flushNow() ?? Promise.resolve();
  }

  function schedule(delayMs: number = flushIntervalMs): void {
    if (timer || closed) return;
    timer = setTimeout(() => void flush(), delayMs);
    timer.unref();
  }

  let pruneRetry: NodeJS.Timeout | undefined;
  function pruneFailed(error: unknown): number {
    if (error instanceof DatabaseBusyError) {
      // A sync is writing: prune a moment later (pruning is never urgent).
      logger.debug({}, 'audit trail prune deferred: the database is busy');
      if (!pruneRetry && !closed) {
        pruneRetry = setTimeout(() => {
          pruneRetry = undefined;
          void prune();
        }, busyRetryMs * 4);
        pruneRetry.unref();
      }
    } else {
      logger.warn({ err: error }, 'audit trail prune failed; will retry');
    }
    return 0;
  }
  function prune(): Promise<number> {
    try {
      const result = store.prune(new Date(clock.now().getTime() - options.retentionDays * DAY_MS));
      return typeof result === 'number' ? Promise.resolve(result) : result.catch(pruneFailed);
    } catch (error) {
      return Promise.resolve(pruneFailed(error));
    }
  }

  void prune();
  const pruner = setInterval(() => void prune(), options.pruneIntervalMs ?? 3_600_000);
  pruner.unref();

  return {
    record(event) {
      if (closed) return;
      buffer.push({
        at: clock.now(),
        principal: event.principal?.id ?? null,
        tenant: event.principal?.tenant ?? DEFAULT_TENANT,
        surface: event.surface,
        action: event.action.slice(0, 200),
        outcome: event.outcome,
        status: event.status ?? null,
        durationMs: event.durationMs,
      });
      // A full batch is written at once, unless the database is busy: then the retry already scheduled
      // writes it, instead of one failed attempt per request.
      if (buffer.length >= maxBatch && busySince === null) setImmediate(() => void flush());
      else schedule();
    },
    flush,
    prune,
    close() {
      clearInterval(pruner);
      if (pruneRetry) clearTimeout(pruneRetry);
      const finish = (): void => {
        closed = true;
        if (timer) clearTimeout(timer);
        if (buffer.length > 0) {
          logger.warn(
            { rows: buffer.length, dropped },
            `${buffer.length} audit entries were not written before the server stopped. ` +
              'Their last write failed (the database stayed busy, or see the earlier warnings). ' +
              'Nothing can bring them back; if it happens at every stop, check for a long sync with testio-mcp sync --status',
          );
        }
      };
      // A synchronous store (SQLite) is written and closed before this returns, as before ADR 0034.
      const pending = flushNow();
      if (!pending) {
        finish();
        return Promise.resolve();
      }
      return pending.then(finish);
    },
  };
}

/** A trail that records nothing: stdio, tests that do not look at it. */
export const NO_AUDIT: AuditTrail = {
  record: () => undefined,
  flush: async () => undefined,
  prune: async () => 0,
  close: async () => undefined,
};
