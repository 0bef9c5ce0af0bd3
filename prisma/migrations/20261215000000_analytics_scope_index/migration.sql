-- Every analytics statement starts from the scoped tests (`scoped_tests`: customer, product, id, status,
-- testing type, end date). No index held all of those columns, so each statement fetched every test row
-- of the account (wide: title, environment, payload): about 125 ms of CPU at `large` (49,005 tests), half
-- of a whole-account `query_metrics` on the per-test totals. With `testing_type` and `id` added to the
-- product/status/end-date index the scope is read from the index alone (about 10 ms). The wider index
-- replaces the narrower one: it keeps its leading columns, so list_products' counts still read only the
-- index (migration 20261122000400). docs/performance.md, "Issue 18: analytics at large".

DROP INDEX "tests_customer_id_product_id_status_end_at_idx";
CREATE INDEX "tests_customer_id_product_id_status_end_at_testing_type_id_idx" ON "tests"("customer_id", "product_id", "status", "end_at", "testing_type", "id");
