import { databaseBusy, isBusyError } from './errors.js';
import { dbTime, fromDbTime } from './time.js';
import { openSqlite, type Sqlite } from './sqlite.js';

/**
 * The rows of the audit trail (migration 20261209000200_audit, ADR 0025). Written in batches, one
 * transaction over one prepared insert, so a busy server pays one commit per batch, not per request.
 * A write that meets another writer's transaction (a sync) throws the domain's `DatabaseBusyError`, so
 * the trail can tell "try again in a moment" from a real failure.
 */

export interface AuditRow {
  readonly at: Date;
  /** Public id of the principal, never a secret; null on an open loopback server. */
  readonly principal: string | null;
  readonly tenant: string;
  readonly surface: 'mcp' | 'rest';
  /** The tool name, or `METHOD /route/template`. */
  readonly action: string;
  readonly outcome: string;
  /** The HTTP status of a REST request; null for a tool call. */
  readonly status: number | null;
  readonly durationMs: number;
}

export interface AuditQuery {
  readonly tenant?: string | undefined;
  readonly since?: Date | undefined;
  readonly limit: number;
}

export interface AuditStore {
  /** Throws `DatabaseBusyError` when another writer holds the database (nothing is written then). */
  insertMany(rows: readonly AuditRow[]): void;
  /** Newest first. */
  list(query: AuditQuery): AuditRow[];
  /** Deletes rows older than `before`; the number deleted. Throws `DatabaseBusyError` as `insertMany`. */
  prune(before: Date): number;
}

/**
 * The serving process' own connection for the audit trail: the usual PRAGMAs, then a busy timeout of 0.
 * better-sqlite3 waits for a lock synchronously, on the thread that serves every request; a batch that
 * meets a sync's write transaction fails at once instead (`DatabaseBusyError`) and the trail tries again
 * a moment later, so the serving thread never waits for the sync. `close` may raise the timeout for the
 * last batch (`setBusyTimeout`).
 */
export function openAuditDatabase(path: string): Sqlite {
  const db = openSqlite(path);
  setBusyTimeout(db, 0);
  return db;
}

/** Sets how long `db` waits for another writer's lock before SQLITE_BUSY. */
export function setBusyTimeout(db: Sqlite, ms: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(ms))}`);
}

/** Runs `fn`, turning SQLite's busy/locked error into the domain's `DatabaseBusyError`. */
function busyAsDomain<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isBusyError(error)) throw databaseBusy(error);
    throw error;
  }
}

interface RawRow {
  at: string;
  principal: string | null;
  tenant: string;
  surface: 'mcp' | 'rest';
  action: string;
  outcome: string;
  status: number | null;
  duration_ms: number;
}

export function createAuditStore(db: Sqlite): AuditStore {
  const insert = db.prepare(
    `INSERT INTO "audit_log" ("at", "principal", "tenant", "surface", "action", "outcome", "status", "duration_ms")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAll = db.transaction((rows: readonly AuditRow[]) => {
    for (const r of rows) {
      insert.run(
        dbTime(r.at),
        r.principal,
        r.tenant,
        r.surface,
        r.action,
        r.outcome,
        r.status,
        Math.max(0, Math.round(r.durationMs)),
      );
    }
  });
  const select = db.prepare(
    `SELECT "at", "principal", "tenant", "surface", "action", "outcome", "status", "duration_ms"
     FROM "audit_log"
     WHERE (:tenant IS NULL OR "tenant" = :tenant) AND (:since IS NULL OR "at" >= :since)
     ORDER BY "at" DESC, "id" DESC LIMIT :limit`,
  );
  const remove = db.prepare(`DELETE FROM "audit_log" WHERE "at" < ?`);
  return {
    insertMany(rows) {
      // IMMEDIATE: the write lock is taken (or refused) at BEGIN, before any row is inserted.
      if (rows.length > 0) busyAsDomain(() => insertAll.immediate(rows));
    },
    list(query) {
      const raw = select.all({
        tenant: query.tenant ?? null,
        since: query.since ? dbTime(query.since) : null,
        limit: query.limit,
      }) as RawRow[];
      return raw.map((r) => ({
        at: fromDbTime(r.at) as Date,
        principal: r.principal,
        tenant: r.tenant,
        surface: r.surface,
        action: r.action,
        outcome: r.outcome,
        status: r.status,
        durationMs: r.duration_ms,
      }));
    },
    prune(before) {
      return busyAsDomain(() => remove.run(dbTime(before)).changes);
    },
  };
}
