-- Full-text search on PostgreSQL (docs/decisions/0030-search-on-postgresql.md): the FTS5 index of
-- migration 20261122000100_search_index, ported.
--
-- - One index table per entity, `<table>_fts (pk, customer_id, vector)`, keyed by the base table's `pk` (as
--   FTS5's rowid), so the search walks matches newest-first by `pk` exactly as on SQLite, and bookkeeping
--   writes to the base rows (synced_at, status, ...) never touch the index or its GIN index.
-- - `vector` holds every indexed column with its own weight, in the FTS5 column order: the title is A,
--   the body columns B, C, D. Ranking gives A 1.0 and B-D 0.1 (the title weighs 10 times the body, as the
--   FTS5 BM25 weights do); column filters of the raw syntax (`title:x`) become weight labels (`'x':A`).
-- - The text search configuration `testio_search` does what FTS5's `porter unicode61 remove_diacritics 2`
--   tokenizer does: accents removed (unaccent), the Porter stemmer (Snowball's `porter`, the algorithm FTS5
--   uses; `english` is Porter2, which stems differently: `pay` stays `pay` there, `pai` here and in FTS5),
--   and no stop words (FTS5 has none: "the" and "a" are searchable words).
-- - Triggers keep the index in the write's transaction: AFTER INSERT adds the row, AFTER UPDATE OF the
--   indexed columns rewrites it only when one of them changed, and the foreign key's ON DELETE CASCADE
--   removes it with its base row. The write stores need no change.

CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TEXT SEARCH DICTIONARY testio_porter_stem (TEMPLATE = snowball, LANGUAGE = porter);

CREATE TEXT SEARCH CONFIGURATION testio_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION testio_search
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart
    WITH unaccent, testio_porter_stem;

-- products
CREATE TABLE "products_fts" (
    "pk" integer NOT NULL PRIMARY KEY REFERENCES "products" ("pk") ON DELETE CASCADE,
    "customer_id" integer NOT NULL,
    "vector" tsvector NOT NULL
);

CREATE INDEX "products_fts_vector_idx" ON "products_fts" USING gin ("vector");

CREATE FUNCTION "products_fts_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "products_fts" ("pk", "customer_id", "vector")
    VALUES (NEW."pk", NEW."customer_id",
        setweight(to_tsvector('testio_search', coalesce(NEW."title", '')), 'A')
        || setweight(to_tsvector('testio_search', coalesce(NEW."description", '')), 'B'))
    ON CONFLICT ("pk") DO UPDATE SET "customer_id" = EXCLUDED."customer_id", "vector" = EXCLUDED."vector";
    RETURN NULL;
END;
$$;

CREATE TRIGGER "products_fts_ai" AFTER INSERT ON "products"
FOR EACH ROW EXECUTE FUNCTION "products_fts_write"();

CREATE TRIGGER "products_fts_au" AFTER UPDATE OF "title", "description" ON "products"
FOR EACH ROW WHEN (OLD."title" IS DISTINCT FROM NEW."title" OR OLD."description" IS DISTINCT FROM NEW."description")
EXECUTE FUNCTION "products_fts_write"();

-- Index rows that already exist (none on a fresh database).
INSERT INTO "products_fts" ("pk", "customer_id", "vector")
SELECT e."pk", e."customer_id",
        setweight(to_tsvector('testio_search', coalesce(e."title", '')), 'A')
        || setweight(to_tsvector('testio_search', coalesce(e."description", '')), 'B')
FROM "products" e;

-- features
CREATE TABLE "features_fts" (
    "pk" integer NOT NULL PRIMARY KEY REFERENCES "features" ("pk") ON DELETE CASCADE,
    "customer_id" integer NOT NULL,
    "vector" tsvector NOT NULL
);

CREATE INDEX "features_fts_vector_idx" ON "features_fts" USING gin ("vector");

CREATE FUNCTION "features_fts_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "features_fts" ("pk", "customer_id", "vector")
    VALUES (NEW."pk", NEW."customer_id",
        setweight(to_tsvector('testio_search', coalesce(NEW."title", '')), 'A')
        || setweight(to_tsvector('testio_search', coalesce(NEW."description", '')), 'B')
        || setweight(to_tsvector('testio_search', coalesce(NEW."howtofind", '')), 'C')
        || setweight(to_tsvector('testio_search', coalesce(NEW."user_stories"::text, '')), 'D'))
    ON CONFLICT ("pk") DO UPDATE SET "customer_id" = EXCLUDED."customer_id", "vector" = EXCLUDED."vector";
    RETURN NULL;
END;
$$;

CREATE TRIGGER "features_fts_ai" AFTER INSERT ON "features"
FOR EACH ROW EXECUTE FUNCTION "features_fts_write"();

CREATE TRIGGER "features_fts_au" AFTER UPDATE OF "title", "description", "howtofind", "user_stories" ON "features"
FOR EACH ROW WHEN (OLD."title" IS DISTINCT FROM NEW."title" OR OLD."description" IS DISTINCT FROM NEW."description" OR OLD."howtofind" IS DISTINCT FROM NEW."howtofind" OR OLD."user_stories"::text IS DISTINCT FROM NEW."user_stories"::text)
EXECUTE FUNCTION "features_fts_write"();

-- Index rows that already exist (none on a fresh database).
INSERT INTO "features_fts" ("pk", "customer_id", "vector")
SELECT e."pk", e."customer_id",
        setweight(to_tsvector('testio_search', coalesce(e."title", '')), 'A')
        || setweight(to_tsvector('testio_search', coalesce(e."description", '')), 'B')
        || setweight(to_tsvector('testio_search', coalesce(e."howtofind", '')), 'C')
        || setweight(to_tsvector('testio_search', coalesce(e."user_stories"::text, '')), 'D')
FROM "features" e;

-- tests
CREATE TABLE "tests_fts" (
    "pk" integer NOT NULL PRIMARY KEY REFERENCES "tests" ("pk") ON DELETE CASCADE,
    "customer_id" integer NOT NULL,
    "vector" tsvector NOT NULL
);

CREATE INDEX "tests_fts_vector_idx" ON "tests_fts" USING gin ("vector");

CREATE FUNCTION "tests_fts_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "tests_fts" ("pk", "customer_id", "vector")
    VALUES (NEW."pk", NEW."customer_id",
        setweight(to_tsvector('testio_search', coalesce(NEW."title", '')), 'A')
        || setweight(to_tsvector('testio_search', coalesce(NEW."goal", '')), 'B')
        || setweight(to_tsvector('testio_search', coalesce(NEW."instructions", '')), 'C')
        || setweight(to_tsvector('testio_search', coalesce(NEW."out_of_scope", '')), 'D'))
    ON CONFLICT ("pk") DO UPDATE SET "customer_id" = EXCLUDED."customer_id", "vector" = EXCLUDED."vector";
    RETURN NULL;
END;
$$;

CREATE TRIGGER "tests_fts_ai" AFTER INSERT ON "tests"
FOR EACH ROW EXECUTE FUNCTION "tests_fts_write"();

CREATE TRIGGER "tests_fts_au" AFTER UPDATE OF "title", "goal", "instructions", "out_of_scope" ON "tests"
FOR EACH ROW WHEN (OLD."title" IS DISTINCT FROM NEW."title" OR OLD."goal" IS DISTINCT FROM NEW."goal" OR OLD."instructions" IS DISTINCT FROM NEW."instructions" OR OLD."out_of_scope" IS DISTINCT FROM NEW."out_of_scope")
EXECUTE FUNCTION "tests_fts_write"();

-- Index rows that already exist (none on a fresh database).
INSERT INTO "tests_fts" ("pk", "customer_id", "vector")
SELECT e."pk", e."customer_id",
        setweight(to_tsvector('testio_search', coalesce(e."title", '')), 'A')
        || setweight(to_tsvector('testio_search', coalesce(e."goal", '')), 'B')
        || setweight(to_tsvector('testio_search', coalesce(e."instructions", '')), 'C')
        || setweight(to_tsvector('testio_search', coalesce(e."out_of_scope", '')), 'D')
FROM "tests" e;

-- bugs
CREATE TABLE "bugs_fts" (
    "pk" integer NOT NULL PRIMARY KEY REFERENCES "bugs" ("pk") ON DELETE CASCADE,
    "customer_id" integer NOT NULL,
    "vector" tsvector NOT NULL
);

CREATE INDEX "bugs_fts_vector_idx" ON "bugs_fts" USING gin ("vector");

CREATE FUNCTION "bugs_fts_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "bugs_fts" ("pk", "customer_id", "vector")
    VALUES (NEW."pk", NEW."customer_id",
        setweight(to_tsvector('testio_search', coalesce(NEW."title", '')), 'A')
        || setweight(to_tsvector('testio_search', coalesce(NEW."steps", '')), 'B')
        || setweight(to_tsvector('testio_search', coalesce(NEW."actual_result", '')), 'C')
        || setweight(to_tsvector('testio_search', coalesce(NEW."expected_result", '')), 'D'))
    ON CONFLICT ("pk") DO UPDATE SET "customer_id" = EXCLUDED."customer_id", "vector" = EXCLUDED."vector";
    RETURN NULL;
END;
$$;

CREATE TRIGGER "bugs_fts_ai" AFTER INSERT ON "bugs"
FOR EACH ROW EXECUTE FUNCTION "bugs_fts_write"();

CREATE TRIGGER "bugs_fts_au" AFTER UPDATE OF "title", "steps", "actual_result", "expected_result" ON "bugs"
FOR EACH ROW WHEN (OLD."title" IS DISTINCT FROM NEW."title" OR OLD."steps" IS DISTINCT FROM NEW."steps" OR OLD."actual_result" IS DISTINCT FROM NEW."actual_result" OR OLD."expected_result" IS DISTINCT FROM NEW."expected_result")
EXECUTE FUNCTION "bugs_fts_write"();

-- Index rows that already exist (none on a fresh database).
INSERT INTO "bugs_fts" ("pk", "customer_id", "vector")
SELECT e."pk", e."customer_id",
        setweight(to_tsvector('testio_search', coalesce(e."title", '')), 'A')
        || setweight(to_tsvector('testio_search', coalesce(e."steps", '')), 'B')
        || setweight(to_tsvector('testio_search', coalesce(e."actual_result", '')), 'C')
        || setweight(to_tsvector('testio_search', coalesce(e."expected_result", '')), 'D')
FROM "bugs" e;
