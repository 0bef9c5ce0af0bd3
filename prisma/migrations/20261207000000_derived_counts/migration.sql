-- Counts the sync keeps in the transaction that writes the rows (ADR 0018), so get_server_diagnostics and
-- get_analytics_capabilities read a few rows instead of counting a million bugs or reading every bug's
-- devices on each call. Derived tables, maintained by triggers only (like the FTS5 index); not in
-- schema.prisma.

-- Rows per tenant of the tables get_server_diagnostics reports.
CREATE TABLE "entity_counts" (
    "customer_id" INTEGER NOT NULL,
    "entity" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    PRIMARY KEY ("customer_id", "entity")
) WITHOUT ROWID;

-- Operating systems per tenant: n = test platform rows naming it + bugs with a device on it. A row with
-- n = 0 is a platform no longer seen.
CREATE TABLE "platform_counts" (
    "customer_id" INTEGER NOT NULL,
    "os" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    PRIMARY KEY ("customer_id", "os")
) WITHOUT ROWID;

CREATE TRIGGER "products_count_ai" AFTER INSERT ON "products" BEGIN
    INSERT INTO "entity_counts" ("customer_id", "entity", "n") VALUES (NEW."customer_id", 'products', 1)
    ON CONFLICT ("customer_id", "entity") DO UPDATE SET "n" = "n" + 1;
END;
CREATE TRIGGER "products_count_ad" AFTER DELETE ON "products" BEGIN
    UPDATE "entity_counts" SET "n" = "n" - 1 WHERE "customer_id" = OLD."customer_id" AND "entity" = 'products';
END;

CREATE TRIGGER "features_count_ai" AFTER INSERT ON "features" BEGIN
    INSERT INTO "entity_counts" ("customer_id", "entity", "n") VALUES (NEW."customer_id", 'features', 1)
    ON CONFLICT ("customer_id", "entity") DO UPDATE SET "n" = "n" + 1;
END;
CREATE TRIGGER "features_count_ad" AFTER DELETE ON "features" BEGIN
    UPDATE "entity_counts" SET "n" = "n" - 1 WHERE "customer_id" = OLD."customer_id" AND "entity" = 'features';
END;

CREATE TRIGGER "tests_count_ai" AFTER INSERT ON "tests" BEGIN
    INSERT INTO "entity_counts" ("customer_id", "entity", "n") VALUES (NEW."customer_id", 'tests', 1)
    ON CONFLICT ("customer_id", "entity") DO UPDATE SET "n" = "n" + 1;
END;
CREATE TRIGGER "tests_count_ad" AFTER DELETE ON "tests" BEGIN
    UPDATE "entity_counts" SET "n" = "n" - 1 WHERE "customer_id" = OLD."customer_id" AND "entity" = 'tests';
END;

CREATE TRIGGER "users_count_ai" AFTER INSERT ON "users" BEGIN
    INSERT INTO "entity_counts" ("customer_id", "entity", "n") VALUES (NEW."customer_id", 'users', 1)
    ON CONFLICT ("customer_id", "entity") DO UPDATE SET "n" = "n" + 1;
END;
CREATE TRIGGER "users_count_ad" AFTER DELETE ON "users" BEGIN
    UPDATE "entity_counts" SET "n" = "n" - 1 WHERE "customer_id" = OLD."customer_id" AND "entity" = 'users';
END;

CREATE TRIGGER "bugs_count_ai" AFTER INSERT ON "bugs" BEGIN
    INSERT INTO "entity_counts" ("customer_id", "entity", "n") VALUES (NEW."customer_id", 'bugs', 1)
    ON CONFLICT ("customer_id", "entity") DO UPDATE SET "n" = "n" + 1;
    INSERT INTO "platform_counts" ("customer_id", "os", "n")
    SELECT NEW."customer_id", "os", 1 FROM (
        SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os" FROM json_each(NEW."devices") AS d
    ) WHERE "os" IS NOT NULL
    ON CONFLICT ("customer_id", "os") DO UPDATE SET "n" = "n" + 1;
END;
CREATE TRIGGER "bugs_count_ad" AFTER DELETE ON "bugs" BEGIN
    UPDATE "entity_counts" SET "n" = "n" - 1 WHERE "customer_id" = OLD."customer_id" AND "entity" = 'bugs';
    UPDATE "platform_counts" SET "n" = "n" - 1 WHERE "customer_id" = OLD."customer_id" AND "os" IN (
        SELECT json_extract(d.value, '$.operating_system') FROM json_each(OLD."devices") AS d
    );
END;
CREATE TRIGGER "bugs_platforms_au" AFTER UPDATE OF "devices" ON "bugs"
WHEN OLD."devices" IS NOT NEW."devices"
BEGIN
    UPDATE "platform_counts" SET "n" = "n" - 1 WHERE "customer_id" = OLD."customer_id" AND "os" IN (
        SELECT json_extract(d.value, '$.operating_system') FROM json_each(OLD."devices") AS d
    );
    INSERT INTO "platform_counts" ("customer_id", "os", "n")
    SELECT NEW."customer_id", "os", 1 FROM (
        SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os" FROM json_each(NEW."devices") AS d
    ) WHERE "os" IS NOT NULL
    ON CONFLICT ("customer_id", "os") DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "test_platforms_count_ai" AFTER INSERT ON "test_platforms"
WHEN NEW."operating_system" IS NOT NULL
BEGIN
    INSERT INTO "platform_counts" ("customer_id", "os", "n") VALUES (NEW."customer_id", NEW."operating_system", 1)
    ON CONFLICT ("customer_id", "os") DO UPDATE SET "n" = "n" + 1;
END;
CREATE TRIGGER "test_platforms_count_ad" AFTER DELETE ON "test_platforms"
WHEN OLD."operating_system" IS NOT NULL
BEGIN
    UPDATE "platform_counts" SET "n" = "n" - 1 WHERE "customer_id" = OLD."customer_id" AND "os" = OLD."operating_system";
END;
CREATE TRIGGER "test_platforms_count_au" AFTER UPDATE OF "operating_system" ON "test_platforms"
WHEN OLD."operating_system" IS NOT NEW."operating_system"
BEGIN
    UPDATE "platform_counts" SET "n" = "n" - 1 WHERE "customer_id" = OLD."customer_id" AND "os" = OLD."operating_system";
    INSERT INTO "platform_counts" ("customer_id", "os", "n")
    SELECT NEW."customer_id", NEW."operating_system", 1 WHERE NEW."operating_system" IS NOT NULL
    ON CONFLICT ("customer_id", "os") DO UPDATE SET "n" = "n" + 1;
END;

-- Counts of the rows that already exist (none on a fresh database).
INSERT INTO "entity_counts" ("customer_id", "entity", "n")
SELECT "customer_id", 'products', count(*) FROM "products" GROUP BY "customer_id"
UNION ALL SELECT "customer_id", 'features', count(*) FROM "features" GROUP BY "customer_id"
UNION ALL SELECT "customer_id", 'tests', count(*) FROM "tests" GROUP BY "customer_id"
UNION ALL SELECT "customer_id", 'bugs', count(*) FROM "bugs" GROUP BY "customer_id"
UNION ALL SELECT "customer_id", 'users', count(*) FROM "users" GROUP BY "customer_id";

INSERT INTO "platform_counts" ("customer_id", "os", "n")
SELECT "customer_id", "os", sum("n") FROM (
    SELECT "customer_id", "operating_system" AS "os", count(*) AS "n" FROM "test_platforms"
    WHERE "operating_system" IS NOT NULL GROUP BY "customer_id", "operating_system"
    UNION ALL
    SELECT "customer_id", "os", count(*) AS "n" FROM (
        SELECT DISTINCT b."pk", b."customer_id", json_extract(d.value, '$.operating_system') AS "os"
        FROM "bugs" AS b, json_each(b."devices") AS d
    ) WHERE "os" IS NOT NULL GROUP BY "customer_id", "os"
) GROUP BY "customer_id", "os";
