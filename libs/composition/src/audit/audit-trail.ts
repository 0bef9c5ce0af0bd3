import { DEFAULT_TENANT, type Clock, type Logger, type Principal } from '@testio-mcp/domain';
import type { AuditRow, AuditStore } from '@testio-mcp/persistence';

/**
 * The audit trail (ADR 0025): who (principal id, never a secret), for which tenant, did what (tool or
 * route), with what outcome and how long it took. Recording only appends to a buffer; the buffer is
 * written in one transaction a second later (or at once when it fills), so no request waits for the
 * disk. A write that fails (the database busy beyond the short timeout of the audit's own connection)
 * keeps its rows for the next flush, up to a bound past which the oldest are dropped and counted.
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
  /** Writes what is buffered now (tests, shutdown). */
  flush(): void;
  /** Deletes entries older than the retention; the number deleted. */
  prune(): number;
  /** Flushes and stops the timers. */
  close(): void;
}

export interface AuditTrailOptions {
  readonly store: AuditStore;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  readonly retentionDays: number;
  readonly flushIntervalMs?: number;
  readonly maxBatch?: number;
  readonly maxBuffered?: number;
  /** How often old entries are pruned (default hourly; the first prune runs at once). */
  readonly pruneIntervalMs?: number;
}

const DAY_MS = 86_400_000;

export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const { store, clock, logger } = options;
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const maxBatch = options.maxBatch ?? 500;
  const maxBuffered = options.maxBuffered ?? 20_000;
  let buffer: AuditRow[] = [];
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  let dropped = 0;
  let closed = false;

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const rows = buffer;
    buffer = [];
    try {
      store.insertMany(rows);
      if (failing) logger.info({ rows: rows.length, dropped }, 'audit trail written again');
      failing = false;
      dropped = 0;
    } catch (error) {
      if (!failing) logger.warn({ err: error, rows: rows.length }, 'audit trail write failed; will retry');
      failing = true;
      buffer = rows.concat(buffer);
      if (buffer.length > maxBuffered) {
        dropped += buffer.length - maxBuffered;
        buffer = buffer.slice(buffer.length - maxBuffered);
      }
      schedule();
    }
  }

  function schedule(): void {
    if (timer || closed) return;
    timer = setTimeout(flush, flushIntervalMs);
    timer.unref();
  }

  function prune(): number {
    try {
      return store.prune(new Date(clock.now().getTime() - options.retentionDays * DAY_MS));
    } catch (error) {
      logger.warn({ err: error }, 'audit trail prune failed; will retry');
      return 0;
    }
  }

  prune();
  const pruner = setInterval(prune, options.pruneIntervalMs ?? 3_600_000);
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
      if (buffer.length >= maxBatch) setImmediate(flush);
      else schedule();
    },
    flush,
    prune,
    close() {
      clearInterval(pruner);
      flush();
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** A trail that records nothing: stdio, tests that do not look at it. */
export const NO_AUDIT: AuditTrail = {
  record: () => undefined,
  flush: () => undefined,
  prune: () => 0,
  close: () => undefined,
};
