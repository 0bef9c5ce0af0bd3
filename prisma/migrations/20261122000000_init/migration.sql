-- Initial schema of the TestIO mirror. Mirrors prisma/schema.prisma; the schema test checks every
-- model and field against these tables. Conventions: docs/decisions/0006-storage.md.

-- CreateTable
CREATE TABLE "products" (
    "pk" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "customer_id" INTEGER NOT NULL,
    "id" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "type" TEXT,
    "description" TEXT,
    "default_section_id" INTEGER,
    "has_sections" BOOLEAN NOT NULL,
    "raw" JSONB NOT NULL,
    "synced_at" DATETIME NOT NULL,
    "features_synced_at" DATETIME,
    "tests_synced_at" DATETIME,
    "last_full_sync_at" DATETIME
);

-- CreateTable
CREATE TABLE "sections" (
    "customer_id" INTEGER NOT NULL,
    "id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "raw" JSONB NOT NULL,

    PRIMARY KEY ("customer_id", "id"),
    CONSTRAINT "sections_customer_id_product_id_fkey" FOREIGN KEY ("customer_id", "product_id") REFERENCES "products" ("customer_id", "id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "features" (
    "pk" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "customer_id" INTEGER NOT NULL,
    "id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "howtofind" TEXT,
    "section_ids" JSONB NOT NULL,
    "user_stories" JSONB NOT NULL,
    "raw" JSONB NOT NULL,
    "synced_at" DATETIME NOT NULL,
    CONSTRAINT "features_customer_id_product_id_fkey" FOREIGN KEY ("customer_id", "product_id") REFERENCES "products" ("customer_id", "id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "user_stories" (
    "customer_id" INTEGER NOT NULL,
    "id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "section_id" INTEGER,
    "feature_id" INTEGER,
    "title" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "raw" JSONB NOT NULL,
    "synced_at" DATETIME NOT NULL,

    PRIMARY KEY ("customer_id", "id"),
    CONSTRAINT "user_stories_customer_id_product_id_fkey" FOREIGN KEY ("customer_id", "product_id") REFERENCES "products" ("customer_id", "id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "tests" (
    "pk" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "customer_id" INTEGER NOT NULL,
    "id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "section_id" INTEGER,
    "title" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "testing_type" TEXT,
    "goal" TEXT,
    "instructions" TEXT,
    "out_of_scope" TEXT,
    "review_status" TEXT,
    "start_at" DATETIME,
    "end_at" DATETIME,
    "created_by" TEXT,
    "submitted_by" TEXT,
    "enable_low" BOOLEAN,
    "enable_high" BOOLEAN,
    "enable_critical" BOOLEAN,
    "environment" JSONB,
    "raw" JSONB NOT NULL,
    "synced_at" DATETIME NOT NULL,
    "bugs_synced_at" DATETIME,
    CONSTRAINT "tests_customer_id_product_id_fkey" FOREIGN KEY ("customer_id", "product_id") REFERENCES "products" ("customer_id", "id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "test_features" (
    "customer_id" INTEGER NOT NULL,
    "id" INTEGER NOT NULL,
    "test_id" INTEGER NOT NULL,
    "feature_id" INTEGER NOT NULL,
    "title" TEXT,
    "description" TEXT,
    "howtofind" TEXT,
    "user_stories" JSONB NOT NULL,
    "enable_default" BOOLEAN,
    "enable_content" BOOLEAN,
    "enable_visual" BOOLEAN,
    "raw" JSONB NOT NULL,

    PRIMARY KEY ("customer_id", "id"),
    CONSTRAINT "test_features_customer_id_test_id_fkey" FOREIGN KEY ("customer_id", "test_id") REFERENCES "tests" ("customer_id", "id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "test_platforms" (
    "customer_id" INTEGER NOT NULL,
    "test_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "category" TEXT,
    "operating_system" TEXT,
    "min_version" TEXT,
    "max_version" TEXT,
    "browsers" JSONB NOT NULL,
    "raw" JSONB NOT NULL,

    PRIMARY KEY ("customer_id", "test_id", "position"),
    CONSTRAINT "test_platforms_customer_id_test_id_fkey" FOREIGN KEY ("customer_id", "test_id") REFERENCES "tests" ("customer_id", "id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "bugs" (
    "pk" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "customer_id" INTEGER NOT NULL,
    "id" INTEGER NOT NULL,
    "test_id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "severity" TEXT,
    "status" TEXT,
    "known" BOOLEAN NOT NULL,
    "rejection_reason" TEXT,
    "reported_at" DATETIME,
    "author" TEXT,
    "test_feature_id" INTEGER,
    "feature_id" INTEGER,
    "language" TEXT,
    "location" TEXT,
    "steps" TEXT,
    "actual_result" TEXT,
    "expected_result" TEXT,
    "devices" JSONB NOT NULL,
    "raw" JSONB NOT NULL,
    CONSTRAINT "bugs_customer_id_test_id_fkey" FOREIGN KEY ("customer_id", "test_id") REFERENCES "tests" ("customer_id", "id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "users" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "customer_id" INTEGER NOT NULL,
    "username" TEXT NOT NULL,
    "is_tester" BOOLEAN NOT NULL DEFAULT false,
    "is_customer" BOOLEAN NOT NULL DEFAULT false,
    "first_activity_at" DATETIME,
    "last_activity_at" DATETIME,
    "first_seen_at" DATETIME NOT NULL,
    "last_seen_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "sync_metadata" (
    "customer_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT,
    "updated_at" DATETIME NOT NULL,

    PRIMARY KEY ("customer_id", "key")
);

-- CreateTable
CREATE TABLE "sync_runs" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "customer_id" INTEGER NOT NULL,
    "trigger" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "product_ids" JSONB,
    "status" TEXT NOT NULL CHECK ("status" IN ('running', 'success', 'partial_failure', 'failure', 'interrupted')),
    "started_at" DATETIME NOT NULL,
    "finished_at" DATETIME,
    "heartbeat_at" DATETIME,
    "duration_ms" INTEGER,
    "products_synced" INTEGER,
    "products_deleted" INTEGER,
    "features_refreshed" INTEGER,
    "tests_discovered" INTEGER,
    "tests_updated" INTEGER,
    "tests_deleted" INTEGER,
    "bugs_synced" INTEGER,
    "bugs_deleted" INTEGER,
    "upstream_calls" INTEGER,
    "warnings" JSONB NOT NULL,
    "error" TEXT
);

-- CreateTable
CREATE TABLE "problematic_ranges" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "customer_id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "offset_from" INTEGER NOT NULL,
    "offset_to" INTEGER NOT NULL,
    "boundary_before_id" INTEGER,
    "boundary_before_end_at" DATETIME,
    "boundary_after_id" INTEGER,
    "boundary_after_end_at" DATETIME,
    "attempts" INTEGER NOT NULL,
    "last_error" TEXT NOT NULL,
    "first_seen_at" DATETIME NOT NULL,
    "last_seen_at" DATETIME NOT NULL,
    "resolved_at" DATETIME
);

-- CreateTable
CREATE TABLE "sync_leases" (
    "customer_id" INTEGER NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "acquired_at" DATETIME NOT NULL,
    "expires_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "products_customer_id_id_key" ON "products"("customer_id", "id");

-- CreateIndex
CREATE INDEX "products_customer_id_type_idx" ON "products"("customer_id", "type");

-- CreateIndex
CREATE INDEX "sections_customer_id_product_id_idx" ON "sections"("customer_id", "product_id");

-- CreateIndex
CREATE UNIQUE INDEX "features_customer_id_id_key" ON "features"("customer_id", "id");

-- CreateIndex
CREATE INDEX "features_customer_id_product_id_idx" ON "features"("customer_id", "product_id");

-- CreateIndex
CREATE INDEX "user_stories_customer_id_product_id_idx" ON "user_stories"("customer_id", "product_id");

-- CreateIndex
CREATE INDEX "user_stories_customer_id_feature_id_idx" ON "user_stories"("customer_id", "feature_id");

-- CreateIndex
CREATE UNIQUE INDEX "tests_customer_id_id_key" ON "tests"("customer_id", "id");

-- CreateIndex
CREATE INDEX "tests_customer_id_product_id_end_at_idx" ON "tests"("customer_id", "product_id", "end_at");

-- CreateIndex
CREATE INDEX "tests_customer_id_status_idx" ON "tests"("customer_id", "status");

-- CreateIndex
CREATE INDEX "tests_customer_id_testing_type_idx" ON "tests"("customer_id", "testing_type");

-- CreateIndex
CREATE INDEX "tests_customer_id_end_at_idx" ON "tests"("customer_id", "end_at");

-- CreateIndex
CREATE INDEX "tests_customer_id_created_by_idx" ON "tests"("customer_id", "created_by");

-- CreateIndex
CREATE INDEX "tests_customer_id_submitted_by_idx" ON "tests"("customer_id", "submitted_by");

-- CreateIndex
CREATE INDEX "test_features_customer_id_test_id_idx" ON "test_features"("customer_id", "test_id");

-- CreateIndex
CREATE INDEX "test_features_customer_id_feature_id_idx" ON "test_features"("customer_id", "feature_id");

-- CreateIndex
CREATE INDEX "test_platforms_customer_id_operating_system_idx" ON "test_platforms"("customer_id", "operating_system");

-- CreateIndex
CREATE INDEX "test_platforms_customer_id_category_idx" ON "test_platforms"("customer_id", "category");

-- CreateIndex
CREATE UNIQUE INDEX "bugs_customer_id_id_key" ON "bugs"("customer_id", "id");

-- CreateIndex
CREATE INDEX "bugs_customer_id_test_id_idx" ON "bugs"("customer_id", "test_id");

-- CreateIndex
CREATE INDEX "bugs_customer_id_product_id_reported_at_idx" ON "bugs"("customer_id", "product_id", "reported_at");

-- CreateIndex
CREATE INDEX "bugs_customer_id_status_idx" ON "bugs"("customer_id", "status");

-- CreateIndex
CREATE INDEX "bugs_customer_id_severity_idx" ON "bugs"("customer_id", "severity");

-- CreateIndex
CREATE INDEX "bugs_customer_id_reported_at_idx" ON "bugs"("customer_id", "reported_at");

-- CreateIndex
CREATE INDEX "bugs_customer_id_author_idx" ON "bugs"("customer_id", "author");

-- CreateIndex
CREATE INDEX "bugs_customer_id_test_feature_id_idx" ON "bugs"("customer_id", "test_feature_id");

-- CreateIndex
CREATE INDEX "bugs_customer_id_feature_id_idx" ON "bugs"("customer_id", "feature_id");

-- CreateIndex
CREATE UNIQUE INDEX "users_customer_id_username_key" ON "users"("customer_id", "username");

-- CreateIndex
CREATE INDEX "users_customer_id_last_activity_at_idx" ON "users"("customer_id", "last_activity_at");

-- CreateIndex
CREATE INDEX "sync_runs_customer_id_started_at_idx" ON "sync_runs"("customer_id", "started_at");

-- CreateIndex
CREATE INDEX "sync_runs_customer_id_status_started_at_idx" ON "sync_runs"("customer_id", "status", "started_at");

-- CreateIndex
CREATE INDEX "problematic_ranges_customer_id_product_id_idx" ON "problematic_ranges"("customer_id", "product_id");
