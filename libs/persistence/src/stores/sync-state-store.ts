import {
  type Lease,
  type LeaseResult,
  type NewProblematicRange,
  NotFoundError,
  type ProblematicRange,
  type SyncCounts,
  type SyncMode,
  type SyncRun,
  type SyncRunStatus,
  type SyncStateStore,
  type SyncTrigger,
} from '@testio-mcp/domain';
import type { ProblematicRangeRow, SyncLeaseRow, SyncRunRow } from '../rows.js';
import { prepared, writeTransaction } from '../sqlite.js';
import { dbTime, fromDbTime, toDbTime } from '../time.js';
import { parseJson, run, type StoreContext } from './context.js';

type LeaseRow = Pick<SyncLeaseRow, 'holder' | 'acquired_at' | 'expires_at'>;

function toLease(row: LeaseRow): Lease {
  return { holder: row.holder, acquiredAt: new Date(row.acquired_at), expiresAt: new Date(row.expires_at) };
}

function toRun(row: SyncRunRow): SyncRun {
  const counts: SyncCounts | null =
    row.products_synced === null
      ? null
      : {
          productsSynced: row.products_synced,
          productsDeleted: row.products_deleted ?? 0,
          featuresRefreshed: row.features_refreshed ?? 0,
          testsDiscovered: row.tests_discovered ?? 0,
          testsUpdated: row.tests_updated ?? 0,
          testsDeleted: row.tests_deleted ?? 0,
          bugsSynced: row.bugs_synced ?? 0,
          bugsDeleted: row.bugs_deleted ?? 0,
          upstreamCalls: row.upstream_calls ?? 0,
        };
  return {
    id: row.id,
    trigger: row.trigger as SyncTrigger,
    mode: row.mode as SyncMode,
    productIds: parseJson<number[]>(row.product_ids),
    status: row.status as SyncRunStatus,
    startedAt: new Date(row.started_at),
    finishedAt: fromDbTime(row.finished_at),
    heartbeatAt: fromDbTime(row.heartbeat_at),
    durationMs: row.duration_ms,
    counts,
    warnings: parseJson<string[]>(row.warnings) ?? [],
    error: row.error,
  };
}

function toRange(row: ProblematicRangeRow): ProblematicRange {
  return {
    id: row.id,
    productId: row.product_id,
    offsetFrom: row.offset_from,
    offsetTo: row.offset_to,
    boundaryBeforeId: row.boundary_before_id,
    boundaryBeforeEndAt: fromDbTime(row.boundary_before_end_at),
    boundaryAfterId: row.boundary_after_id,
    boundaryAfterEndAt: fromDbTime(row.boundary_after_end_at),
    attempts: row.attempts,
    lastError: row.last_error,
    firstSeenAt: new Date(row.first_seen_at),
    lastSeenAt: new Date(row.last_seen_at),
    resolvedAt: fromDbTime(row.resolved_at),
  };
}

const RUN_SELECT = 'SELECT * FROM sync_runs WHERE customer_id = ?';

export class SqliteSyncStateStore implements SyncStateStore {
  constructor(private readonly ctx: StoreContext) {}

  // --- lease -------------------------------------------------------------------------------------

  /**
   * Under `BEGIN IMMEDIATE`, so two processes never both win. Re-acquiring a live lease we hold keeps
   * its `acquiredAt` and extends it; anything else starts a new tenure at `now`. `canSteal` runs inside
   * the transaction and must be synchronous and quick.
   */
  acquireLease(
    holder: string,
    ttlMs: number,
    now: Date,
    canSteal?: (current: Lease) => boolean,
  ): Promise<LeaseResult> {
    const { db, customerId } = this.ctx;
    return run(() =>
      writeTransaction(db, (): LeaseResult => {
        const row = prepared(
          db,
          'SELECT holder, acquired_at, expires_at FROM sync_leases WHERE customer_id = ?',
        ).get(customerId) as LeaseRow | undefined;
        const current = row ? toLease(row) : null;
        const ours = current !== null && current.holder === holder;
        const free = current === null || current.expiresAt.getTime() <= now.getTime();
        if (!ours && !free && !(canSteal?.(current) ?? false)) return { acquired: false, current };
        const lease: Lease = {
          holder,
          acquiredAt: ours && !free ? current.acquiredAt : now,
          expiresAt: new Date(now.getTime() + ttlMs),
        };
        prepared(
          db,
          `INSERT INTO sync_leases (customer_id, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (customer_id) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
             expires_at = excluded.expires_at`,
        ).run(customerId, holder, dbTime(lease.acquiredAt), dbTime(lease.expiresAt));
        return { acquired: true, lease };
      }),
    );
  }

  /** Succeeds while the lease row is still ours (even past its expiry, as long as nobody took it). */
  renewLease(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const { db, customerId } = this.ctx;
    return run(
      () =>
        prepared(db, 'UPDATE sync_leases SET expires_at = ? WHERE customer_id = ? AND holder = ?').run(
          dbTime(new Date(now.getTime() + ttlMs)),
          customerId,
          holder,
        ).changes > 0,
    );
  }

  releaseLease(holder: string): Promise<void> {
    const { db, customerId } = this.ctx;
    return run(() => {
      prepared(db, 'DELETE FROM sync_leases WHERE customer_id = ? AND holder = ?').run(customerId, holder);
    });
  }

  readLease(): Promise<Lease | null> {
    const { db, customerId } = this.ctx;
    return run(() => {
      const row = prepared(
        db,
        'SELECT holder, acquired_at, expires_at FROM sync_leases WHERE customer_id = ?',
      ).get(customerId) as LeaseRow | undefined;
      return row ? toLease(row) : null;
    });
  }

  // --- runs --------------------------------------------------------------------------------------

  startRun(input: {
    trigger: SyncTrigger;
    mode: SyncMode;
    productIds: readonly number[] | null;
    startedAt: Date;
  }): Promise<number> {
    const { db, customerId } = this.ctx;
    const startedAt = dbTime(input.startedAt);
    return run(() => {
      const result = prepared(
        db,
        `INSERT INTO sync_runs (customer_id, trigger, mode, product_ids, status, started_at, heartbeat_at, warnings)
         VALUES (?, ?, ?, ?, 'running', ?, ?, '[]')`,
      ).run(
        customerId,
        input.trigger,
        input.mode,
        input.productIds === null ? null : JSON.stringify(input.productIds),
        startedAt,
        startedAt,
      );
      return Number(result.lastInsertRowid);
    });
  }

  /** Only a `running` run takes heartbeats; a run already finished or interrupted is left as it is. */
  heartbeatRun(runId: number, at: Date): Promise<void> {
    const { db, customerId } = this.ctx;
    return run(() => {
      const result = prepared(
        db,
        "UPDATE sync_runs SET heartbeat_at = ? WHERE customer_id = ? AND id = ? AND status = 'running'",
      ).run(dbTime(at), customerId, runId);
      if (result.changes === 0 && !this.runExists(runId)) throw new NotFoundError('sync_run', runId);
    });
  }

  finishRun(
    runId: number,
    outcome: {
      status: Exclude<SyncRunStatus, 'running'>;
      finishedAt: Date;
      counts: SyncCounts;
      warnings: readonly string[];
      error: string | null;
    },
  ): Promise<void> {
    const { db, customerId } = this.ctx;
    const c = outcome.counts;
    return run(() =>
      writeTransaction(db, () => {
        const row = prepared(db, 'SELECT started_at FROM sync_runs WHERE customer_id = ? AND id = ?').get(
          customerId,
          runId,
        ) as { started_at: string } | undefined;
        if (!row) throw new NotFoundError('sync_run', runId);
        const durationMs = Math.max(0, outcome.finishedAt.getTime() - new Date(row.started_at).getTime());
        prepared(
          db,
          `UPDATE sync_runs SET status = ?, finished_at = ?, heartbeat_at = ?, duration_ms = ?,
             products_synced = ?, products_deleted = ?, features_refreshed = ?, tests_discovered = ?, tests_updated = ?,
             tests_deleted = ?, bugs_synced = ?, bugs_deleted = ?, upstream_calls = ?, warnings = ?, error = ?
           WHERE customer_id = ? AND id = ?`,
        ).run(
          outcome.status,
          dbTime(outcome.finishedAt),
          dbTime(outcome.finishedAt),
          durationMs,
          c.productsSynced,
          c.productsDeleted,
          c.featuresRefreshed,
          c.testsDiscovered,
          c.testsUpdated,
          c.testsDeleted,
          c.bugsSynced,
          c.bugsDeleted,
          c.upstreamCalls,
          JSON.stringify(outcome.warnings),
          outcome.error,
          customerId,
          runId,
        );
      }),
    );
  }

  interruptStaleRuns(staleBefore: Date, now: Date): Promise<number> {
    const { db, customerId } = this.ctx;
    return run(() =>
      writeTransaction(db, () => {
        const stale = prepared(
          db,
          `SELECT id, started_at FROM sync_runs WHERE customer_id = ? AND status = 'running'
             AND coalesce(heartbeat_at, started_at) < ?`,
        ).all(customerId, dbTime(staleBefore)) as { id: number; started_at: string }[];
        const update = prepared(
          db,
          `UPDATE sync_runs SET status = 'interrupted', finished_at = ?, duration_ms = ?,
             error = coalesce(error, 'The run stopped sending heartbeats (process ended or was killed)')
           WHERE id = ?`,
        );
        for (const r of stale) {
          update.run(dbTime(now), Math.max(0, now.getTime() - new Date(r.started_at).getTime()), r.id);
        }
        return stale.length;
      }),
    );
  }

  listRuns(limit: number): Promise<SyncRun[]> {
    const { db, customerId } = this.ctx;
    return run(() =>
      (
        prepared(db, `${RUN_SELECT} ORDER BY started_at DESC, id DESC LIMIT ?`).all(
          customerId,
          Math.max(0, Math.trunc(limit)),
        ) as SyncRunRow[]
      ).map(toRun),
    );
  }

  getRun(runId: number): Promise<SyncRun | null> {
    const { db, customerId } = this.ctx;
    return run(() => {
      const row = prepared(db, `${RUN_SELECT} AND id = ?`).get(customerId, runId) as SyncRunRow | undefined;
      return row ? toRun(row) : null;
    });
  }

  countRunsSince(statuses: readonly SyncRunStatus[], since: Date): Promise<number> {
    const { db, customerId } = this.ctx;
    return run(
      () =>
        (
          prepared(
            db,
            `SELECT count(*) AS n FROM sync_runs WHERE customer_id = ? AND started_at >= ?
               AND status IN (SELECT value FROM json_each(?))`,
          ).get(customerId, dbTime(since), JSON.stringify(statuses)) as { n: number }
        ).n,
    );
  }

  lastRunWithStatus(statuses: readonly SyncRunStatus[]): Promise<SyncRun | null> {
    const { db, customerId } = this.ctx;
    return run(() => {
      const row = prepared(
        db,
        `${RUN_SELECT} AND status IN (SELECT value FROM json_each(?)) ORDER BY started_at DESC, id DESC LIMIT 1`,
      ).get(customerId, JSON.stringify(statuses)) as SyncRunRow | undefined;
      return row ? toRun(row) : null;
    });
  }

  private runExists(runId: number): boolean {
    return (
      prepared(this.ctx.db, 'SELECT 1 FROM sync_runs WHERE customer_id = ? AND id = ?').get(
        this.ctx.customerId,
        runId,
      ) !== undefined
    );
  }

  // --- problematic ranges ------------------------------------------------------------------------

  /**
   * A range is "the same" when product and both boundary test ids match (offsets move as the list
   * grows). Seeing it again bumps `attempts`, refreshes offsets, boundary times, error and `lastSeenAt`,
   * and reopens it if it had been resolved.
   */
  recordProblematicRange(range: NewProblematicRange, seenAt: Date): Promise<ProblematicRange> {
    const { db, customerId } = this.ctx;
    const seen = dbTime(seenAt);
    return run(() =>
      writeTransaction(db, () => {
        const existing = prepared(
          db,
          `SELECT id FROM problematic_ranges WHERE customer_id = ? AND product_id = ?
             AND boundary_before_id IS ? AND boundary_after_id IS ?
           ORDER BY resolved_at IS NOT NULL, id DESC LIMIT 1`,
        ).get(customerId, range.productId, range.boundaryBeforeId, range.boundaryAfterId) as
          { id: number } | undefined;
        let id: number;
        if (existing) {
          id = existing.id;
          prepared(
            db,
            `UPDATE problematic_ranges SET attempts = attempts + 1, offset_from = ?, offset_to = ?,
               boundary_before_end_at = ?, boundary_after_end_at = ?, last_error = ?, last_seen_at = ?, resolved_at = NULL
             WHERE id = ?`,
          ).run(
            range.offsetFrom,
            range.offsetTo,
            toDbTime(range.boundaryBeforeEndAt),
            toDbTime(range.boundaryAfterEndAt),
            range.lastError,
            seen,
            id,
          );
        } else {
          id = Number(
            prepared(
              db,
              `INSERT INTO problematic_ranges (customer_id, product_id, offset_from, offset_to, boundary_before_id,
                 boundary_before_end_at, boundary_after_id, boundary_after_end_at, attempts, last_error, first_seen_at, last_seen_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
            ).run(
              customerId,
              range.productId,
              range.offsetFrom,
              range.offsetTo,
              range.boundaryBeforeId,
              toDbTime(range.boundaryBeforeEndAt),
              range.boundaryAfterId,
              toDbTime(range.boundaryAfterEndAt),
              range.lastError,
              seen,
              seen,
            ).lastInsertRowid,
          );
        }
        return toRange(
          prepared(db, 'SELECT * FROM problematic_ranges WHERE id = ?').get(id) as ProblematicRangeRow,
        );
      }),
    );
  }

  /** Ordered by product, then position in the list. Resolved ranges only with `includeResolved`. */
  listProblematicRanges(
    options: { productId?: number; includeResolved?: boolean } = {},
  ): Promise<ProblematicRange[]> {
    const { db, customerId } = this.ctx;
    return run(() =>
      (
        prepared(
          db,
          `SELECT * FROM problematic_ranges WHERE customer_id = ? AND (? IS NULL OR product_id = ?)
             AND (? OR resolved_at IS NULL)
           ORDER BY product_id, offset_from, id`,
        ).all(
          customerId,
          options.productId ?? null,
          options.productId ?? null,
          options.includeResolved ? 1 : 0,
        ) as ProblematicRangeRow[]
      ).map(toRange),
    );
  }

  resolveProblematicRange(id: number, at: Date): Promise<void> {
    const { db, customerId } = this.ctx;
    return run(() => {
      const result = prepared(
        db,
        'UPDATE problematic_ranges SET resolved_at = ? WHERE customer_id = ? AND id = ?',
      ).run(dbTime(at), customerId, id);
      if (result.changes === 0) {
        throw new NotFoundError('sync_run', id, {
          message: `Problematic range ${id} not found`,
          reason: 'It may have been cleared, or it belongs to another account',
          hint: 'List the current ranges with get_problematic_tests',
        });
      }
    });
  }

  clearProblematicRanges(productId?: number): Promise<number> {
    const { db, customerId } = this.ctx;
    return run(
      () =>
        prepared(
          db,
          'DELETE FROM problematic_ranges WHERE customer_id = ? AND (? IS NULL OR product_id = ?)',
        ).run(customerId, productId ?? null, productId ?? null).changes,
    );
  }
}
