-- Bug counts per test and per bug-level attribute set, kept by trigger in the transaction that writes the
-- bugs (ADR 0021), so query_metrics groups a few rows per test instead of every bug. One row per distinct
-- (test, status, severity, known, rejection_reason, author) among the test's bugs; `bugs` is how many bugs
-- of the test have exactly these values. A row whose count falls to 0 is deleted.
--
-- The attributes are nullable, and NULLs are kept as NULLs (no sentinel value a real one could collide
-- with), so the key cannot be a primary key or a unique index (SQLite's unique indexes treat NULLs as
-- distinct): the triggers match rows with `IS` through the covering index below.
CREATE TABLE "test_bug_counts" (
    "pk" INTEGER NOT NULL PRIMARY KEY,
    "customer_id" INTEGER NOT NULL,
    "test_id" INTEGER NOT NULL,
    "status" TEXT,
    "severity" TEXT,
    "known" BOOLEAN NOT NULL,
    "rejection_reason" TEXT,
    "author" TEXT,
    "bugs" INTEGER NOT NULL
);

-- The analytics queries reach the rows of each scoped test through this index and read nothing else.
CREATE INDEX "test_bug_counts_customer_id_test_id_status_severity_known_rejection_reason_author_bugs_idx"
    ON "test_bug_counts"("customer_id", "test_id", "status", "severity", "known", "rejection_reason", "author", "bugs");

-- One row per test with bugs: its bugs in total, by status, by severity and known. query_metrics by test
-- dimensions (product, month, ...) and the quality report's per-test rows read these instead of grouping
-- test_bug_counts. A test whose bugs are all gone keeps a row of zeros (a test without a row has none).
CREATE TABLE "test_bug_totals" (
    "customer_id" INTEGER NOT NULL,
    "test_id" INTEGER NOT NULL,
    "bugs" INTEGER NOT NULL,
    "accepted" INTEGER NOT NULL,
    "auto_accepted" INTEGER NOT NULL,
    "rejected" INTEGER NOT NULL,
    "forwarded" INTEGER NOT NULL,
    "critical" INTEGER NOT NULL,
    "high" INTEGER NOT NULL,
    "low" INTEGER NOT NULL,
    "visual" INTEGER NOT NULL,
    "content" INTEGER NOT NULL,
    "custom" INTEGER NOT NULL,
    "known" INTEGER NOT NULL,
    PRIMARY KEY ("customer_id", "test_id")
) WITHOUT ROWID;

CREATE TRIGGER "bugs_test_counts_ai" AFTER INSERT ON "bugs" BEGIN
    UPDATE "test_bug_counts" SET "bugs" = "bugs" + 1
    WHERE "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id" AND "status" IS NEW."status"
      AND "severity" IS NEW."severity" AND "known" = NEW."known"
      AND "rejection_reason" IS NEW."rejection_reason" AND "author" IS NEW."author";
    INSERT INTO "test_bug_counts" ("customer_id", "test_id", "status", "severity", "known", "rejection_reason", "author", "bugs")
    SELECT NEW."customer_id", NEW."test_id", NEW."status", NEW."severity", NEW."known", NEW."rejection_reason", NEW."author", 1
    WHERE changes() = 0;
    INSERT INTO "test_bug_totals" ("customer_id", "test_id", "bugs", "accepted", "auto_accepted", "rejected", "forwarded", "critical", "high", "low", "visual", "content", "custom", "known")
    VALUES (NEW."customer_id", NEW."test_id", 1, (NEW."status" IS 'accepted'), (NEW."status" IS 'auto_accepted'), (NEW."status" IS 'rejected'), (NEW."status" IS 'forwarded'), (NEW."severity" IS 'critical'), (NEW."severity" IS 'high'), (NEW."severity" IS 'low'), (NEW."severity" IS 'visual'), (NEW."severity" IS 'content'), (NEW."severity" IS 'custom'), (NEW."known" <> 0))
    ON CONFLICT ("customer_id", "test_id") DO UPDATE SET
        "bugs" = "bugs" + excluded."bugs",
        "accepted" = "accepted" + excluded."accepted",
        "auto_accepted" = "auto_accepted" + excluded."auto_accepted",
        "rejected" = "rejected" + excluded."rejected",
        "forwarded" = "forwarded" + excluded."forwarded",
        "critical" = "critical" + excluded."critical",
        "high" = "high" + excluded."high",
        "low" = "low" + excluded."low",
        "visual" = "visual" + excluded."visual",
        "content" = "content" + excluded."content",
        "custom" = "custom" + excluded."custom",
        "known" = "known" + excluded."known";
END;

CREATE TRIGGER "bugs_test_counts_ad" AFTER DELETE ON "bugs" BEGIN
    UPDATE "test_bug_counts" SET "bugs" = "bugs" - 1
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "status" IS OLD."status"
      AND "severity" IS OLD."severity" AND "known" = OLD."known"
      AND "rejection_reason" IS OLD."rejection_reason" AND "author" IS OLD."author";
    DELETE FROM "test_bug_counts"
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "status" IS OLD."status"
      AND "severity" IS OLD."severity" AND "known" = OLD."known"
      AND "rejection_reason" IS OLD."rejection_reason" AND "author" IS OLD."author" AND "bugs" <= 0;
    UPDATE "test_bug_totals" SET
        "bugs" = "bugs" - 1,
        "accepted" = "accepted" - (OLD."status" IS 'accepted'),
        "auto_accepted" = "auto_accepted" - (OLD."status" IS 'auto_accepted'),
        "rejected" = "rejected" - (OLD."status" IS 'rejected'),
        "forwarded" = "forwarded" - (OLD."status" IS 'forwarded'),
        "critical" = "critical" - (OLD."severity" IS 'critical'),
        "high" = "high" - (OLD."severity" IS 'high'),
        "low" = "low" - (OLD."severity" IS 'low'),
        "visual" = "visual" - (OLD."severity" IS 'visual'),
        "content" = "content" - (OLD."severity" IS 'content'),
        "custom" = "custom" - (OLD."severity" IS 'custom'),
        "known" = "known" - (OLD."known" <> 0)
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id";
END;

CREATE TRIGGER "bugs_test_counts_au" AFTER UPDATE OF "test_id", "status", "severity", "known", "rejection_reason", "author" ON "bugs"
WHEN OLD."test_id" IS NOT NEW."test_id" OR OLD."status" IS NOT NEW."status" OR OLD."severity" IS NOT NEW."severity"
  OR OLD."known" IS NOT NEW."known" OR OLD."rejection_reason" IS NOT NEW."rejection_reason"
  OR OLD."author" IS NOT NEW."author"
BEGIN
    UPDATE "test_bug_counts" SET "bugs" = "bugs" - 1
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "status" IS OLD."status"
      AND "severity" IS OLD."severity" AND "known" = OLD."known"
      AND "rejection_reason" IS OLD."rejection_reason" AND "author" IS OLD."author";
    DELETE FROM "test_bug_counts"
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "status" IS OLD."status"
      AND "severity" IS OLD."severity" AND "known" = OLD."known"
      AND "rejection_reason" IS OLD."rejection_reason" AND "author" IS OLD."author" AND "bugs" <= 0;
    UPDATE "test_bug_counts" SET "bugs" = "bugs" + 1
    WHERE "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id" AND "status" IS NEW."status"
      AND "severity" IS NEW."severity" AND "known" = NEW."known"
      AND "rejection_reason" IS NEW."rejection_reason" AND "author" IS NEW."author";
    INSERT INTO "test_bug_counts" ("customer_id", "test_id", "status", "severity", "known", "rejection_reason", "author", "bugs")
    SELECT NEW."customer_id", NEW."test_id", NEW."status", NEW."severity", NEW."known", NEW."rejection_reason", NEW."author", 1
    WHERE changes() = 0;
    UPDATE "test_bug_totals" SET
        "bugs" = "bugs" - 1,
        "accepted" = "accepted" - (OLD."status" IS 'accepted'),
        "auto_accepted" = "auto_accepted" - (OLD."status" IS 'auto_accepted'),
        "rejected" = "rejected" - (OLD."status" IS 'rejected'),
        "forwarded" = "forwarded" - (OLD."status" IS 'forwarded'),
        "critical" = "critical" - (OLD."severity" IS 'critical'),
        "high" = "high" - (OLD."severity" IS 'high'),
        "low" = "low" - (OLD."severity" IS 'low'),
        "visual" = "visual" - (OLD."severity" IS 'visual'),
        "content" = "content" - (OLD."severity" IS 'content'),
        "custom" = "custom" - (OLD."severity" IS 'custom'),
        "known" = "known" - (OLD."known" <> 0)
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id";
    INSERT INTO "test_bug_totals" ("customer_id", "test_id", "bugs", "accepted", "auto_accepted", "rejected", "forwarded", "critical", "high", "low", "visual", "content", "custom", "known")
    VALUES (NEW."customer_id", NEW."test_id", 1, (NEW."status" IS 'accepted'), (NEW."status" IS 'auto_accepted'), (NEW."status" IS 'rejected'), (NEW."status" IS 'forwarded'), (NEW."severity" IS 'critical'), (NEW."severity" IS 'high'), (NEW."severity" IS 'low'), (NEW."severity" IS 'visual'), (NEW."severity" IS 'content'), (NEW."severity" IS 'custom'), (NEW."known" <> 0))
    ON CONFLICT ("customer_id", "test_id") DO UPDATE SET
        "bugs" = "bugs" + excluded."bugs",
        "accepted" = "accepted" + excluded."accepted",
        "auto_accepted" = "auto_accepted" + excluded."auto_accepted",
        "rejected" = "rejected" + excluded."rejected",
        "forwarded" = "forwarded" + excluded."forwarded",
        "critical" = "critical" + excluded."critical",
        "high" = "high" + excluded."high",
        "low" = "low" + excluded."low",
        "visual" = "visual" + excluded."visual",
        "content" = "content" + excluded."content",
        "custom" = "custom" + excluded."custom",
        "known" = "known" + excluded."known";
END;

-- A deleted test's bugs go by cascade; its row of zeros goes with the test.
CREATE TRIGGER "tests_bug_totals_ad" AFTER DELETE ON "tests" BEGIN
    DELETE FROM "test_bug_totals" WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."id";
END;

-- The counts of the bugs that already exist (none on a fresh database).
INSERT INTO "test_bug_counts" ("customer_id", "test_id", "status", "severity", "known", "rejection_reason", "author", "bugs")
SELECT "customer_id", "test_id", "status", "severity", "known", "rejection_reason", "author", count(*)
FROM "bugs"
GROUP BY "customer_id", "test_id", "status", "severity", "known", "rejection_reason", "author";

INSERT INTO "test_bug_totals" ("customer_id", "test_id", "bugs", "accepted", "auto_accepted", "rejected", "forwarded", "critical", "high", "low", "visual", "content", "custom", "known")
SELECT "customer_id", "test_id",
    count(*),
    sum("status" IS 'accepted'),
    sum("status" IS 'auto_accepted'),
    sum("status" IS 'rejected'),
    sum("status" IS 'forwarded'),
    sum("severity" IS 'critical'),
    sum("severity" IS 'high'),
    sum("severity" IS 'low'),
    sum("severity" IS 'visual'),
    sum("severity" IS 'content'),
    sum("severity" IS 'custom'),
    sum("known" <> 0)
FROM "bugs"
GROUP BY "customer_id", "test_id";
