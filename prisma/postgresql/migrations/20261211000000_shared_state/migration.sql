-- What must agree between serving instances on one database (docs/decisions/0035-shared-instance-state.md).
-- The PostgreSQL twin of SQLite migration 20261211000000_shared_state.
--
-- sync_jobs: the jobs of POST /api/sync, so GET /api/sync/{id} answers on any instance. `holder` is the
-- instance that runs the job; it refreshes `heartbeat_at` while the job runs, and a running job whose
-- heartbeat has gone quiet is reported as failed (abandoned) by whichever instance reads it.
CREATE TABLE "sync_jobs" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenant" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "progress" JSONB,
    "result" JSONB,
    "error" JSONB,
    "holder" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3)
);
CREATE INDEX "sync_jobs_tenant_created_at_idx" ON "sync_jobs"("tenant", "created_at");

-- rate_windows: fixed-window request counters of the rate limits (ADR 0025), one row per budget key
-- (`testio-<role>:principal:<id>` or `testio-anonymous:ip:<address>`), reset when `expires_at` passes.
-- UNLOGGED on PostgreSQL: a counted request costs no WAL flush (measured: 5.5 ms logged, see ADR 0035); a
-- crash or a failover to a standby empties the table, which only starts every budget's window afresh.
CREATE UNLOGGED TABLE "rate_windows" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "points" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL
);
CREATE INDEX "rate_windows_expires_at_idx" ON "rate_windows"("expires_at");

-- instance_secrets: keys every instance must share (the triage confirmation key, ADR 0032), created once
-- by whichever instance needs one first. `value` is sealed under the master key when one is configured.
CREATE TABLE "instance_secrets" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL
);
