import type { McpTaskControl, McpTaskRecord, McpTaskStatus, McpTaskStore } from '@testio-mcp/domain';
import { onSqlite as run, fromJsonText as parsed, toJsonText as json } from './store-io.js';
import type { Sqlite } from './sqlite.js';
import { dbTime, fromDbTime } from './time.js';

/**
 * MCP tasks shared by the serving instances (migration 20261214000000_mcp_tasks, ADR 0035) in the SQLite
 * file. better-sqlite3 is synchronous; these answer promises so one port serves both engines.
 */

/** Statuses whose work may still run: the holder beats for them, a cancel or answers still matter. */
const UNFINISHED = `('working', 'input_required')`;

interface McpTaskRow {
  id: string;
  owner: string;
  holder: string;
  status: McpTaskStatus;
  status_message: string | null;
  ttl_ms: number | null;
  poll_interval_ms: number | null;
  result: string | null;
  error: string | null;
  input_requests: string | null;
  created_at: string;
  last_updated_at: string;
  heartbeat_at: string;
  expires_at: string;
}

const COLUMNS = `"id", "owner", "holder", "status", "status_message", "ttl_ms", "poll_interval_ms", "result",
  "error", "input_requests", "created_at", "last_updated_at", "heartbeat_at", "expires_at"`;

export function createMcpTaskStore(db: Sqlite): McpTaskStore {
  // An upsert, not a replace: the cancel request and answers other instances stored stay.
  const put = db.prepare(
    `INSERT INTO "mcp_tasks" (${COLUMNS})
     VALUES (:id, :owner, :holder, :status, :statusMessage, :ttlMs, :pollIntervalMs, :result, :error,
             :inputRequests, :createdAt, :lastUpdatedAt, :heartbeatAt, :expiresAt)
     ON CONFLICT ("id") DO UPDATE SET
       "owner" = excluded."owner", "holder" = excluded."holder", "status" = excluded."status",
       "status_message" = excluded."status_message", "ttl_ms" = excluded."ttl_ms",
       "poll_interval_ms" = excluded."poll_interval_ms", "result" = excluded."result",
       "error" = excluded."error", "input_requests" = excluded."input_requests",
       "created_at" = excluded."created_at", "last_updated_at" = excluded."last_updated_at",
       "heartbeat_at" = excluded."heartbeat_at", "expires_at" = excluded."expires_at"`,
  );
  const get = db.prepare(`SELECT ${COLUMNS} FROM "mcp_tasks" WHERE "owner" = ? AND "id" = ?`);
  const list = db.prepare(`SELECT ${COLUMNS} FROM "mcp_tasks" WHERE "owner" = ? ORDER BY "created_at", "id"`);
  const beat = db.prepare(
    `UPDATE "mcp_tasks" SET "heartbeat_at" = ? WHERE "holder" = ? AND "status" IN ${UNFINISHED}
     RETURNING "id", "cancel_requested", "answers"`,
  );
  const requestCancel = db.prepare(
    `UPDATE "mcp_tasks" SET "cancel_requested" = 1
     WHERE "owner" = ? AND "id" = ? AND "status" IN ${UNFINISHED}`,
  );
  const addAnswers = db.prepare(
    `UPDATE "mcp_tasks" SET "answers" = json_patch(COALESCE("answers", '{}'), ?)
     WHERE "owner" = ? AND "id" = ? AND "status" = 'input_required'`,
  );
  const abandon = db.prepare(
    `UPDATE "mcp_tasks" SET "status" = 'failed', "error" = ?, "status_message" = ?, "last_updated_at" = ?
     WHERE "id" = ? AND "status" IN ${UNFINISHED} AND "heartbeat_at" < ?`,
  );
  const prune = db.prepare(
    `DELETE FROM "mcp_tasks"
     WHERE ("status" NOT IN ${UNFINISHED} AND "expires_at" < ?)
        OR ("status" IN ${UNFINISHED} AND "heartbeat_at" < ?)`,
  );
  return {
    put: (task) =>
      run(() => {
        put.run({
          id: task.id,
          owner: task.owner,
          holder: task.holder,
          status: task.status,
          statusMessage: task.statusMessage,
          ttlMs: task.ttlMs,
          pollIntervalMs: task.pollIntervalMs,
          result: json(task.result),
          error: json(task.error),
          inputRequests: json(task.inputRequests),
          createdAt: dbTime(task.createdAt),
          lastUpdatedAt: dbTime(task.lastUpdatedAt),
          heartbeatAt: dbTime(task.heartbeatAt),
          expiresAt: dbTime(task.expiresAt),
        });
      }),
    get: (owner, id) =>
      run(() => {
        const row = get.get(owner, id) as McpTaskRow | undefined;
        return row ? mcpTaskRecord(row) : undefined;
      }),
    list: (owner) => run(() => (list.all(owner) as McpTaskRow[]).map(mcpTaskRecord)),
    beat: (holder, at) =>
      run(() =>
        (beat.all(dbTime(at), holder) as { id: string; cancel_requested: number; answers: string | null }[])
          .filter((row) => row.cancel_requested === 1 || row.answers !== null)
          .map((row): McpTaskControl => ({
            id: row.id,
            cancelRequested: row.cancel_requested === 1,
            answers: parsed(row.answers) as Record<string, unknown> | null,
          })),
      ),
    requestCancel: (owner, id) => run(() => requestCancel.run(owner, id).changes > 0),
    addAnswers: (owner, id, answers) =>
      run(() => addAnswers.run(JSON.stringify(answers), owner, id).changes > 0),
    abandon: (id, quietSince, error, message, at) =>
      run(() => abandon.run(json(error), message, dbTime(at), id, dbTime(quietSince)).changes > 0),
    prune: (before, staleBefore) => run(() => prune.run(dbTime(before), dbTime(staleBefore)).changes),
  };
}

function mcpTaskRecord(row: McpTaskRow): McpTaskRecord {
  return {
    id: row.id,
    owner: row.owner,
    holder: row.holder,
    status: row.status,
    statusMessage: row.status_message,
    ttlMs: row.ttl_ms,
    pollIntervalMs: row.poll_interval_ms,
    result: parsed(row.result),
    error: parsed(row.error),
    inputRequests: parsed(row.input_requests),
    createdAt: fromDbTime(row.created_at) as Date,
    lastUpdatedAt: fromDbTime(row.last_updated_at) as Date,
    heartbeatAt: fromDbTime(row.heartbeat_at) as Date,
    expiresAt: fromDbTime(row.expires_at) as Date,
  };
}
