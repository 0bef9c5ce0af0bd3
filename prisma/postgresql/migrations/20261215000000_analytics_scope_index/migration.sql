-- The PostgreSQL twin of SQLite migration 20261215000000_analytics_scope_index: the analytics scope
-- (customer, product, id, status, testing type, end date) readable from one index (an index-only scan
-- where the visibility map allows), replacing the product/status/end-date index it extends.

DROP INDEX "tests_customer_id_product_id_status_end_at_idx";
CREATE INDEX "tests_customer_id_product_id_status_end_at_testing_type_id_idx" ON "tests"("customer_id", "product_id", "status", "end_at", "testing_type", "id");
