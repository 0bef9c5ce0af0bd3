-- Indexes for the read paths (docs/performance.md; docs/decisions/0008-performance.md).
--
-- SQLite's planner (no ANALYZE statistics) preferred an index that avoids a sort or a DISTINCT over one
-- that narrows the rows, and scanned a whole table per row:
-- - list_features counted the tests of each feature through test_features(customer_id, test_id) for
--   count(DISTINCT test_id): a scan of every test feature per feature (0.5-2 s at `medium`);
-- - the features of a test (get_test_summary) were read in key order through the primary key: a scan;
-- - the tests of a product by status (get_product_summary) went through tests(customer_id, status).
-- Each index below serves its query alone, covering the filter and the order.
--
-- Dropped as never usable: every status / severity filter of the readers has the form
-- `(@x IS NULL OR b.status IN (...))`, which no index serves, and bugs.test_feature_id is only ever the
-- right-hand side of a join on test_features' key.

DROP INDEX "test_features_customer_id_feature_id_idx";
CREATE INDEX "test_features_customer_id_feature_id_test_id_idx" ON "test_features"("customer_id", "feature_id", "test_id");

DROP INDEX "test_features_customer_id_test_id_idx";
CREATE INDEX "test_features_customer_id_test_id_id_idx" ON "test_features"("customer_id", "test_id", "id");

DROP INDEX "tests_customer_id_status_idx";
CREATE INDEX "tests_customer_id_product_id_status_idx" ON "tests"("customer_id", "product_id", "status");

DROP INDEX "bugs_customer_id_status_idx";
DROP INDEX "bugs_customer_id_severity_idx";
DROP INDEX "bugs_customer_id_test_feature_id_idx";
