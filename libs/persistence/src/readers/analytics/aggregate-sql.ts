import { SEVERITY_SCORE_WEIGHTS, type MetricDimension, type MetricKey } from '@testio-mcp/domain';
import {
  BUG_LEVEL,
  bugFiltersOf,
  dimensionsOf,
  METRICS,
  metricStatement,
  perDialect,
  ratioOf,
  type DimensionSql,
  type MetricSqlQuery,
} from './cube.js';
import { SQLITE, type AnalyticsDialect } from './dialect.js';

/**
 * The aggregate paths (ADR 0021): the same cube over the bug counts the sync keeps per test by trigger.
 * Each path's fact rows are one row per scoped test (bug columns NULL, counts 0) plus its aggregate rows
 * of the test's bugs, so a group sums counts where the bug-level path counts distinct bug ids. That is
 * exact when each bug lies in exactly one aggregate row of a group: true of every table keyed by a value a
 * bug has once (status, severity, known, rejection reason, author, its own feature), and of the platform
 * table only while `platform` is itself a grouping dimension (a bug with devices on two systems is in two
 * rows, one per platform group). Queries no path serves (`null` here) keep the bug-level path.
 *
 * Two kinds of table: "counts" keyed by bug attributes with one `bugs` count (`test_bug_attr_counts`,
 * `test_bug_counts`), which bug filters and the categorical bug dimensions need; and "totals" keyed by
 * nothing or one thing with the counts every metric reads (bugs, by status, by severity), so metrics sum
 * columns (`test_bug_totals` per test; per test and author, feature, operating system).
 */

export type AggregatePath = 'totals' | 'attrs' | 'feature' | 'platform' | 'author' | 'counts';

/** Test dimensions: one value per test, so every per-test aggregate can be grouped by them. */
const TEST_LEVEL = new Set<MetricDimension>([
  'product',
  'customer',
  'testing_type',
  'month',
  'week',
  'quarter',
  'test_environment',
]);

const aggregateDimensionsOf = perDialect((d): Partial<Record<MetricDimension, DimensionSql>> => ({
  tester: { label: 'f.author', id: 'ut.id', joins: ['tester_aggregate'] },
  severity: { label: 'f.severity' },
  status: { label: 'f.status' },
  rejection_reason: { label: 'f.rejection_reason' },
  known_bug: { label: "CASE WHEN f.known THEN 'true' ELSE 'false' END" },
  // The fact rows carry the resolved feature id and the platform, as the bug-level facts do.
  feature: dimensionsOf(d).feature,
  platform: dimensionsOf(d).platform,
}));

const dimensionSql = (d: AnalyticsDialect, key: MetricDimension): DimensionSql => {
  const DIMENSIONS = dimensionsOf(d);
  if (!(key in DIMENSIONS)) throw new RangeError(`unknown dimension ${String(key)}`);
  return TEST_LEVEL.has(key) ? DIMENSIONS[key] : (aggregateDimensionsOf(d)[key] ?? DIMENSIONS[key]);
};

// ---- metrics on the "counts" tables (one `bugs` count per attribute set)

const bugsOf = (condition: string): string => `SUM(CASE WHEN ${condition} THEN f.bugs ELSE 0 END)`;
const COUNTS_ACCEPTED = "f.status IN ('accepted', 'auto_accepted')";

const countsMetricsOf = perDialect((d): Record<MetricKey, string | null> => ({
  test_count: 'COUNT(DISTINCT f.test_id)',
  bug_count: 'SUM(f.bugs)',
  bug_severity_score: `SUM(f.bugs * CASE f.severity ${Object.entries(SEVERITY_SCORE_WEIGHTS)
    .map(([severity, weight]) => `WHEN '${severity}' THEN ${weight}`)
    .join(' ')} ELSE 0 END)`,
  features_tested: null,
  active_testers: 'COUNT(DISTINCT f.author)',
  bugs_per_test: ratioOf(d, 'SUM(f.bugs)', 'COUNT(DISTINCT f.test_id)'),
  tests_created: METRICS.tests_created.sql,
  tests_submitted: METRICS.tests_submitted.sql,
  overall_acceptance_rate: ratioOf(d, bugsOf(COUNTS_ACCEPTED), 'SUM(f.bugs)'),
  rejection_rate: ratioOf(d, bugsOf("f.status = 'rejected'"), 'SUM(f.bugs)'),
  review_rate: ratioOf(d, bugsOf("f.status IN ('accepted', 'rejected')"), 'SUM(f.bugs)'),
  active_acceptance_rate: ratioOf(d, bugsOf("f.status = 'accepted'"), 'SUM(f.bugs)'),
  auto_acceptance_rate: ratioOf(d, bugsOf("f.status = 'auto_accepted'"), bugsOf(COUNTS_ACCEPTED)),
}));

// ---- metrics on the "totals" tables (bugs, by status, by severity as columns)

const TOTALS_BUGS = 'SUM(f.bugs)';
const TOTALS_ACCEPTED = 'SUM(f.accepted + f.auto_accepted)';

const totalsMetricsOf = perDialect((d): Record<MetricKey, string | null> => ({
  test_count: 'COUNT(DISTINCT f.test_id)',
  bug_count: TOTALS_BUGS,
  bug_severity_score: `SUM(${Object.entries(SEVERITY_SCORE_WEIGHTS)
    .map(([severity, weight]) => `${weight} * f.${severity}`)
    .join(' + ')})`,
  features_tested: null,
  active_testers: null,
  bugs_per_test: ratioOf(d, TOTALS_BUGS, 'COUNT(DISTINCT f.test_id)'),
  tests_created: METRICS.tests_created.sql,
  tests_submitted: METRICS.tests_submitted.sql,
  overall_acceptance_rate: ratioOf(d, TOTALS_ACCEPTED, TOTALS_BUGS),
  rejection_rate: ratioOf(d, 'SUM(f.rejected)', TOTALS_BUGS),
  review_rate: ratioOf(d, 'SUM(f.accepted + f.rejected)', TOTALS_BUGS),
  active_acceptance_rate: ratioOf(d, 'SUM(f.accepted)', TOTALS_BUGS),
  auto_acceptance_rate: ratioOf(d, 'SUM(f.auto_accepted)', TOTALS_ACCEPTED),
}));

/** The count columns of every totals table. */
const TOTALS_COLUMNS = [
  'bugs',
  'accepted',
  'auto_accepted',
  'rejected',
  ...Object.keys(SEVERITY_SCORE_WEIGHTS),
];
const zeros = TOTALS_COLUMNS.map((c) => `0 AS ${c}`).join(', ');
const columnsOf = (alias: string) => TOTALS_COLUMNS.map((c) => `${alias}.${c} AS ${c}`).join(', ');

const platformFilter = (d: AnalyticsDialect, column: string) =>
  d.listFilter(d.lower(column), 'platforms', 'text');

interface Path {
  readonly name: AggregatePath;
  /** Dimensions (to group or filter by) it serves beyond the test dimensions. */
  readonly dimensions: ReadonlySet<MetricDimension>;
  readonly bugFilters: boolean;
  readonly metrics: Record<MetricKey, string | null>;
  /**
   * Fact rows: the scoped tests' own rows unless `bugsOnly`, then the aggregate rows of their bugs; each
   * row starts with `test_id` and the `carry` items (the scoped test's columns, see `metricStatement`).
   */
  readonly facts: (bugsOnly: boolean, carry: string) => string;
}

const union = (bugsOnly: boolean, testRows: string, bugRows: string) =>
  bugsOnly ? bugRows : `${testRows}\n    UNION ALL\n    ${bugRows}`;

const countsPath = (d: AnalyticsDialect, name: 'attrs' | 'counts', table: string, author: boolean): Path => ({
  name,
  dimensions: new Set<MetricDimension>([
    'severity',
    'status',
    'rejection_reason',
    'known_bug',
    ...(author ? (['tester'] as const) : []),
  ]),
  bugFilters: true,
  metrics: author ? countsMetricsOf(d) : { ...countsMetricsOf(d), active_testers: null },
  facts: (bugsOnly, carry) =>
    union(
      bugsOnly,
      `SELECT st.id AS test_id, ${carry}NULL AS status, NULL AS severity, NULL AS known, NULL AS rejection_reason,
      ${author ? 'NULL AS author, ' : ''}0 AS bugs
    FROM scoped_tests st`,
      `SELECT a.test_id AS test_id, ${carry}a.status AS status, a.severity AS severity, a.known AS known,
      a.rejection_reason AS rejection_reason, ${author ? 'a.author AS author, ' : ''}a.bugs AS bugs
    FROM scoped_tests st
    ${d.loopJoin} ${table} a ON a.customer_id = @cid AND a.test_id = st.id
    WHERE ${bugFiltersOf(d, 'a')}`,
    ),
});

/** In the order tried: the fewest rows first (per test, per test and key, per test and attribute set). */
const pathsOf = perDialect((d): readonly Path[] => [
  {
    name: 'totals',
    dimensions: new Set(),
    bugFilters: false,
    metrics: totalsMetricsOf(d),
    facts: (_bugsOnly, carry) =>
      `SELECT st.id AS test_id, ${carry}${TOTALS_COLUMNS.map((c) => `coalesce(x.${c}, 0) AS ${c}`).join(', ')}
    FROM scoped_tests st
    LEFT JOIN test_bug_totals x ON x.customer_id = @cid AND x.test_id = st.id`,
  },
  countsPath(d, 'attrs', 'test_bug_attr_counts', false),
  {
    name: 'feature',
    dimensions: new Set<MetricDimension>(['feature']),
    bugFilters: false,
    metrics: { ...totalsMetricsOf(d), features_tested: METRICS.features_tested.sql },
    // A test under each feature it covered; a bug's rows under their own feature, resolved as the
    // bug-level path resolves it (the bug's feature, else its test feature's).
    facts: (bugsOnly, carry) =>
      union(
        bugsOnly,
        `SELECT st.id AS test_id, ${carry}tf.feature_id AS feature_id, ${zeros}
    FROM scoped_tests st
    LEFT JOIN test_features tf ON tf.customer_id = @cid AND tf.test_id = st.id`,
        `SELECT a.test_id AS test_id, ${carry}coalesce(a.feature_id, tfb.feature_id) AS feature_id, ${columnsOf('a')}
    FROM scoped_tests st
    ${d.loopJoin} test_feature_bug_totals a ON a.customer_id = @cid AND a.test_id = st.id
    LEFT JOIN test_features tfb ON tfb.customer_id = @cid AND tfb.id = a.test_feature_id`,
      ),
  },
  {
    name: 'platform',
    dimensions: new Set<MetricDimension>(['platform']),
    bugFilters: false,
    metrics: totalsMetricsOf(d),
    facts: (bugsOnly, carry) =>
      union(
        bugsOnly,
        `SELECT st.id AS test_id, ${carry}tp.operating_system AS platform, ${zeros}
    FROM scoped_tests st
    LEFT JOIN test_platforms tp ON tp.customer_id = @cid AND tp.test_id = st.id
    WHERE ${platformFilter(d, 'tp.operating_system')}`,
        `SELECT a.test_id AS test_id, ${carry}a.os AS platform, ${columnsOf('a')}
    FROM scoped_tests st
    ${d.loopJoin} test_platform_bug_totals a ON a.customer_id = @cid AND a.test_id = st.id
    WHERE ${platformFilter(d, 'a.os')}`,
      ),
  },
  {
    name: 'author',
    dimensions: new Set<MetricDimension>(['tester']),
    bugFilters: false,
    metrics: { ...totalsMetricsOf(d), active_testers: 'COUNT(DISTINCT f.author)' },
    facts: (bugsOnly, carry) =>
      union(
        bugsOnly,
        `SELECT st.id AS test_id, ${carry}NULL AS author, ${zeros}
    FROM scoped_tests st`,
        `SELECT a.test_id AS test_id, ${carry}a.author AS author, ${columnsOf('a')}
    FROM scoped_tests st
    ${d.loopJoin} test_author_bug_totals a ON a.customer_id = @cid AND a.test_id = st.id`,
      ),
  },
  countsPath(d, 'counts', 'test_bug_counts', true),
]);

function choosePath(query: MetricSqlQuery, d: AnalyticsDialect): Path | null {
  const keys = [...query.dimensions, ...(query.filterDimensions ?? [])];
  for (const key of keys)
    if (!(key in dimensionsOf(d))) throw new RangeError(`unknown dimension ${String(key)}`);
  for (const key of query.metrics)
    if (!(key in METRICS)) throw new RangeError(`unknown metric ${String(key)}`);
  // The platform rows sum only within one platform group: a platform filter needs platform as a dimension.
  const platformFilter = query.hasPlatformFilter || (query.filterDimensions ?? []).includes('platform');
  return (
    pathsOf(d).find(
      (path) =>
        (!query.hasBugFilter || path.bugFilters) &&
        (!platformFilter || (path.name === 'platform' && query.dimensions.includes('platform'))) &&
        keys.every((key) => TEST_LEVEL.has(key) || path.dimensions.has(key)) &&
        query.metrics.every((key) => Boolean(path.metrics[key])),
    ) ?? null
  );
}

/** Which aggregate path answers a query (`null`: the bug-level path). Exported for tests and the bench. */
export function aggregatePath(query: MetricSqlQuery): AggregatePath | null {
  return choosePath(query, SQLITE)?.name ?? null;
}

/**
 * The statement of one metric query on the aggregates, on the first path of `pathsOf` that serves its
 * dimensions, filters and metrics; `null` when none does (`feature` with `platform`, the `platforms`
 * filter without the platform dimension, `active_testers` by feature or platform...). Exported for tests;
 * it returns the same columns as {@link buildMetricSql}, and `analytics-aggregates.test.ts` proves the
 * same values.
 */
export function buildAggregateMetricSql(
  query: MetricSqlQuery,
  dialect: AnalyticsDialect = SQLITE,
): string | null {
  const path = choosePath(query, dialect);
  if (!path) return null;
  const dims = query.dimensions.map((key) => ({ key, sql: dimensionSql(dialect, key) }));
  const filtered = (query.filterDimensions ?? []).map((key) => ({ key, sql: dimensionSql(dialect, key) }));
  const bugsOnly = query.hasBugFilter || [...dims, ...filtered].some((x) => BUG_LEVEL.has(x.key));
  const metrics = query.metrics.map((key) => ({ key, sql: path.metrics[key] as string }));
  return metricStatement({
    ...query,
    dialect,
    facts: (carry) => path.facts(bugsOnly, carry),
    bugJoin: false,
    dims,
    filtered,
    metrics,
  });
}
