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
import { toDbTime } from '../../time.js';
import { inTransaction, json, type PgStoreContext, query } from './context.js';

interface LeaseRow {
  holder: string;
  acquired_at: Date;
  expires_at: Date;
}

interface SyncRunRow {
  id: number;
  trigger: string;
  mode: string;
  product_ids: number[] | null;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  heartbeat_at: Date | null;
  duration_ms: number | null;
  products_synced: number | null;
  products_deleted: number | null;
  features_refreshed: number | null;
  tests_discovered: number | null;
  tests_updated: number | null;
  tests_deleted: number | null;
  bugs_synced: number | null;
  bugs_deleted: number | null;
  upstream_calls: number | null;
  warnings: string[] | null;
  error: string | null;
}

interface RangeRow {
  id: number;
  product_id: number;
  offset_from: number;
  offset_to: number;
  boundary_before_id: number | null;
  boundary_before_end_at: Date | null;
  boundary_after_id: number | null;
  boundary_after_end_at: Date | null;
  attempts: number;
  last_error: string;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
}

function toLease(row: LeaseRow): Lease {
  return { holder: row.holder, acquiredAt: row.acquired_at, expiresAt: row.expires_at };
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
    productIds: row.product_ids,
    status: row.status as SyncRunStatus,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    heartbeatAt: row.heartbeat_at,
    durationMs: row.duration_ms,
    counts,
    warnings: row.warnings ?? [],
    error: row.error,
  };
}

function toRange(row: RangeRow): ProblematicRange {
  return {
    id: row.id,
    productId: row.product_id,
    offsetFrom: row.offset_from,
    offsetTo: row.offset_to,
    boundaryBeforeId: row.boundary_before_id,
    boundaryBeforeEndAt: row.boundary_before_end_at,
    boundaryAfterId: row.boundary_after_id,
    boundaryAfterEndAt: row.boundary_after_end_at,
    attempts: row.attempts,
    lastError: row.last_error,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    resolvedAt: row.resolved_at,
  };
}

/** Stored timestamps have millisecond precision: so do the ones this store hands back without reading. */
function ms(date: Date): Date {
  return new Date(date.getTime());
}

const RUN_SELECT = 'SELECT * FROM sync_runs WHERE customer_id = $1';

/** The PostgreSQL `SyncStateStore`: lease, runs, heartbeats, problematic ranges (what the breaker reads). */
export class PgSyncStateStore implements SyncStateStore {
  constructor(private readonly ctx: PgStoreContext) {}

  // --- lease -------------------------------------------------------------------------------------

  /**
   * Safe between processes and machines: a free lease is taken by `INSERT ... ON CONFLICT DO NOTHING`
   * (exactly one of two racing inserts wins, the other waits for it and sees its row); an existing row is
   * judged under `SELECT ... FOR UPDATE`, so two contenders take turns. Re-acquiring a live lease we hold
   * keeps its `acquiredAt`; anything else starts a new tenure at `now`. `canSteal` runs inside the
   * transaction (it holds the row lock) and must be synchronous and quick.
   */
  acquireLease(
    holder: string,
    ttlMs: number,
    now: Date,
    canSteal?: (current: Lease) => boolean,
  ): Promise<LeaseResult> {
    const { customerId } = this.ctx;
    const expiresAt = new Date(now.getTime() + ttlMs);
    return inTransaction(this.ctx, async (client): Promise<LeaseResult> => {
      const inserted = await client.query<LeaseRow>(
        `INSERT INTO sync_leases (customer_id, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (customer_id) DO NOTHING RETURNING holder, acquired_at, expires_at`,
        [customerId, holder, now, expiresAt],
      );
      const fresh = inserted.rows[0];
      if (fresh) return { acquired: true, lease: toLease(fresh) };
      const { rows } = await client.query<LeaseRow>(
        'SELECT holder, acquired_at, expires_at FROM sync_leases WHERE customer_id = $1 FOR UPDATE',
        [customerId],
      );
      const row = rows[0];
      const current = row ? toLease(row) : null;
      const ours = current !== null && current.holder === holder;
      const free = current === null || current.expiresAt.getTime() <= now.getTime();
      if (current !== null && !ours && !free && !(canSteal?.(current) ?? false))
        return { acquired: false, current };
      const acquiredAt = ours && !free ? current.acquiredAt : ms(now);
      const written = await client.query<LeaseRow>(
        `INSERT INTO sync_leases (customer_id, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (customer_id) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
           expires_at = excluded.expires_at
         RETURNING holder, acquired_at, expires_at`,
        [customerId, holder, acquiredAt, expiresAt],
      );
      return {
        acquired: true,
        lease: toLease(written.rows[0] ?? { holder, acquired_at: acquiredAt, expires_at: expiresAt }),
      };
    });
  }

  /** Succeeds while the lease row is still ours (even past its expiry, as long as nobody took it). */
  async renewLease(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const result = await query(
      this.ctx,
      'UPDATE sync_leases SET expires_at = $1 WHERE customer_id = $2 AND holder = $3',
      [new Date(now.getTime() + ttlMs), this.ctx.customerId, holder],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async releaseLease(holder: string): Promise<void> {
    await query(this.ctx, 'DELETE FROM sync_leases WHERE customer_id = $1 AND holder = $2', [
      this.ctx.customerId,
      holder,
    ]);
  }

  async readLease(): Promise<Lease | null> {
    const { rows } = await query<LeaseRow>(
      this.ctx,
      'SELECT holder, acquired_at, expires_at FROM sync_leases WHERE customer_id = $1',
      [this.ctx.customerId],
    );
    return rows[0] ? toLease(rows[0]) : null;
  }

  // --- runs --------------------------------------------------------------------------------------

  async startRun(input: {
    trigger: SyncTrigger;
    mode: SyncMode;
    productIds: readonly number[] | null;
    startedAt: Date;
  }): Promise<number> {
    const { rows } = await query<{ id: number }>(
      this.ctx,
      `INSERT INTO sync_runs (customer_id, "trigger", mode, product_ids, status, started_at, heartbeat_at, warnings)
       VALUES ($1, $2, $3, $4, 'running', $5, $5, '[]') RETURNING id`,
      [this.ctx.customerId, input.trigger, input.mode, json(input.productIds), input.startedAt],
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('INSERT ... RETURNING id returned no row');
    return id;
  }

  /** Only a `running` run takes heartbeats; a run already finished or interrupted is left as it is. */
  async heartbeatRun(runId: number, at: Date): Promise<void> {
    const { rows } = await query<{ updated: boolean }>(
      this.ctx,
      `WITH u AS (
         UPDATE sync_runs SET heartbeat_at = $1 WHERE customer_id = $2 AND id = $3 AND status = 'running' RETURNING id)
       SELECT EXISTS (SELECT 1 FROM u) OR EXISTS (SELECT 1 FROM sync_runs WHERE customer_id = $2 AND id = $3) AS updated`,
      [at, this.ctx.customerId, runId],
    );
    if (!rows[0]?.updated) throw new NotFoundError('sync_run', runId);
  }

  async finishRun(
    runId: number,
    outcome: {
      status: Exclude<SyncRunStatus, 'running'>;
      finishedAt: Date;
      counts: SyncCounts;
      warnings: readonly string[];
      error: string | null;
    },
  ): Promise<void> {
    const c = outcome.counts;
    const result = await query(
      this.ctx,
      `UPDATE sync_runs SET status = $1, finished_at = $2, heartbeat_at = $2,
         duration_ms = greatest(0, round(extract(epoch FROM ($2::timestamptz - started_at)) * 1000))::integer,
         products_synced = $3, products_deleted = $4, features_refreshed = $5, tests_discovered = $6, tests_updated = $7,
         tests_deleted = $8, bugs_synced = $9, bugs_deleted = $10, upstream_calls = $11, warnings = $12, error = $13
       WHERE customer_id = $14 AND id = $15`,
      [
        outcome.status,
        outcome.finishedAt,
        c.productsSynced,
        c.productsDeleted,
        c.featuresRefreshed,
        c.testsDiscovered,
        c.testsUpdated,
        c.testsDeleted,
        c.bugsSynced,
        c.bugsDeleted,
        c.upstreamCalls,
        json(outcome.warnings),
        outcome.error,
        this.ctx.customerId,
        runId,
      ],
    );
    if (result.rowCount === 0) throw new NotFoundError('sync_run', runId);
  }

  async interruptStaleRuns(staleBefore: Date, now: Date): Promise<number> {
    const result = await query(
      this.ctx,
      `UPDATE sync_runs SET status = 'interrupted', finished_at = $1,
         duration_ms = greatest(0, round(extract(epoch FROM ($1::timestamptz - started_at)) * 1000))::integer,
         error = coalesce(error, 'The run stopped sending heartbeats (process ended or was killed)')
       WHERE customer_id = $2 AND status = 'running' AND coalesce(heartbeat_at, started_at) < $3`,
      [now, this.ctx.customerId, staleBefore],
    );
    return result.rowCount ?? 0;
  }

  async listRuns(limit: number): Promise<SyncRun[]> {
    const { rows } = await query<SyncRunRow>(
      this.ctx,
      `${RUN_SELECT} ORDER BY started_at DESC, id DESC LIMIT $2`,
      [this.ctx.customerId, Math.max(0, Math.trunc(limit))],
    );
    return rows.map(toRun);
  }

  async getRun(runId: number): Promise<SyncRun | null> {
    const { rows } = await query<SyncRunRow>(this.ctx, `${RUN_SELECT} AND id = $2`, [
      this.ctx.customerId,
      runId,
    ]);
    return rows[0] ? toRun(rows[0]) : null;
  }

  async countRunsSince(statuses: readonly SyncRunStatus[], since: Date): Promise<number> {
    const { rows } = await query<{ n: number }>(
      this.ctx,
      'SELECT count(*) AS n FROM sync_runs WHERE customer_id = $1 AND started_at >= $2 AND status = ANY($3::text[])',
      [this.ctx.customerId, since, [...statuses]],
    );
    return rows[0]?.n ?? 0;
  }

  async lastRunWithStatus(statuses: readonly SyncRunStatus[]): Promise<SyncRun | null> {
    const { rows } = await query<SyncRunRow>(
      this.ctx,
      `${RUN_SELECT} AND status = ANY($2::text[]) ORDER BY started_at DESC, id DESC LIMIT 1`,
      [this.ctx.customerId, [...statuses]],
    );
    return rows[0] ? toRun(rows[0]) : null;
  }

  // --- problematic ranges ------------------------------------------------------------------------

  /** Same rules as the SQLite store: product and both boundary ids identify a range; seen again bumps it. */
  recordProblematicRange(range: NewProblematicRange, seenAt: Date): Promise<ProblematicRange> {
    const { customerId } = this.ctx;
    return inTransaction(this.ctx, async (client) => {
      const existing = await client.query<{ id: number }>(
        `SELECT id FROM problematic_ranges WHERE customer_id = $1 AND product_id = $2
           AND boundary_before_id IS NOT DISTINCT FROM $3::integer AND boundary_after_id IS NOT DISTINCT FROM $4::integer
         ORDER BY resolved_at IS NOT NULL, id DESC LIMIT 1 FOR UPDATE`,
        [customerId, range.productId, range.boundaryBeforeId, range.boundaryAfterId],
      );
      const id = existing.rows[0]?.id;
      const { rows } =
        id !== undefined
          ? await client.query<RangeRow>(
              `UPDATE problematic_ranges SET attempts = attempts + 1, offset_from = $1, offset_to = $2,
                 boundary_before_end_at = $3, boundary_after_end_at = $4, last_error = $5, last_seen_at = $6, resolved_at = NULL
               WHERE id = $7 RETURNING *`,
              [
                range.offsetFrom,
                range.offsetTo,
                toDbTime(range.boundaryBeforeEndAt),
                toDbTime(range.boundaryAfterEndAt),
                range.lastError,
                seenAt,
                id,
              ],
            )
          : await client.query<RangeRow>(
              `INSERT INTO problematic_ranges (customer_id, product_id, offset_from, offset_to, boundary_before_id,
                 boundary_before_end_at, boundary_after_id, boundary_after_end_at, attempts, last_error, first_seen_at, last_seen_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10) RETURNING *`,
              [
                customerId,
                range.productId,
                range.offsetFrom,
                range.offsetTo,
                range.boundaryBeforeId,
                toDbTime(range.boundaryBeforeEndAt),
                range.boundaryAfterId,
                toDbTime(range.boundaryAfterEndAt),
                range.lastError,
                seenAt,
              ],
            );
      const row = rows[0];
      if (!row) throw new Error('problematic range write returned no row');
      return toRange(row);
    });
  }

  async listProblematicRanges(
    options: { productId?: number; includeResolved?: boolean } = {},
  ): Promise<ProblematicRange[]> {
    const { rows } = await query<RangeRow>(
      this.ctx,
      `SELECT * FROM problematic_ranges WHERE customer_id = $1 AND ($2::integer IS NULL OR product_id = $2)
         AND ($3::boolean OR resolved_at IS NULL)
       ORDER BY product_id, offset_from, id`,
      [this.ctx.customerId, options.productId ?? null, options.includeResolved === true],
    );
    return rows.map(toRange);
  }

  async resolveProblematicRange(id: number, at: Date): Promise<void> {
    const result = await query(
      this.ctx,
      'UPDATE problematic_ranges SET resolved_at = $1 WHERE customer_id = $2 AND id = $3',
      [at, this.ctx.customerId, id],
    );
    if (result.rowCount === 0) {
      throw new NotFoundError('sync_run', id, {
        message: `Problematic range ${id} not found`,
        reason: 'It may have been cleared, or it belongs to another account',
        hint: 'List the current ranges with get_problematic_tests',
      });
    }
  }

  async clearProblematicRanges(productId?: number): Promise<number> {
    const result = await query(
      this.ctx,
      'DELETE FROM problematic_ranges WHERE customer_id = $1 AND ($2::integer IS NULL OR product_id = $2)',
      [this.ctx.customerId, productId ?? null],
    );
    return result.rowCount ?? 0;
  }
}
