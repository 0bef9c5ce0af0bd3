-- Full-text search over products, features, tests and bugs (docs/decisions/0006-storage.md).
--
-- One external-content FTS5 table per entity, keyed by the base table's INTEGER PRIMARY KEY `pk`:
-- - the text is not stored twice (FTS5 reads it back from the base table for snippets);
-- - tenant, product and entity id come from the base row (join on `pk`), so every search is filtered
--   by `customer_id` and optionally `product_id`;
-- - column 0 is the title, the others are the body, so `bm25(<table>, 10.0, 1.0, ...)` weights land on
--   the title and the body columns, and `bm25(<table>, 1.0, 0.0, ...) < 0` tells whether the title
--   matched;
-- - triggers touch one FTS row by rowid (no scan), fire on UPDATE only OF the indexed columns and only
--   when one of them changed, so bookkeeping writes (synced_at, ...) never rewrite the index.
--
-- Any later migration that rebuilds one of these base tables must re-create its three triggers and
-- rebuild its index (`INSERT INTO <t>_fts(<t>_fts) VALUES('rebuild')`); the schema test lists them.

-- products
CREATE VIRTUAL TABLE "products_fts" USING fts5(
    "title", "description",
    content = 'products',
    content_rowid = 'pk',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER "products_fts_ai" AFTER INSERT ON "products" BEGIN
    INSERT INTO "products_fts" (rowid, "title", "description") VALUES (NEW."pk", NEW."title", NEW."description");
END;

CREATE TRIGGER "products_fts_ad" AFTER DELETE ON "products" BEGIN
    INSERT INTO "products_fts" ("products_fts", rowid, "title", "description") VALUES ('delete', OLD."pk", OLD."title", OLD."description");
END;

CREATE TRIGGER "products_fts_au" AFTER UPDATE OF "title", "description" ON "products"
WHEN OLD."title" IS NOT NEW."title" OR OLD."description" IS NOT NEW."description"
BEGIN
    INSERT INTO "products_fts" ("products_fts", rowid, "title", "description") VALUES ('delete', OLD."pk", OLD."title", OLD."description");
    INSERT INTO "products_fts" (rowid, "title", "description") VALUES (NEW."pk", NEW."title", NEW."description");
END;

-- Index rows that already exist (none on a fresh database).
INSERT INTO "products_fts" ("products_fts") VALUES ('rebuild');

-- features
CREATE VIRTUAL TABLE "features_fts" USING fts5(
    "title", "description", "howtofind", "user_stories",
    content = 'features',
    content_rowid = 'pk',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER "features_fts_ai" AFTER INSERT ON "features" BEGIN
    INSERT INTO "features_fts" (rowid, "title", "description", "howtofind", "user_stories") VALUES (NEW."pk", NEW."title", NEW."description", NEW."howtofind", NEW."user_stories");
END;

CREATE TRIGGER "features_fts_ad" AFTER DELETE ON "features" BEGIN
    INSERT INTO "features_fts" ("features_fts", rowid, "title", "description", "howtofind", "user_stories") VALUES ('delete', OLD."pk", OLD."title", OLD."description", OLD."howtofind", OLD."user_stories");
END;

CREATE TRIGGER "features_fts_au" AFTER UPDATE OF "title", "description", "howtofind", "user_stories" ON "features"
WHEN OLD."title" IS NOT NEW."title" OR OLD."description" IS NOT NEW."description" OR OLD."howtofind" IS NOT NEW."howtofind" OR OLD."user_stories" IS NOT NEW."user_stories"
BEGIN
    INSERT INTO "features_fts" ("features_fts", rowid, "title", "description", "howtofind", "user_stories") VALUES ('delete', OLD."pk", OLD."title", OLD."description", OLD."howtofind", OLD."user_stories");
    INSERT INTO "features_fts" (rowid, "title", "description", "howtofind", "user_stories") VALUES (NEW."pk", NEW."title", NEW."description", NEW."howtofind", NEW."user_stories");
END;

-- Index rows that already exist (none on a fresh database).
INSERT INTO "features_fts" ("features_fts") VALUES ('rebuild');

-- tests
CREATE VIRTUAL TABLE "tests_fts" USING fts5(
    "title", "goal", "instructions", "out_of_scope",
    content = 'tests',
    content_rowid = 'pk',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER "tests_fts_ai" AFTER INSERT ON "tests" BEGIN
    INSERT INTO "tests_fts" (rowid, "title", "goal", "instructions", "out_of_scope") VALUES (NEW."pk", NEW."title", NEW."goal", NEW."instructions", NEW."out_of_scope");
END;

CREATE TRIGGER "tests_fts_ad" AFTER DELETE ON "tests" BEGIN
    INSERT INTO "tests_fts" ("tests_fts", rowid, "title", "goal", "instructions", "out_of_scope") VALUES ('delete', OLD."pk", OLD."title", OLD."goal", OLD."instructions", OLD."out_of_scope");
END;

CREATE TRIGGER "tests_fts_au" AFTER UPDATE OF "title", "goal", "instructions", "out_of_scope" ON "tests"
WHEN OLD."title" IS NOT NEW."title" OR OLD."goal" IS NOT NEW."goal" OR OLD."instructions" IS NOT NEW."instructions" OR OLD."out_of_scope" IS NOT NEW."out_of_scope"
BEGIN
    INSERT INTO "tests_fts" ("tests_fts", rowid, "title", "goal", "instructions", "out_of_scope") VALUES ('delete', OLD."pk", OLD."title", OLD."goal", OLD."instructions", OLD."out_of_scope");
    INSERT INTO "tests_fts" (rowid, "title", "goal", "instructions", "out_of_scope") VALUES (NEW."pk", NEW."title", NEW."goal", NEW."instructions", NEW."out_of_scope");
END;

-- Index rows that already exist (none on a fresh database).
INSERT INTO "tests_fts" ("tests_fts") VALUES ('rebuild');

-- bugs
CREATE VIRTUAL TABLE "bugs_fts" USING fts5(
    "title", "steps", "actual_result", "expected_result",
    content = 'bugs',
    content_rowid = 'pk',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER "bugs_fts_ai" AFTER INSERT ON "bugs" BEGIN
    INSERT INTO "bugs_fts" (rowid, "title", "steps", "actual_result", "expected_result") VALUES (NEW."pk", NEW."title", NEW."steps", NEW."actual_result", NEW."expected_result");
END;

CREATE TRIGGER "bugs_fts_ad" AFTER DELETE ON "bugs" BEGIN
    INSERT INTO "bugs_fts" ("bugs_fts", rowid, "title", "steps", "actual_result", "expected_result") VALUES ('delete', OLD."pk", OLD."title", OLD."steps", OLD."actual_result", OLD."expected_result");
END;

CREATE TRIGGER "bugs_fts_au" AFTER UPDATE OF "title", "steps", "actual_result", "expected_result" ON "bugs"
WHEN OLD."title" IS NOT NEW."title" OR OLD."steps" IS NOT NEW."steps" OR OLD."actual_result" IS NOT NEW."actual_result" OR OLD."expected_result" IS NOT NEW."expected_result"
BEGIN
    INSERT INTO "bugs_fts" ("bugs_fts", rowid, "title", "steps", "actual_result", "expected_result") VALUES ('delete', OLD."pk", OLD."title", OLD."steps", OLD."actual_result", OLD."expected_result");
    INSERT INTO "bugs_fts" (rowid, "title", "steps", "actual_result", "expected_result") VALUES (NEW."pk", NEW."title", NEW."steps", NEW."actual_result", NEW."expected_result");
END;

-- Index rows that already exist (none on a fresh database).
INSERT INTO "bugs_fts" ("bugs_fts") VALUES ('rebuild');
