-- list_products counts each product's executed tests by end date (last 30 / 90 days, last end) with
-- `status IN (...) AND end_at >= ?`: with the status alone in the index every test row was read for its
-- end_at (40-60 ms at `large`); with both the counts are read from the index (~2 ms). The index also
-- serves what tests(customer_id, product_id, status) served (docs/decisions/0010-performance.md).

DROP INDEX "tests_customer_id_product_id_status_idx";
CREATE INDEX "tests_customer_id_product_id_status_end_at_idx" ON "tests"("customer_id", "product_id", "status", "end_at");
