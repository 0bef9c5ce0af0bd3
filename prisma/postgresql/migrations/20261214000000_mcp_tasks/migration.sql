-- MCP tasks (ADR 0033, ADR 0037) shared by every serving instance on one database
-- (docs/decisions/0035-shared-instance-state.md): a task started on one instance is read, listed, cancelled
-- and answered (tasks/update) on any other.
--
-- The work itself runs on the instance that started it, `holder`: it writes the task at each change
-- (status message at most every few seconds), refreshes `heartbeat_at` while the task is unfinished, and
-- with that same statement reads `cancel_requested` and `answers`, which any instance may set. An
-- unfinished task whose heartbeat has gone quiet is ended as failed (abandoned) by whichever instance
-- reads it. `owner` is the principal that created the task in its tenant (`<tenant>/<principal>`, or
-- `local`): only it reads the task. A finished task is deleted once `expires_at` (its ttl) has passed.
-- The PostgreSQL twin of SQLite migration 20261214000000_mcp_tasks.

CREATE TABLE "mcp_tasks" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "owner" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "status_message" TEXT,
    "ttl_ms" INTEGER,
    "poll_interval_ms" INTEGER,
    "result" JSONB,
    "error" JSONB,
    "input_requests" JSONB,
    "answers" JSONB,
    "cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "last_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL
);
CREATE INDEX "mcp_tasks_owner_created_at_idx" ON "mcp_tasks"("owner", "created_at");
CREATE INDEX "mcp_tasks_holder_idx" ON "mcp_tasks"("holder");
CREATE INDEX "mcp_tasks_expires_at_idx" ON "mcp_tasks"("expires_at");
