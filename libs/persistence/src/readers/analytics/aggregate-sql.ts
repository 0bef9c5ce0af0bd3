import { SEVERITY_SCORE_WEIGHTS, type MetricDimension, type MetricKey } from '@testio-mcp/domain';
import {
  BUG_LEVEL,
  DIMENSIONS,
  METRICS,
  metricStatement,
  ratio,
  type DimensionSql,
  type MetricSqlQuery,
} from './cube.js';

/**
 * The aggregate path (ADR 0021): the same cube over `test_bug_counts`, the bug counts the sync keeps per
 * test and per set of bug attributes (status, severity, known, rejection reason, author) by trigger. Its
 * fact rows are one row per scoped test (bug columns NULL, `bugs` 0) plus one row per attribute set of
 * its bugs, so a group sums `bugs` where the bug-level path counts distinct bug ids: each bug lies in
 * exactly one aggregate row, and without the feature / platform expansions no row is repeated in a
 * group. Feature and platform (dimensions, the `platforms` filter, `features_tested`) need the bug's own
 * feature and devices, so those queries keep the bug-level path (`null` here).
 */
const AGGREGATE_DIMENSIONS: Record<MetricDimension, DimensionSql | null> = {
  ...DIMENSIONS,
  feature: null,
  platform: null,
  tester: { label: 'f.author', id: 'ut.id', joins: ['tester_aggregate'] },
  severity: { label: 'f.severity' },
  status: { label: 'f.status' },
  rejection_reason: { label: 'f.rejection_reason' },
  known_bug: { label: "CASE WHEN f.known THEN 'true' ELSE 'false' END" },
};

const bugsOf = (condition: string): string => `SUM(CASE WHEN ${condition} THEN f.bugs ELSE 0 END)`;
const AGGREGATE_ACCEPTED = "f.status IN ('accepted', 'auto_accepted')";
const AGGREGATE_SEVERITY_SCORE = `SUM(f.bugs * CASE f.severity ${Object.entries(SEVERITY_SCORE_WEIGHTS)
  .map(([severity, weight]) => `WHEN '${severity}' THEN ${weight}`)
  .join(' ')} ELSE 0 END)`;

const AGGREGATE_METRICS: Record<MetricKey, string | null> = {
  test_count: 'COUNT(DISTINCT f.test_id)',
  bug_count: 'SUM(f.bugs)',
  bug_severity_score: AGGREGATE_SEVERITY_SCORE,
  features_tested: null,
  active_testers: 'COUNT(DISTINCT f.author)',
  bugs_per_test: ratio('SUM(f.bugs)', 'COUNT(DISTINCT f.test_id)'),
  tests_created: METRICS.tests_created.sql,
  tests_submitted: METRICS.tests_submitted.sql,
  overall_acceptance_rate: ratio(bugsOf(AGGREGATE_ACCEPTED), 'SUM(f.bugs)'),
  rejection_rate: ratio(bugsOf("f.status = 'rejected'"), 'SUM(f.bugs)'),
  review_rate: ratio(bugsOf("f.status IN ('accepted', 'rejected')"), 'SUM(f.bugs)'),
  active_acceptance_rate: ratio(bugsOf("f.status = 'accepted'"), 'SUM(f.bugs)'),
  auto_acceptance_rate: ratio(bugsOf("f.status = 'auto_accepted'"), bugsOf(AGGREGATE_ACCEPTED)),
};

const AGGREGATE_BUG_FILTERS = `(@bug_statuses IS NULL OR a.status IN (SELECT value FROM json_each(@bug_statuses)))
    AND (@severities IS NULL OR a.severity IN (SELECT value FROM json_each(@severities)))`;

/** Test dimensions: one value per test, so the per-test totals can be grouped by them. */
const TEST_LEVEL = new Set<MetricDimension>([
  'product',
  'customer',
  'testing_type',
  'month',
  'week',
  'quarter',
  'test_environment',
]);

const TOTALS_BUGS = 'SUM(f.bugs)';
const TOTALS_ACCEPTED = 'SUM(f.accepted + f.auto_accepted)';

/**
 * Metrics from `test_bug_totals`, one row per test (bugs in total, by status, by severity): enough for
 * every metric but the distinct authors and features, when nothing groups or filters by a bug attribute.
 */
const TOTALS_METRICS: Record<MetricKey, string | null> = {
  test_count: 'COUNT(DISTINCT f.test_id)',
  bug_count: TOTALS_BUGS,
  bug_severity_score: `SUM(${Object.entries(SEVERITY_SCORE_WEIGHTS)
    .map(([severity, weight]) => `${weight} * f.${severity}`)
    .join(' + ')})`,
  features_tested: null,
  active_testers: null,
  bugs_per_test: ratio(TOTALS_BUGS, 'COUNT(DISTINCT f.test_id)'),
  tests_created: METRICS.tests_created.sql,
  tests_submitted: METRICS.tests_submitted.sql,
  overall_acceptance_rate: ratio(TOTALS_ACCEPTED, TOTALS_BUGS),
  rejection_rate: ratio('SUM(f.rejected)', TOTALS_BUGS),
  review_rate: ratio('SUM(f.accepted + f.rejected)', TOTALS_BUGS),
  active_acceptance_rate: ratio('SUM(f.accepted)', TOTALS_BUGS),
  auto_acceptance_rate: ratio('SUM(f.auto_accepted)', TOTALS_ACCEPTED),
};

const TOTALS_COLUMNS = [
  'bugs',
  'accepted',
  'auto_accepted',
  'rejected',
  ...Object.keys(SEVERITY_SCORE_WEIGHTS),
] as const;

/** The per-test totals statement, or `null` when the query groups, filters or counts below the test. */
function buildTotalsMetricSql(query: MetricSqlQuery): string | null {
  if (query.hasBugFilter || query.hasPlatformFilter) return null;
  const all = [...query.dimensions, ...(query.filterDimensions ?? [])];
  if (!all.every((key) => TEST_LEVEL.has(key))) return null;
  const metrics = query.metrics.map((key) => ({ key, sql: TOTALS_METRICS[key] }));
  if (metrics.some((m) => m.sql === null || m.sql === undefined)) return null;
  const facts = `SELECT st.id AS test_id, ${TOTALS_COLUMNS.map((c) => `coalesce(x.${c}, 0) AS ${c}`).join(', ')}
    FROM scoped_tests st
    LEFT JOIN test_bug_totals x ON x.customer_id = @cid AND x.test_id = st.id`;
  return metricStatement({
    ...query,
    facts,
    bugJoin: false,
    dims: query.dimensions.map((key) => ({ key, sql: DIMENSIONS[key] })),
    filtered: (query.filterDimensions ?? []).map((key) => ({ key, sql: DIMENSIONS[key] })),
    metrics: metrics as { key: MetricKey; sql: string }[],
  });
}

/**
 * The statement of one metric query on the aggregates: on `test_bug_totals` (one row per test) when only
 * test attributes group and filter, else on `test_bug_counts`; `null` when the query needs the bug-level
 * path (feature or platform as a dimension or a filter, `features_tested`). Exported for tests; it returns
 * the same columns as {@link buildMetricSql}, and `analytics-aggregates.test.ts` proves the same values.
 */
export function buildAggregateMetricSql(query: MetricSqlQuery): string | null {
  if (query.hasPlatformFilter) return null;
  const totals = buildTotalsMetricSql(query);
  if (totals) return totals;
  const pick = (key: MetricDimension) => {
    if (!(key in AGGREGATE_DIMENSIONS)) throw new RangeError(`unknown dimension ${String(key)}`);
    const sql = AGGREGATE_DIMENSIONS[key];
    return sql ? { key, sql } : null;
  };
  const filtered = (query.filterDimensions ?? []).map(pick);
  const dims = query.dimensions.map(pick);
  const metrics = query.metrics.map((key) => {
    if (!(key in AGGREGATE_METRICS)) throw new RangeError(`unknown metric ${String(key)}`);
    const sql = AGGREGATE_METRICS[key];
    return sql ? { key, sql } : null;
  });
  if ([...filtered, ...dims, ...metrics].some((x) => x === null)) return null;
  const f = filtered as { key: MetricDimension; sql: DimensionSql }[];
  const d = dims as { key: MetricDimension; sql: DimensionSql }[];
  const m = metrics as { key: MetricKey; sql: string }[];
  const bugsOnly = query.hasBugFilter || [...d, ...f].some((x) => BUG_LEVEL.has(x.key));

  const testRows = `SELECT st.id AS test_id, NULL AS status, NULL AS severity, NULL AS known,
      NULL AS rejection_reason, NULL AS author, 0 AS bugs
    FROM scoped_tests st`;
  const bugRows = `SELECT a.test_id AS test_id, a.status AS status, a.severity AS severity, a.known AS known,
      a.rejection_reason AS rejection_reason, a.author AS author, a.bugs AS bugs
    FROM scoped_tests st
    CROSS JOIN test_bug_counts a ON a.customer_id = @cid AND a.test_id = st.id
    WHERE ${AGGREGATE_BUG_FILTERS}`;
  const facts = bugsOnly ? bugRows : `${testRows}\n    UNION ALL\n    ${bugRows}`;
  return metricStatement({ ...query, facts, bugJoin: false, dims: d, filtered: f, metrics: m });
}
