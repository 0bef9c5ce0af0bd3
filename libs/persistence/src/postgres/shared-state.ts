import type {
  InstanceSecretStore,
  RateWindowStore,
  SyncJobRecord,
  SyncJobState,
  SyncJobStore,
} from '@testio-mcp/domain';
import { withPgErrors as mapped } from './errors.js';
import { toJsonText as json } from '../store-io.js';
import type { PgPool } from './pool.js';

/**
 * The state serving instances share (migration 20261211000000_shared_state, ADR 0035) on PostgreSQL: the
 * twins of the SQLite stores in ../shared-state.ts, statement for statement.
 */

interface SyncJobRow {
  id: string;
  tenant: string;
  state: SyncJobState;
  request: unknown;
  progress: unknown;
  result: unknown;
  error: unknown;
  holder: string;
  created_at: Date;
  heartbeat_at: Date;
  finished_at: Date | null;
}

const syncJobRecord = (row: SyncJobRow): SyncJobRecord => ({
  id: row.id,
  tenant: row.tenant,
  state: row.state,
  request: row.request,
  progress: row.progress,
  result: row.result,
  error: row.error,
  holder: row.holder,
  createdAt: row.created_at,
  heartbeatAt: row.heartbeat_at,
  finishedAt: row.finished_at,
});

export function createPgSyncJobStore(pool: PgPool): SyncJobStore {
  return {
    put: (job) =>
      mapped(async () => {
        await pool.query(
          `INSERT INTO "sync_jobs"
             ("id", "tenant", "state", "request", "progress", "result", "error", "holder", "created_at", "heartbeat_at", "finished_at")
           VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10, $11)
           ON CONFLICT ("id") DO UPDATE SET
             "tenant" = EXCLUDED."tenant", "state" = EXCLUDED."state", "request" = EXCLUDED."request",
             "progress" = EXCLUDED."progress", "result" = EXCLUDED."result", "error" = EXCLUDED."error",
             "holder" = EXCLUDED."holder", "created_at" = EXCLUDED."created_at",
             "heartbeat_at" = EXCLUDED."heartbeat_at", "finished_at" = EXCLUDED."finished_at"`,
          [
            job.id,
            job.tenant,
            job.state,
            json(job.request) ?? 'null',
            json(job.progress),
            json(job.result),
            json(job.error),
            job.holder,
            job.createdAt,
            job.heartbeatAt,
            job.finishedAt,
          ],
        );
      }),
    get: (tenant, id) =>
      mapped(async () => {
        // PostgreSQL text cannot hold U+0000 (the query itself fails: "invalid byte sequence"), so no job
        // has such an id: a request for `/api/sync/%00` is not found, as on SQLite.
        if (id.includes('\u0000')) return undefined;
        const { rows } = await pool.query<SyncJobRow>(
          `SELECT * FROM "sync_jobs" WHERE "tenant" = $1 AND "id" = $2`,
          [tenant, id],
        );
        return rows[0] ? syncJobRecord(rows[0]) : undefined;
      }),
    heartbeat: (holder, at) =>
      mapped(async () => {
        await pool.query(
          `UPDATE "sync_jobs" SET "heartbeat_at" = $1 WHERE "holder" = $2 AND "state" = 'running'`,
          [at, holder],
        );
      }),
    abandon: (id, quietSince, error, at) =>
      mapped(async () => {
        const { rowCount } = await pool.query(
          `UPDATE "sync_jobs" SET "state" = 'failed', "error" = $1::jsonb, "finished_at" = $2
           WHERE "id" = $3 AND "state" = 'running' AND "heartbeat_at" < $4`,
          [json(error), at, id, quietSince],
        );
        return (rowCount ?? 0) > 0;
      }),
    prune: (tenant, keep) =>
      mapped(async () => {
        const { rowCount } = await pool.query(
          `DELETE FROM "sync_jobs" WHERE "tenant" = $1 AND "state" <> 'running' AND "id" NOT IN (
             SELECT "id" FROM "sync_jobs" WHERE "tenant" = $1 AND "state" <> 'running'
             ORDER BY "created_at" DESC, "id" DESC LIMIT $2)`,
          [tenant, Math.max(0, keep)],
        );
        return rowCount ?? 0;
      }),
  };
}

export function createPgRateWindowStore(pool: PgPool): RateWindowStore {
  return {
    hit: (key, windowMs, now) =>
      mapped(async () => {
        // One statement: concurrent hits on the same key serialise on its row, none is lost.
        const { rows } = await pool.query<{ points: number; expires_at: Date }>(
          `INSERT INTO "rate_windows" AS w ("key", "points", "expires_at") VALUES ($1, 1, $3)
           ON CONFLICT ("key") DO UPDATE SET
             "points" = CASE WHEN w."expires_at" <= $2 THEN 1 ELSE w."points" + 1 END,
             "expires_at" = CASE WHEN w."expires_at" <= $2 THEN $3 ELSE w."expires_at" END
           RETURNING "points", "expires_at"`,
          [key, now, new Date(now.getTime() + windowMs)],
        );
        const row = rows[0] as { points: number; expires_at: Date };
        return { points: row.points, expiresAt: row.expires_at };
      }),
    prune: (before) =>
      mapped(async () => {
        const { rowCount } = await pool.query(`DELETE FROM "rate_windows" WHERE "expires_at" < $1`, [before]);
        return rowCount ?? 0;
      }),
  };
}

export function createPgInstanceSecretStore(pool: PgPool): InstanceSecretStore {
  return {
    getOrCreate: (name, create, at) =>
      mapped(async () => {
        const found = await pool.query<{ value: string }>(
          `SELECT "value" FROM "instance_secrets" WHERE "name" = $1`,
          [name],
        );
        if (found.rows[0]) return found.rows[0].value;
        // Two instances may create at once: the first insert wins and both read it back.
        await pool.query(
          `INSERT INTO "instance_secrets" ("name", "value", "created_at") VALUES ($1, $2, $3)
           ON CONFLICT ("name") DO NOTHING`,
          [name, create(), at],
        );
        const { rows } = await pool.query<{ value: string }>(
          `SELECT "value" FROM "instance_secrets" WHERE "name" = $1`,
          [name],
        );
        return (rows[0] as { value: string }).value;
      }),
  };
}
