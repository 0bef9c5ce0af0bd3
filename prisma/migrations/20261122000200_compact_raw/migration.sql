-- Compact raw payloads (docs/decisions/0006-storage.md, "Raw payloads"; libs/persistence/src/raw-payloads.ts).
--
-- The stores now keep objects that have rows of their own as `{"id": ...}` stubs in `raw`: a bug's
-- product, test and feature, a test's product. This rewrites the rows synced before, so an existing
-- mirror shrinks without a forced sync (run VACUUM afterwards to give the pages back to the file
-- system). Text that the typed columns hold is left out by the stores on the next write of a row; it is
-- left in place here (rewriting it needs the normaliser). No indexed column changes, so no search
-- trigger fires.

UPDATE "bugs" SET "raw" = json_set("raw", '$.product', json_object('id', json_extract("raw", '$.product.id')))
WHERE json_valid("raw") AND json_type("raw", '$.product.id') = 'integer'
  AND (SELECT count(*) FROM json_each("raw", '$.product')) > 1;

UPDATE "bugs" SET "raw" = json_set("raw", '$.test', json_object('id', json_extract("raw", '$.test.id')))
WHERE json_valid("raw") AND json_type("raw", '$.test.id') = 'integer'
  AND (SELECT count(*) FROM json_each("raw", '$.test')) > 1;

UPDATE "bugs" SET "raw" = json_set("raw", '$.feature', json_object('id', json_extract("raw", '$.feature.id')))
WHERE json_valid("raw") AND json_type("raw", '$.feature.id') = 'integer'
  AND (SELECT count(*) FROM json_each("raw", '$.feature')) > 1;

UPDATE "tests" SET "raw" = json_set("raw", '$.product', json_object('id', json_extract("raw", '$.product.id')))
WHERE json_valid("raw") AND json_type("raw", '$.product.id') = 'integer'
  AND (SELECT count(*) FROM json_each("raw", '$.product')) > 1;
