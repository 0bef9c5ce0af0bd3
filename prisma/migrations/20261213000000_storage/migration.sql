-- Storage (issue 18, docs/decisions/0039-storage.md): the search indexes of bugs and tests keep their
-- two-letter prefix index and drop the three-letter one.
--
-- `prefix = '2 3'` stored every document's terms three times (whole, first two letters, first three):
-- 63 % of `bugs_fts` (2.6 of 4.1 MB at the bench's `small` scale), the largest thing in a mirror after
-- the bugs themselves. A three-letter prefix query (`pag*`) now merges the doclists of the terms that
-- start with it, as every longer prefix (`checkout*`) always did; two-letter prefixes, the ones that
-- cover the most terms, keep their index. What a query finds does not change.
--
-- The FTS5 tables are external-content (the text stays in `bugs` and `tests`): dropping and creating
-- them again and rebuilding re-reads the base rows. Their triggers live on the base tables and name the
-- index by name, so they keep working and are not touched. `products_fts` and `features_fts` keep
-- `prefix = '2 3'` (a few hundred rows per account).

DROP TABLE "bugs_fts";

CREATE VIRTUAL TABLE "bugs_fts" USING fts5(
    "title", "steps", "actual_result", "expected_result",
    content = 'bugs',
    content_rowid = 'pk',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2'
);

INSERT INTO "bugs_fts" ("bugs_fts") VALUES ('rebuild');

DROP TABLE "tests_fts";

CREATE VIRTUAL TABLE "tests_fts" USING fts5(
    "title", "goal", "instructions", "out_of_scope",
    content = 'tests',
    content_rowid = 'pk',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2'
);

INSERT INTO "tests_fts" ("tests_fts") VALUES ('rebuild');
