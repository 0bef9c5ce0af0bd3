-- query_metrics by feature joins every test in scope to its features on test_features(customer_id, test_id).
-- Without ANALYZE statistics SQLite preferred the covering (customer_id, feature_id, test_id) index with
-- only customer_id bound: a scan of every test feature per test, 13 s at `medium` for the whole account.
-- Carrying feature_id in the per-test index makes it covering too; the query takes ~0.9 s (most of it
-- counting 200,000 bugs). The `id` column stays second so the features of a test still come in key
-- order from the index (get_test_summary). docs/performance.md has the figures.

DROP INDEX "test_features_customer_id_test_id_id_idx";
CREATE INDEX "test_features_customer_id_test_id_id_feature_id_idx" ON "test_features"("customer_id", "test_id", "id", "feature_id");
