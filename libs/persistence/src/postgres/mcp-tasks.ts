import type { McpTaskControl, McpTaskRecord, McpTaskStatus, McpTaskStore } from '@testio-mcp/domain';
import { withPgErrors as mapped } from './errors.js';
import { toJsonText as json } from '../store-io.js';
import type { PgPool } from './pool.js';

/**
 * MCP tasks shared by the serving instances (migration 20261214000000_mcp_tasks, ADR 0035) on PostgreSQL:
 * the twin of the SQLite store in ../mcp-tasks.ts, statement for statement.
 */

const UNFINISHED = `('working', 'input_required')`;

interface McpTaskRow {
  id: string;
  owner: string;
  holder: string;
  status: McpTaskStatus;
  status_message: string | null;
  ttl_ms: number | null;
  poll_interval_ms: number | null;
  result: unknown;
  error: unknown;
  input_requests: unknown;
  created_at: Date;
  last_updated_at: Date;
  heartbeat_at: Date;
  expires_at: Date;
}

const COLUMNS = `"id", "owner", "holder", "status", "status_message", "ttl_ms", "poll_interval_ms", "result",
  "error", "input_requests", "created_at", "last_updated_at", "heartbeat_at", "expires_at"`;

const mcpTaskRecord = (row: McpTaskRow): McpTaskRecord => ({
  id: row.id,
  owner: row.owner,
  holder: row.holder,
  status: row.status,
  statusMessage: row.status_message,
  ttlMs: row.ttl_ms,
  pollIntervalMs: row.poll_interval_ms,
  result: row.result,
  error: row.error,
  inputRequests: row.input_requests,
  createdAt: row.created_at,
  lastUpdatedAt: row.last_updated_at,
  heartbeatAt: row.heartbeat_at,
  expiresAt: row.expires_at,
});

export function createPgMcpTaskStore(pool: PgPool): McpTaskStore {
  return {
    put: (task) =>
      mapped(async () => {
        // An upsert: the cancel request and answers other instances stored stay.
        await pool.query(
          `INSERT INTO "mcp_tasks" (${COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11, $12, $13, $14)
           ON CONFLICT ("id") DO UPDATE SET
             "owner" = EXCLUDED."owner", "holder" = EXCLUDED."holder", "status" = EXCLUDED."status",
             "status_message" = EXCLUDED."status_message", "ttl_ms" = EXCLUDED."ttl_ms",
             "poll_interval_ms" = EXCLUDED."poll_interval_ms", "result" = EXCLUDED."result",
             "error" = EXCLUDED."error", "input_requests" = EXCLUDED."input_requests",
             "created_at" = EXCLUDED."created_at", "last_updated_at" = EXCLUDED."last_updated_at",
             "heartbeat_at" = EXCLUDED."heartbeat_at", "expires_at" = EXCLUDED."expires_at"`,
          [
            task.id,
            task.owner,
            task.holder,
            task.status,
            task.statusMessage,
            task.ttlMs,
            task.pollIntervalMs,
            json(task.result),
            json(task.error),
            json(task.inputRequests),
            task.createdAt,
            task.lastUpdatedAt,
            task.heartbeatAt,
            task.expiresAt,
          ],
        );
      }),
    get: (owner, id) =>
      mapped(async () => {
        const { rows } = await pool.query<McpTaskRow>(
          `SELECT ${COLUMNS} FROM "mcp_tasks" WHERE "owner" = $1 AND "id" = $2`,
          [owner, id],
        );
        return rows[0] ? mcpTaskRecord(rows[0]) : undefined;
      }),
    list: (owner) =>
      mapped(async () => {
        const { rows } = await pool.query<McpTaskRow>(
          `SELECT ${COLUMNS} FROM "mcp_tasks" WHERE "owner" = $1 ORDER BY "created_at", "id"`,
          [owner],
        );
        return rows.map(mcpTaskRecord);
      }),
    beat: (holder, at) =>
      mapped(async () => {
        const { rows } = await pool.query<{
          id: string;
          cancel_requested: boolean;
          answers: Record<string, unknown> | null;
        }>(
          `UPDATE "mcp_tasks" SET "heartbeat_at" = $1 WHERE "holder" = $2 AND "status" IN ${UNFINISHED}
           RETURNING "id", "cancel_requested", "answers"`,
          [at, holder],
        );
        return rows
          .filter((row) => row.cancel_requested || row.answers !== null)
          .map((row): McpTaskControl => ({
            id: row.id,
            cancelRequested: row.cancel_requested,
            answers: row.answers,
          }));
      }),
    requestCancel: (owner, id) =>
      mapped(async () => {
        const { rowCount } = await pool.query(
          `UPDATE "mcp_tasks" SET "cancel_requested" = true
           WHERE "owner" = $1 AND "id" = $2 AND "status" IN ${UNFINISHED}`,
          [owner, id],
        );
        return (rowCount ?? 0) > 0;
      }),
    addAnswers: (owner, id, answers) =>
      mapped(async () => {
        // `||` merges in one statement: answers given on two instances at once are both kept.
        const { rowCount } = await pool.query(
          `UPDATE "mcp_tasks" SET "answers" = COALESCE("answers", '{}'::jsonb) || $1::jsonb
           WHERE "owner" = $2 AND "id" = $3 AND "status" = 'input_required'`,
          [JSON.stringify(answers), owner, id],
        );
        return (rowCount ?? 0) > 0;
      }),
    abandon: (id, quietSince, error, message, at) =>
      mapped(async () => {
        const { rowCount } = await pool.query(
          `UPDATE "mcp_tasks" SET "status" = 'failed', "error" = $1::jsonb, "status_message" = $2,
             "last_updated_at" = $3
           WHERE "id" = $4 AND "status" IN ${UNFINISHED} AND "heartbeat_at" < $5`,
          [json(error), message, at, id, quietSince],
        );
        return (rowCount ?? 0) > 0;
      }),
    prune: (before, staleBefore) =>
      mapped(async () => {
        const { rowCount } = await pool.query(
          `DELETE FROM "mcp_tasks"
           WHERE ("status" NOT IN ${UNFINISHED} AND "expires_at" < $1)
              OR ("status" IN ${UNFINISHED} AND "heartbeat_at" < $2)`,
          [before, staleBefore],
        );
        return rowCount ?? 0;
      }),
  };
}
