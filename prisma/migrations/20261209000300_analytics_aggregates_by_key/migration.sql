-- The rest of the per-test analytics aggregates of ADR 0021 (amended 2026-12-07): narrower tables than
-- test_bug_counts, each for the queries that need only its keys, kept by triggers on "bugs" in the
-- transaction that writes the bugs. NULL keys stay NULL (matched with IS), as in test_bug_counts, so each
-- key is a covering index, not a unique constraint. A row whose count falls to 0 is deleted. Derived,
-- trigger-only tables (like platform_counts, ADR 0018): not in schema.prisma, never written by the
-- application.
--
-- The "wide" tables (author, feature, platform) carry per key the counts every metric needs: bugs in
-- total, by status (accepted, auto_accepted, rejected) and by severity, so a query grouped by their key
-- sums columns instead of filtering rows.

-- Per test and distinct (status, severity, known, rejection_reason): test_bug_counts without the author,
-- for the categorical bug dimensions and the bug filters (about half the rows).
CREATE TABLE "test_bug_attr_counts" (
    "pk" INTEGER NOT NULL PRIMARY KEY,
    "customer_id" INTEGER NOT NULL,
    "test_id" INTEGER NOT NULL,
    "status" TEXT,
    "severity" TEXT,
    "known" BOOLEAN NOT NULL,
    "rejection_reason" TEXT,
    "bugs" INTEGER NOT NULL
);
CREATE INDEX "test_bug_attr_counts_covering_idx"
    ON "test_bug_attr_counts"("customer_id", "test_id", "status", "severity", "known", "rejection_reason", "bugs");

-- Per test and bug author (the tester dimension and active_testers).
CREATE TABLE "test_author_bug_totals" (
    "pk" INTEGER NOT NULL PRIMARY KEY,
    "customer_id" INTEGER NOT NULL,
    "test_id" INTEGER NOT NULL,
    "author" TEXT,
    "bugs" INTEGER NOT NULL,
    "accepted" INTEGER NOT NULL,
    "auto_accepted" INTEGER NOT NULL,
    "rejected" INTEGER NOT NULL,
    "critical" INTEGER NOT NULL,
    "high" INTEGER NOT NULL,
    "low" INTEGER NOT NULL,
    "visual" INTEGER NOT NULL,
    "content" INTEGER NOT NULL,
    "custom" INTEGER NOT NULL
);
CREATE INDEX "test_author_bug_totals_covering_idx"
    ON "test_author_bug_totals"("customer_id", "test_id", "author", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom");

-- Per test and the bug's own feature link: feature_id and test_feature_id as the bug has them. The query
-- resolves the feature as the bug-level path does (coalesce(feature_id, the test feature's feature_id)),
-- so a rewritten test feature list never makes these rows stale.
CREATE TABLE "test_feature_bug_totals" (
    "pk" INTEGER NOT NULL PRIMARY KEY,
    "customer_id" INTEGER NOT NULL,
    "test_id" INTEGER NOT NULL,
    "feature_id" INTEGER,
    "test_feature_id" INTEGER,
    "bugs" INTEGER NOT NULL,
    "accepted" INTEGER NOT NULL,
    "auto_accepted" INTEGER NOT NULL,
    "rejected" INTEGER NOT NULL,
    "critical" INTEGER NOT NULL,
    "high" INTEGER NOT NULL,
    "low" INTEGER NOT NULL,
    "visual" INTEGER NOT NULL,
    "content" INTEGER NOT NULL,
    "custom" INTEGER NOT NULL
);
CREATE INDEX "test_feature_bug_totals_covering_idx"
    ON "test_feature_bug_totals"("customer_id", "test_id", "feature_id", "test_feature_id", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom");

-- Per test and operating system of the bug's devices: a bug counts once under each distinct system of its
-- devices (and under NULL when it has none, or a device without one), as the bug-level path's
-- LEFT JOIN json_each(devices) with COUNT(DISTINCT bug) does.
CREATE TABLE "test_platform_bug_totals" (
    "pk" INTEGER NOT NULL PRIMARY KEY,
    "customer_id" INTEGER NOT NULL,
    "test_id" INTEGER NOT NULL,
    "os" TEXT,
    "bugs" INTEGER NOT NULL,
    "accepted" INTEGER NOT NULL,
    "auto_accepted" INTEGER NOT NULL,
    "rejected" INTEGER NOT NULL,
    "critical" INTEGER NOT NULL,
    "high" INTEGER NOT NULL,
    "low" INTEGER NOT NULL,
    "visual" INTEGER NOT NULL,
    "content" INTEGER NOT NULL,
    "custom" INTEGER NOT NULL
);
CREATE INDEX "test_platform_bug_totals_covering_idx"
    ON "test_platform_bug_totals"("customer_id", "test_id", "os", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom");

CREATE TRIGGER "bugs_test_attr_counts_ai" AFTER INSERT ON "bugs" BEGIN
    UPDATE "test_bug_attr_counts" SET "bugs" = "bugs" + 1
    WHERE "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id" AND "status" IS NEW."status"
      AND "severity" IS NEW."severity" AND "known" = NEW."known" AND "rejection_reason" IS NEW."rejection_reason";
    INSERT INTO "test_bug_attr_counts" ("customer_id", "test_id", "status", "severity", "known", "rejection_reason", "bugs")
    SELECT NEW."customer_id", NEW."test_id", NEW."status", NEW."severity", NEW."known", NEW."rejection_reason", 1
    WHERE changes() = 0;
END;
CREATE TRIGGER "bugs_test_attr_counts_ad" AFTER DELETE ON "bugs" BEGIN
    UPDATE "test_bug_attr_counts" SET "bugs" = "bugs" - 1
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "status" IS OLD."status"
      AND "severity" IS OLD."severity" AND "known" = OLD."known" AND "rejection_reason" IS OLD."rejection_reason";
    DELETE FROM "test_bug_attr_counts"
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "status" IS OLD."status"
      AND "severity" IS OLD."severity" AND "known" = OLD."known" AND "rejection_reason" IS OLD."rejection_reason" AND "bugs" <= 0;
END;
CREATE TRIGGER "bugs_test_attr_counts_au" AFTER UPDATE OF "test_id", "status", "severity", "known", "rejection_reason" ON "bugs"
WHEN OLD."test_id" IS NOT NEW."test_id" OR OLD."status" IS NOT NEW."status" OR OLD."severity" IS NOT NEW."severity" OR OLD."known" IS NOT NEW."known" OR OLD."rejection_reason" IS NOT NEW."rejection_reason"
BEGIN
    UPDATE "test_bug_attr_counts" SET "bugs" = "bugs" - 1
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "status" IS OLD."status"
      AND "severity" IS OLD."severity" AND "known" = OLD."known" AND "rejection_reason" IS OLD."rejection_reason";
    DELETE FROM "test_bug_attr_counts"
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "status" IS OLD."status"
      AND "severity" IS OLD."severity" AND "known" = OLD."known" AND "rejection_reason" IS OLD."rejection_reason" AND "bugs" <= 0;
    UPDATE "test_bug_attr_counts" SET "bugs" = "bugs" + 1
    WHERE "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id" AND "status" IS NEW."status"
      AND "severity" IS NEW."severity" AND "known" = NEW."known" AND "rejection_reason" IS NEW."rejection_reason";
    INSERT INTO "test_bug_attr_counts" ("customer_id", "test_id", "status", "severity", "known", "rejection_reason", "bugs")
    SELECT NEW."customer_id", NEW."test_id", NEW."status", NEW."severity", NEW."known", NEW."rejection_reason", 1
    WHERE changes() = 0;
END;

CREATE TRIGGER "bugs_test_author_totals_ai" AFTER INSERT ON "bugs" BEGIN
    UPDATE "test_author_bug_totals" SET "bugs" = "bugs" + 1, "accepted" = "accepted" + (NEW."status" IS 'accepted'), "auto_accepted" = "auto_accepted" + (NEW."status" IS 'auto_accepted'), "rejected" = "rejected" + (NEW."status" IS 'rejected'), "critical" = "critical" + (NEW."severity" IS 'critical'), "high" = "high" + (NEW."severity" IS 'high'), "low" = "low" + (NEW."severity" IS 'low'), "visual" = "visual" + (NEW."severity" IS 'visual'), "content" = "content" + (NEW."severity" IS 'content'), "custom" = "custom" + (NEW."severity" IS 'custom')
    WHERE "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id" AND "author" IS NEW."author";
    INSERT INTO "test_author_bug_totals" ("customer_id", "test_id", "author", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom")
    SELECT NEW."customer_id", NEW."test_id", NEW."author", 1, (NEW."status" IS 'accepted'), (NEW."status" IS 'auto_accepted'), (NEW."status" IS 'rejected'), (NEW."severity" IS 'critical'), (NEW."severity" IS 'high'), (NEW."severity" IS 'low'), (NEW."severity" IS 'visual'), (NEW."severity" IS 'content'), (NEW."severity" IS 'custom')
    WHERE changes() = 0;
END;
CREATE TRIGGER "bugs_test_author_totals_ad" AFTER DELETE ON "bugs" BEGIN
    UPDATE "test_author_bug_totals" SET "bugs" = "bugs" - 1, "accepted" = "accepted" - (OLD."status" IS 'accepted'), "auto_accepted" = "auto_accepted" - (OLD."status" IS 'auto_accepted'), "rejected" = "rejected" - (OLD."status" IS 'rejected'), "critical" = "critical" - (OLD."severity" IS 'critical'), "high" = "high" - (OLD."severity" IS 'high'), "low" = "low" - (OLD."severity" IS 'low'), "visual" = "visual" - (OLD."severity" IS 'visual'), "content" = "content" - (OLD."severity" IS 'content'), "custom" = "custom" - (OLD."severity" IS 'custom')
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "author" IS OLD."author";
    DELETE FROM "test_author_bug_totals" WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "author" IS OLD."author" AND "bugs" <= 0;
END;
CREATE TRIGGER "bugs_test_author_totals_au" AFTER UPDATE OF "test_id", "author", "status", "severity" ON "bugs"
WHEN OLD."test_id" IS NOT NEW."test_id" OR OLD."author" IS NOT NEW."author" OR OLD."status" IS NOT NEW."status" OR OLD."severity" IS NOT NEW."severity"
BEGIN
    -- Same key (a status or severity changed): one update by the difference.
    UPDATE "test_author_bug_totals" SET "accepted" = "accepted" + (NEW."status" IS 'accepted') - (OLD."status" IS 'accepted'), "auto_accepted" = "auto_accepted" + (NEW."status" IS 'auto_accepted') - (OLD."status" IS 'auto_accepted'), "rejected" = "rejected" + (NEW."status" IS 'rejected') - (OLD."status" IS 'rejected'), "critical" = "critical" + (NEW."severity" IS 'critical') - (OLD."severity" IS 'critical'), "high" = "high" + (NEW."severity" IS 'high') - (OLD."severity" IS 'high'), "low" = "low" + (NEW."severity" IS 'low') - (OLD."severity" IS 'low'), "visual" = "visual" + (NEW."severity" IS 'visual') - (OLD."severity" IS 'visual'), "content" = "content" + (NEW."severity" IS 'content') - (OLD."severity" IS 'content'), "custom" = "custom" + (NEW."severity" IS 'custom') - (OLD."severity" IS 'custom')
    WHERE OLD."test_id" IS NEW."test_id" AND OLD."author" IS NEW."author" AND "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id" AND "author" IS NEW."author";
    -- Another key: out of the old row, into the new one.
    UPDATE "test_author_bug_totals" SET "bugs" = "bugs" - 1, "accepted" = "accepted" - (OLD."status" IS 'accepted'), "auto_accepted" = "auto_accepted" - (OLD."status" IS 'auto_accepted'), "rejected" = "rejected" - (OLD."status" IS 'rejected'), "critical" = "critical" - (OLD."severity" IS 'critical'), "high" = "high" - (OLD."severity" IS 'high'), "low" = "low" - (OLD."severity" IS 'low'), "visual" = "visual" - (OLD."severity" IS 'visual'), "content" = "content" - (OLD."severity" IS 'content'), "custom" = "custom" - (OLD."severity" IS 'custom')
    WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."author" IS NEW."author") AND "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "author" IS OLD."author";
    DELETE FROM "test_author_bug_totals" WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."author" IS NEW."author") AND "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "author" IS OLD."author" AND "bugs" <= 0;
    UPDATE "test_author_bug_totals" SET "bugs" = "bugs" + 1, "accepted" = "accepted" + (NEW."status" IS 'accepted'), "auto_accepted" = "auto_accepted" + (NEW."status" IS 'auto_accepted'), "rejected" = "rejected" + (NEW."status" IS 'rejected'), "critical" = "critical" + (NEW."severity" IS 'critical'), "high" = "high" + (NEW."severity" IS 'high'), "low" = "low" + (NEW."severity" IS 'low'), "visual" = "visual" + (NEW."severity" IS 'visual'), "content" = "content" + (NEW."severity" IS 'content'), "custom" = "custom" + (NEW."severity" IS 'custom')
    WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."author" IS NEW."author") AND "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id" AND "author" IS NEW."author";
    INSERT INTO "test_author_bug_totals" ("customer_id", "test_id", "author", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom")
    SELECT NEW."customer_id", NEW."test_id", NEW."author", 1, (NEW."status" IS 'accepted'), (NEW."status" IS 'auto_accepted'), (NEW."status" IS 'rejected'), (NEW."severity" IS 'critical'), (NEW."severity" IS 'high'), (NEW."severity" IS 'low'), (NEW."severity" IS 'visual'), (NEW."severity" IS 'content'), (NEW."severity" IS 'custom')
    WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."author" IS NEW."author") AND changes() = 0;
END;

CREATE TRIGGER "bugs_test_feature_totals_ai" AFTER INSERT ON "bugs" BEGIN
    UPDATE "test_feature_bug_totals" SET "bugs" = "bugs" + 1, "accepted" = "accepted" + (NEW."status" IS 'accepted'), "auto_accepted" = "auto_accepted" + (NEW."status" IS 'auto_accepted'), "rejected" = "rejected" + (NEW."status" IS 'rejected'), "critical" = "critical" + (NEW."severity" IS 'critical'), "high" = "high" + (NEW."severity" IS 'high'), "low" = "low" + (NEW."severity" IS 'low'), "visual" = "visual" + (NEW."severity" IS 'visual'), "content" = "content" + (NEW."severity" IS 'content'), "custom" = "custom" + (NEW."severity" IS 'custom')
    WHERE "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id" AND "feature_id" IS NEW."feature_id" AND "test_feature_id" IS NEW."test_feature_id";
    INSERT INTO "test_feature_bug_totals" ("customer_id", "test_id", "feature_id", "test_feature_id", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom")
    SELECT NEW."customer_id", NEW."test_id", NEW."feature_id", NEW."test_feature_id", 1, (NEW."status" IS 'accepted'), (NEW."status" IS 'auto_accepted'), (NEW."status" IS 'rejected'), (NEW."severity" IS 'critical'), (NEW."severity" IS 'high'), (NEW."severity" IS 'low'), (NEW."severity" IS 'visual'), (NEW."severity" IS 'content'), (NEW."severity" IS 'custom')
    WHERE changes() = 0;
END;
CREATE TRIGGER "bugs_test_feature_totals_ad" AFTER DELETE ON "bugs" BEGIN
    UPDATE "test_feature_bug_totals" SET "bugs" = "bugs" - 1, "accepted" = "accepted" - (OLD."status" IS 'accepted'), "auto_accepted" = "auto_accepted" - (OLD."status" IS 'auto_accepted'), "rejected" = "rejected" - (OLD."status" IS 'rejected'), "critical" = "critical" - (OLD."severity" IS 'critical'), "high" = "high" - (OLD."severity" IS 'high'), "low" = "low" - (OLD."severity" IS 'low'), "visual" = "visual" - (OLD."severity" IS 'visual'), "content" = "content" - (OLD."severity" IS 'content'), "custom" = "custom" - (OLD."severity" IS 'custom')
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "feature_id" IS OLD."feature_id" AND "test_feature_id" IS OLD."test_feature_id";
    DELETE FROM "test_feature_bug_totals" WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "feature_id" IS OLD."feature_id" AND "test_feature_id" IS OLD."test_feature_id" AND "bugs" <= 0;
END;
CREATE TRIGGER "bugs_test_feature_totals_au" AFTER UPDATE OF "test_id", "feature_id", "test_feature_id", "status", "severity" ON "bugs"
WHEN OLD."test_id" IS NOT NEW."test_id" OR OLD."feature_id" IS NOT NEW."feature_id" OR OLD."test_feature_id" IS NOT NEW."test_feature_id" OR OLD."status" IS NOT NEW."status" OR OLD."severity" IS NOT NEW."severity"
BEGIN
    -- Same key (a status or severity changed): one update by the difference.
    UPDATE "test_feature_bug_totals" SET "accepted" = "accepted" + (NEW."status" IS 'accepted') - (OLD."status" IS 'accepted'), "auto_accepted" = "auto_accepted" + (NEW."status" IS 'auto_accepted') - (OLD."status" IS 'auto_accepted'), "rejected" = "rejected" + (NEW."status" IS 'rejected') - (OLD."status" IS 'rejected'), "critical" = "critical" + (NEW."severity" IS 'critical') - (OLD."severity" IS 'critical'), "high" = "high" + (NEW."severity" IS 'high') - (OLD."severity" IS 'high'), "low" = "low" + (NEW."severity" IS 'low') - (OLD."severity" IS 'low'), "visual" = "visual" + (NEW."severity" IS 'visual') - (OLD."severity" IS 'visual'), "content" = "content" + (NEW."severity" IS 'content') - (OLD."severity" IS 'content'), "custom" = "custom" + (NEW."severity" IS 'custom') - (OLD."severity" IS 'custom')
    WHERE OLD."test_id" IS NEW."test_id" AND OLD."feature_id" IS NEW."feature_id" AND OLD."test_feature_id" IS NEW."test_feature_id" AND "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id" AND "feature_id" IS NEW."feature_id" AND "test_feature_id" IS NEW."test_feature_id";
    -- Another key: out of the old row, into the new one.
    UPDATE "test_feature_bug_totals" SET "bugs" = "bugs" - 1, "accepted" = "accepted" - (OLD."status" IS 'accepted'), "auto_accepted" = "auto_accepted" - (OLD."status" IS 'auto_accepted'), "rejected" = "rejected" - (OLD."status" IS 'rejected'), "critical" = "critical" - (OLD."severity" IS 'critical'), "high" = "high" - (OLD."severity" IS 'high'), "low" = "low" - (OLD."severity" IS 'low'), "visual" = "visual" - (OLD."severity" IS 'visual'), "content" = "content" - (OLD."severity" IS 'content'), "custom" = "custom" - (OLD."severity" IS 'custom')
    WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."feature_id" IS NEW."feature_id" AND OLD."test_feature_id" IS NEW."test_feature_id") AND "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "feature_id" IS OLD."feature_id" AND "test_feature_id" IS OLD."test_feature_id";
    DELETE FROM "test_feature_bug_totals" WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."feature_id" IS NEW."feature_id" AND OLD."test_feature_id" IS NEW."test_feature_id") AND "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "feature_id" IS OLD."feature_id" AND "test_feature_id" IS OLD."test_feature_id" AND "bugs" <= 0;
    UPDATE "test_feature_bug_totals" SET "bugs" = "bugs" + 1, "accepted" = "accepted" + (NEW."status" IS 'accepted'), "auto_accepted" = "auto_accepted" + (NEW."status" IS 'auto_accepted'), "rejected" = "rejected" + (NEW."status" IS 'rejected'), "critical" = "critical" + (NEW."severity" IS 'critical'), "high" = "high" + (NEW."severity" IS 'high'), "low" = "low" + (NEW."severity" IS 'low'), "visual" = "visual" + (NEW."severity" IS 'visual'), "content" = "content" + (NEW."severity" IS 'content'), "custom" = "custom" + (NEW."severity" IS 'custom')
    WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."feature_id" IS NEW."feature_id" AND OLD."test_feature_id" IS NEW."test_feature_id") AND "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id" AND "feature_id" IS NEW."feature_id" AND "test_feature_id" IS NEW."test_feature_id";
    INSERT INTO "test_feature_bug_totals" ("customer_id", "test_id", "feature_id", "test_feature_id", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom")
    SELECT NEW."customer_id", NEW."test_id", NEW."feature_id", NEW."test_feature_id", 1, (NEW."status" IS 'accepted'), (NEW."status" IS 'auto_accepted'), (NEW."status" IS 'rejected'), (NEW."severity" IS 'critical'), (NEW."severity" IS 'high'), (NEW."severity" IS 'low'), (NEW."severity" IS 'visual'), (NEW."severity" IS 'content'), (NEW."severity" IS 'custom')
    WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."feature_id" IS NEW."feature_id" AND OLD."test_feature_id" IS NEW."test_feature_id") AND changes() = 0;
END;

CREATE TRIGGER "bugs_test_platform_totals_ai" AFTER INSERT ON "bugs" BEGIN
    UPDATE "test_platform_bug_totals" SET "bugs" = "bugs" + 1, "accepted" = "accepted" + (NEW."status" IS 'accepted'), "auto_accepted" = "auto_accepted" + (NEW."status" IS 'auto_accepted'), "rejected" = "rejected" + (NEW."status" IS 'rejected'), "critical" = "critical" + (NEW."severity" IS 'critical'), "high" = "high" + (NEW."severity" IS 'high'), "low" = "low" + (NEW."severity" IS 'low'), "visual" = "visual" + (NEW."severity" IS 'visual'), "content" = "content" + (NEW."severity" IS 'content'), "custom" = "custom" + (NEW."severity" IS 'custom')
    WHERE "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id"
      AND ("os" IN (SELECT "os" FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(NEW."devices") AS d) WHERE "os" IS NOT NULL)
        OR ("os" IS NULL AND EXISTS (SELECT 1 FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(NEW."devices") AS d) WHERE "os" IS NULL)));
    INSERT INTO "test_platform_bug_totals" ("customer_id", "test_id", "os", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom")
    SELECT NEW."customer_id", NEW."test_id", o."os", 1, (NEW."status" IS 'accepted'), (NEW."status" IS 'auto_accepted'), (NEW."status" IS 'rejected'), (NEW."severity" IS 'critical'), (NEW."severity" IS 'high'), (NEW."severity" IS 'low'), (NEW."severity" IS 'visual'), (NEW."severity" IS 'content'), (NEW."severity" IS 'custom')
    FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(NEW."devices") AS d) AS o
    WHERE NOT EXISTS (SELECT 1 FROM "test_platform_bug_totals" x
        WHERE x."customer_id" = NEW."customer_id" AND x."test_id" = NEW."test_id" AND x."os" IS o."os");
END;
CREATE TRIGGER "bugs_test_platform_totals_ad" AFTER DELETE ON "bugs" BEGIN
    UPDATE "test_platform_bug_totals" SET "bugs" = "bugs" - 1, "accepted" = "accepted" - (OLD."status" IS 'accepted'), "auto_accepted" = "auto_accepted" - (OLD."status" IS 'auto_accepted'), "rejected" = "rejected" - (OLD."status" IS 'rejected'), "critical" = "critical" - (OLD."severity" IS 'critical'), "high" = "high" - (OLD."severity" IS 'high'), "low" = "low" - (OLD."severity" IS 'low'), "visual" = "visual" - (OLD."severity" IS 'visual'), "content" = "content" - (OLD."severity" IS 'content'), "custom" = "custom" - (OLD."severity" IS 'custom')
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id"
      AND ("os" IN (SELECT "os" FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(OLD."devices") AS d) WHERE "os" IS NOT NULL)
        OR ("os" IS NULL AND EXISTS (SELECT 1 FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(OLD."devices") AS d) WHERE "os" IS NULL)));
    DELETE FROM "test_platform_bug_totals"
    WHERE "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "bugs" <= 0;
END;
CREATE TRIGGER "bugs_test_platform_totals_au" AFTER UPDATE OF "test_id", "devices", "status", "severity" ON "bugs"
WHEN OLD."test_id" IS NOT NEW."test_id" OR OLD."devices" IS NOT NEW."devices" OR OLD."status" IS NOT NEW."status" OR OLD."severity" IS NOT NEW."severity"
BEGIN
    -- Same test and devices (a status or severity changed): one update by the difference.
    UPDATE "test_platform_bug_totals" SET "accepted" = "accepted" + (NEW."status" IS 'accepted') - (OLD."status" IS 'accepted'), "auto_accepted" = "auto_accepted" + (NEW."status" IS 'auto_accepted') - (OLD."status" IS 'auto_accepted'), "rejected" = "rejected" + (NEW."status" IS 'rejected') - (OLD."status" IS 'rejected'), "critical" = "critical" + (NEW."severity" IS 'critical') - (OLD."severity" IS 'critical'), "high" = "high" + (NEW."severity" IS 'high') - (OLD."severity" IS 'high'), "low" = "low" + (NEW."severity" IS 'low') - (OLD."severity" IS 'low'), "visual" = "visual" + (NEW."severity" IS 'visual') - (OLD."severity" IS 'visual'), "content" = "content" + (NEW."severity" IS 'content') - (OLD."severity" IS 'content'), "custom" = "custom" + (NEW."severity" IS 'custom') - (OLD."severity" IS 'custom')
    WHERE OLD."test_id" IS NEW."test_id" AND OLD."devices" IS NEW."devices" AND "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id"
      AND ("os" IN (SELECT "os" FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(NEW."devices") AS d) WHERE "os" IS NOT NULL)
        OR ("os" IS NULL AND EXISTS (SELECT 1 FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(NEW."devices") AS d) WHERE "os" IS NULL)));
    -- Other devices or another test: out of the old rows, into the new ones.
    UPDATE "test_platform_bug_totals" SET "bugs" = "bugs" - 1, "accepted" = "accepted" - (OLD."status" IS 'accepted'), "auto_accepted" = "auto_accepted" - (OLD."status" IS 'auto_accepted'), "rejected" = "rejected" - (OLD."status" IS 'rejected'), "critical" = "critical" - (OLD."severity" IS 'critical'), "high" = "high" - (OLD."severity" IS 'high'), "low" = "low" - (OLD."severity" IS 'low'), "visual" = "visual" - (OLD."severity" IS 'visual'), "content" = "content" - (OLD."severity" IS 'content'), "custom" = "custom" - (OLD."severity" IS 'custom')
    WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."devices" IS NEW."devices") AND "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id"
      AND ("os" IN (SELECT "os" FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(OLD."devices") AS d) WHERE "os" IS NOT NULL)
        OR ("os" IS NULL AND EXISTS (SELECT 1 FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(OLD."devices") AS d) WHERE "os" IS NULL)));
    DELETE FROM "test_platform_bug_totals"
    WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."devices" IS NEW."devices") AND "customer_id" = OLD."customer_id" AND "test_id" = OLD."test_id" AND "bugs" <= 0;
    UPDATE "test_platform_bug_totals" SET "bugs" = "bugs" + 1, "accepted" = "accepted" + (NEW."status" IS 'accepted'), "auto_accepted" = "auto_accepted" + (NEW."status" IS 'auto_accepted'), "rejected" = "rejected" + (NEW."status" IS 'rejected'), "critical" = "critical" + (NEW."severity" IS 'critical'), "high" = "high" + (NEW."severity" IS 'high'), "low" = "low" + (NEW."severity" IS 'low'), "visual" = "visual" + (NEW."severity" IS 'visual'), "content" = "content" + (NEW."severity" IS 'content'), "custom" = "custom" + (NEW."severity" IS 'custom')
    WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."devices" IS NEW."devices") AND "customer_id" = NEW."customer_id" AND "test_id" = NEW."test_id"
      AND ("os" IN (SELECT "os" FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(NEW."devices") AS d) WHERE "os" IS NOT NULL)
        OR ("os" IS NULL AND EXISTS (SELECT 1 FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(NEW."devices") AS d) WHERE "os" IS NULL)));
    INSERT INTO "test_platform_bug_totals" ("customer_id", "test_id", "os", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom")
    SELECT NEW."customer_id", NEW."test_id", o."os", 1, (NEW."status" IS 'accepted'), (NEW."status" IS 'auto_accepted'), (NEW."status" IS 'rejected'), (NEW."severity" IS 'critical'), (NEW."severity" IS 'high'), (NEW."severity" IS 'low'), (NEW."severity" IS 'visual'), (NEW."severity" IS 'content'), (NEW."severity" IS 'custom')
    FROM (SELECT DISTINCT json_extract(d.value, '$.operating_system') AS "os"
        FROM (SELECT 1) LEFT JOIN json_each(NEW."devices") AS d) AS o
    WHERE NOT (OLD."test_id" IS NEW."test_id" AND OLD."devices" IS NEW."devices") AND NOT EXISTS (SELECT 1 FROM "test_platform_bug_totals" x
        WHERE x."customer_id" = NEW."customer_id" AND x."test_id" = NEW."test_id" AND x."os" IS o."os");
END;

-- The aggregates of the bugs that already exist (none on a fresh database).
INSERT INTO "test_bug_attr_counts" ("customer_id", "test_id", "status", "severity", "known", "rejection_reason", "bugs")
SELECT "customer_id", "test_id", "status", "severity", "known", "rejection_reason", count(*)
FROM "bugs"
GROUP BY "customer_id", "test_id", "status", "severity", "known", "rejection_reason";

INSERT INTO "test_author_bug_totals" ("customer_id", "test_id", "author", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom")
SELECT "customer_id", "test_id", "author", count(*), sum(b."status" IS 'accepted'), sum(b."status" IS 'auto_accepted'), sum(b."status" IS 'rejected'), sum(b."severity" IS 'critical'), sum(b."severity" IS 'high'), sum(b."severity" IS 'low'), sum(b."severity" IS 'visual'), sum(b."severity" IS 'content'), sum(b."severity" IS 'custom')
FROM "bugs" AS b
GROUP BY "customer_id", "test_id", "author";

INSERT INTO "test_feature_bug_totals" ("customer_id", "test_id", "feature_id", "test_feature_id", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom")
SELECT "customer_id", "test_id", "feature_id", "test_feature_id", count(*), sum(b."status" IS 'accepted'), sum(b."status" IS 'auto_accepted'), sum(b."status" IS 'rejected'), sum(b."severity" IS 'critical'), sum(b."severity" IS 'high'), sum(b."severity" IS 'low'), sum(b."severity" IS 'visual'), sum(b."severity" IS 'content'), sum(b."severity" IS 'custom')
FROM "bugs" AS b
GROUP BY "customer_id", "test_id", "feature_id", "test_feature_id";

INSERT INTO "test_platform_bug_totals" ("customer_id", "test_id", "os", "bugs", "accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom")
SELECT "customer_id", "test_id", "os", count(*), sum(b."status" IS 'accepted'), sum(b."status" IS 'auto_accepted'), sum(b."status" IS 'rejected'), sum(b."severity" IS 'critical'), sum(b."severity" IS 'high'), sum(b."severity" IS 'low'), sum(b."severity" IS 'visual'), sum(b."severity" IS 'content'), sum(b."severity" IS 'custom')
FROM (
    SELECT DISTINCT b."pk", b."customer_id", b."test_id", b."status", b."severity",
        json_extract(d.value, '$.operating_system') AS "os"
    FROM "bugs" AS b LEFT JOIN json_each(b."devices") AS d
) AS b
GROUP BY "customer_id", "test_id", "os";
