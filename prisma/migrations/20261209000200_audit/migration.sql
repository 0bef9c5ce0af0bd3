-- The audit trail of the team service (ADR 0025): one row per MCP tool call and REST request. principal is
-- the public id (an API key's id, env:<fingerprint>, oauth:<sub>), never a secret; NULL on an open
-- loopback server. Rows older than TESTIO_AUDIT_RETENTION_DAYS are pruned by the serving process.
CREATE TABLE "audit_log" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "principal" TEXT,
    "tenant" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "status" INTEGER,
    "duration_ms" INTEGER NOT NULL
);
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");
CREATE INDEX "audit_log_tenant_at_idx" ON "audit_log"("tenant", "at");
