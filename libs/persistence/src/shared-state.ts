import type {
  InstanceSecretStore,
  RateWindowStore,
  SyncJobRecord,
  SyncJobState,
  SyncJobStore,
} from '@testio-mcp/domain';
import { onSqlite as run, fromJsonText as parsed, toJsonText as json } from './store-io.js';
import type { Sqlite } from './sqlite.js';
import { dbTime, fromDbTime } from './time.js';

/**
 * The state serving instances share (migration 20261211000000_shared_state, ADR 0035) in the SQLite file.
 * better-sqlite3 is synchronous; these answer promises so one port serves both engines. A write that
 * meets another process' write lock past the busy timeout throws the domain's `DatabaseBusyError`.
 */

interface SyncJobRow {
  id: string;
  tenant: string;
  state: SyncJobState;
  request: string;
  progress: string | null;
  result: string | null;
  error: string | null;
  holder: string;
  created_at: string;
  heartbeat_at: string;
  finished_at: string | null;
}

export function createSyncJobStore(db: Sqlite): SyncJobStore {
  const put = db.prepare(
    `INSERT OR REPLACE INTO "sync_jobs"
       ("id", "tenant", "state", "request", "progress", "result", "error", "holder", "created_at", "heartbeat_at", "finished_at")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const get = db.prepare(`SELECT * FROM "sync_jobs" WHERE "tenant" = ? AND "id" = ?`);
  const heartbeat = db.prepare(
    `UPDATE "sync_jobs" SET "heartbeat_at" = ? WHERE "holder" = ? AND "state" = 'running'`,
  );
  const abandon = db.prepare(
    `UPDATE "sync_jobs" SET "state" = 'failed', "error" = ?, "finished_at" = ?
     WHERE "id" = ? AND "state" = 'running' AND "heartbeat_at" < ?`,
  );
  const prune = db.prepare(
    `DELETE FROM "sync_jobs" WHERE "tenant" = :tenant AND "state" <> 'running' AND "id" NOT IN (
       SELECT "id" FROM "sync_jobs" WHERE "tenant" = :tenant AND "state" <> 'running'
       ORDER BY "created_at" DESC, "id" DESC LIMIT :keep)`,
  );
  return {
    put: (job) =>
      run(() => {
        put.run(
          job.id,
          job.tenant,
          job.state,
          json(job.request) ?? 'null',
          json(job.progress),
          json(job.result),
          json(job.error),
          job.holder,
          dbTime(job.createdAt),
          dbTime(job.heartbeatAt),
          job.finishedAt ? dbTime(job.finishedAt) : null,
        );
      }),
    get: (tenant, id) =>
      run(() => {
        const row = get.get(tenant, id) as SyncJobRow | undefined;
        return row ? syncJobRecord(row) : undefined;
      }),
    heartbeat: (holder, at) =>
      run(() => {
        heartbeat.run(dbTime(at), holder);
      }),
    abandon: (id, quietSince, error, at) =>
      run(() => abandon.run(json(error), dbTime(at), id, dbTime(quietSince)).changes > 0),
    prune: (tenant, keep) => run(() => prune.run({ tenant, keep: Math.max(0, keep) }).changes),
  };
}

function syncJobRecord(row: SyncJobRow): SyncJobRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    state: row.state,
    request: parsed(row.request),
    progress: parsed(row.progress),
    result: parsed(row.result),
    error: parsed(row.error),
    holder: row.holder,
    createdAt: fromDbTime(row.created_at) as Date,
    heartbeatAt: fromDbTime(row.heartbeat_at) as Date,
    finishedAt: fromDbTime(row.finished_at),
  };
}

export function createRateWindowStore(db: Sqlite): RateWindowStore {
  // The SET expressions read the row as it was, so both test the old window's expiry.
  const hit = db.prepare(
    `INSERT INTO "rate_windows" ("key", "points", "expires_at") VALUES (:key, 1, :expires)
     ON CONFLICT ("key") DO UPDATE SET
       "points" = CASE WHEN "expires_at" <= :now THEN 1 ELSE "points" + 1 END,
       "expires_at" = CASE WHEN "expires_at" <= :now THEN :expires ELSE "expires_at" END
     RETURNING "points", "expires_at"`,
  );
  const prune = db.prepare(`DELETE FROM "rate_windows" WHERE "expires_at" < ?`);
  return {
    hit: (key, windowMs, now) =>
      run(() => {
        const row = hit.get({
          key,
          now: dbTime(now),
          expires: dbTime(new Date(now.getTime() + windowMs)),
        }) as { points: number; expires_at: string };
        return { points: row.points, expiresAt: fromDbTime(row.expires_at) as Date };
      }),
    prune: (before) => run(() => prune.run(dbTime(before)).changes),
  };
}

export function createInstanceSecretStore(db: Sqlite): InstanceSecretStore {
  const insert = db.prepare(
    `INSERT INTO "instance_secrets" ("name", "value", "created_at") VALUES (?, ?, ?) ON CONFLICT ("name") DO NOTHING`,
  );
  const select = db.prepare(`SELECT "value" FROM "instance_secrets" WHERE "name" = ?`);
  return {
    getOrCreate: (name, create, at) =>
      run(() => {
        const found = select.get(name) as { value: string } | undefined;
        if (found) return found.value;
        insert.run(name, create(), dbTime(at));
        return (select.get(name) as { value: string }).value;
      }),
  };
}
