import type { PgClient } from './pool.js';

/**
 * The tables PostgreSQL's triggers keep from the base rows (migrations `20261210000000_baseline` and
 * `20261210000100_search`), each with the set-based statement that writes it whole: the rows the per-row
 * triggers would have written had every base row been inserted through them. The expressions are the
 * triggers' own (the same `IS NOT DISTINCT FROM` keys, `bug_device_os`, `setweight(to_tsvector(...))` per
 * column); `rebuild-derived.test.ts` holds the two paths to equality, so a trigger changed by a later
 * migration without its statement here fails there.
 *
 * Rows of the identity-keyed aggregates are inserted in the order their key first appears among the bugs
 * (by `pk`, the order a copy inserts them in), so the surrogate `pk`s come out as the triggers' would, up to
 * the order of one bug's several operating systems.
 */

const BUG_FLAGS = `
    count(*) FILTER (WHERE b."status" = 'accepted') AS "accepted",
    count(*) FILTER (WHERE b."status" = 'auto_accepted') AS "auto_accepted",
    count(*) FILTER (WHERE b."status" = 'rejected') AS "rejected",
    count(*) FILTER (WHERE b."severity" = 'critical') AS "critical",
    count(*) FILTER (WHERE b."severity" = 'high') AS "high",
    count(*) FILTER (WHERE b."severity" = 'low') AS "low",
    count(*) FILTER (WHERE b."severity" = 'visual') AS "visual",
    count(*) FILTER (WHERE b."severity" = 'content') AS "content",
    count(*) FILTER (WHERE b."severity" = 'custom') AS "custom"`;
const FLAG_COLUMNS = `"accepted", "auto_accepted", "rejected", "critical", "high", "low", "visual", "content", "custom"`;

/** One per-key aggregate of the bugs: `keys` are the grouping columns after customer and test. */
function perKeyAggregate(table: string, keys: readonly string[], flags: boolean): string {
  const keyList = keys.map((k) => `"${k}"`).join(', ');
  const selected = keys.map((k) => `b."${k}"`).join(', ');
  return `INSERT INTO "${table}" ("customer_id", "test_id", ${keyList}, "bugs"${flags ? `, ${FLAG_COLUMNS}` : ''})
SELECT "customer_id", "test_id", ${keyList}, "bugs"${flags ? `, ${FLAG_COLUMNS}` : ''} FROM (
  SELECT b."customer_id", b."test_id", ${selected}, count(*) AS "bugs"${flags ? `,${BUG_FLAGS}` : ''}, min(b."pk") AS "first"
  FROM "bugs" b GROUP BY b."customer_id", b."test_id", ${selected}
) g ORDER BY "first", ${keyList}`;
}

const ENTITY_TABLES = ['products', 'features', 'tests', 'users', 'bugs'] as const;

/** `setweight(to_tsvector('testio_search', coalesce(col, '')), W) || ...`, as each `<table>_fts_write`. */
function searchDocument(table: string, columns: readonly string[]): string {
  const vector = columns
    .map((column, i) => {
      const text = column === 'user_stories' ? `e."${column}"::text` : `e."${column}"`;
      return `setweight(to_tsvector('testio_search', coalesce(${text}, '')), '${'ABCD'[i]}')`;
    })
    .join('\n        || ');
  return `INSERT INTO "${table}_fts" ("pk", "customer_id", "vector")
SELECT e."pk", e."customer_id",
        ${vector}
FROM "${table}" e ORDER BY e."pk"`;
}

/** Every trigger-kept table and the statement that fills it from the base tables. */
export const DERIVED_REBUILDS: ReadonlyMap<string, string> = new Map([
  [
    'entity_counts',
    `INSERT INTO "entity_counts" ("customer_id", "entity", "n")
${ENTITY_TABLES.map((t) => `SELECT "customer_id", '${t}', count(*) FROM "${t}" GROUP BY "customer_id"`).join('\nUNION ALL\n')}`,
  ],
  [
    // Test requirements with an operating system, and each bug once per distinct system of its devices.
    'platform_counts',
    `INSERT INTO "platform_counts" ("customer_id", "os", "n")
SELECT "customer_id", "os", count(*) FROM (
  SELECT "customer_id", "operating_system" AS "os" FROM "test_platforms" WHERE "operating_system" IS NOT NULL
  UNION ALL
  SELECT b."customer_id", o FROM "bugs" b CROSS JOIN LATERAL "bug_device_os"(b."devices") AS o WHERE o IS NOT NULL
) p GROUP BY "customer_id", "os"`,
  ],
  [
    'test_bug_counts',
    perKeyAggregate('test_bug_counts', ['status', 'severity', 'known', 'rejection_reason', 'author'], false),
  ],
  [
    'test_bug_totals',
    `INSERT INTO "test_bug_totals" ("customer_id", "test_id", "bugs", ${FLAG_COLUMNS}, "forwarded", "known")
SELECT b."customer_id", b."test_id", count(*),${BUG_FLAGS},
    count(*) FILTER (WHERE b."status" = 'forwarded'),
    count(*) FILTER (WHERE b."known")
FROM "bugs" b GROUP BY b."customer_id", b."test_id"`,
  ],
  [
    'test_bug_attr_counts',
    perKeyAggregate('test_bug_attr_counts', ['status', 'severity', 'known', 'rejection_reason'], false),
  ],
  ['test_author_bug_totals', perKeyAggregate('test_author_bug_totals', ['author'], true)],
  [
    'test_feature_bug_totals',
    perKeyAggregate('test_feature_bug_totals', ['feature_id', 'test_feature_id'], true),
  ],
  [
    // One row per distinct operating system of a bug's devices; a bug without any counts under NULL.
    'test_platform_bug_totals',
    `INSERT INTO "test_platform_bug_totals" ("customer_id", "test_id", "os", "bugs", ${FLAG_COLUMNS})
SELECT "customer_id", "test_id", "os", "bugs", ${FLAG_COLUMNS} FROM (
  SELECT b."customer_id", b."test_id", o AS "os", count(*) AS "bugs",${BUG_FLAGS}, min(b."pk") AS "first"
  FROM "bugs" b CROSS JOIN LATERAL "bug_device_os"(b."devices") AS o
  GROUP BY b."customer_id", b."test_id", o
) g ORDER BY "first", "os"`,
  ],
  ['products_fts', searchDocument('products', ['title', 'description'])],
  ['features_fts', searchDocument('features', ['title', 'description', 'howtofind', 'user_stories'])],
  ['tests_fts', searchDocument('tests', ['title', 'goal', 'instructions', 'out_of_scope'])],
  ['bugs_fts', searchDocument('bugs', ['title', 'steps', 'actual_result', 'expected_result'])],
]);

export interface RebuiltTable {
  readonly table: string;
  readonly rows: number;
}

/**
 * Empties every trigger-kept table and writes it again from the base tables, every tenant, set-based (one
 * `INSERT ... SELECT` per table). Runs in the caller's transaction: call it inside one (`db copy` does, after
 * inserting the base rows with the triggers disabled) so readers never see the tables half written. The
 * identity sequences restart, as on a database whose rows all came in through the triggers.
 */
export async function rebuildDerived(
  client: PgClient,
  onTable?: (result: RebuiltTable) => void,
): Promise<RebuiltTable[]> {
  await client.query(
    `TRUNCATE ${[...DERIVED_REBUILDS.keys()].map((t) => `"${t}"`).join(', ')} RESTART IDENTITY`,
  );
  const rebuilt: RebuiltTable[] = [];
  for (const [table, sql] of DERIVED_REBUILDS) {
    const { rowCount } = await client.query(sql);
    const result = { table, rows: rowCount ?? 0 };
    rebuilt.push(result);
    onTable?.(result);
  }
  return rebuilt;
}
