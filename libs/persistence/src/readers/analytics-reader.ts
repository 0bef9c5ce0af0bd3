import {
  BUG_LEVEL_DIMENSIONS,
  SEVERITY_SCORE_WEIGHTS,
  type AnalyticsReader,
  type AnalyticsScope,
  type MetricDimension,
  type MetricKey,
  type MetricQuery,
  type MetricQueryResult,
  type MetricRow,
  type ReportBreakdowns,
  type ReportTestRow,
  type SortOrder,
} from '@testio-mcp/domain';
import { toDomainError } from '../errors.js';
import type { Sqlite } from '../sqlite.js';
import { dbTime, fromDbTime } from '../time.js';

/**
 * The metric cube and the quality-report aggregates on SQLite. Every piece of SQL comes from the closed
 * maps below, keyed by the domain's dimension and metric vocabularies (exhaustive `Record`s, so a new
 * key cannot be forgotten); caller values are only ever bound as parameters (lists as one JSON
 * parameter read with `json_each`).
 *
 * The cube is anchored on tests, not on test features (which would hide tests without features and their bugs): its fact rows are one row
 * per test (with bug columns NULL) plus one row per bug, so a test without features or bugs and a bug
 * without a feature link still count. Dimensions that describe a bug (tester, severity, status,
 * rejection_reason, known_bug) and bug filters keep only the bug rows. `feature` and `platform` are
 * many-to-many: a test row is repeated per feature it covered / operating system it required, a bug row
 * carries the bug's own feature / the operating systems of its devices. Every metric is a
 * `COUNT(DISTINCT ...)` (or a ratio of two), so repeated rows never inflate a number.
 */

interface DimensionSql {
  /** Display value (the group key). */
  readonly label: string;
  /** Id column next to it, when the dimension has one. */
  readonly id?: string;
  /** The dimension needs the per-feature / per-platform fact expansion. */
  readonly needs?: 'feature' | 'platform';
  /** Extra joins of the outer query, by name (see OUTER_JOINS). */
  readonly joins?: readonly OuterJoin[];
}

type OuterJoin = 'products' | 'features' | 'tester' | 'customer' | 'tester_aggregate';

const OUTER_JOINS: Record<OuterJoin, string> = {
  products: 'JOIN products p ON p.customer_id = @cid AND p.id = t.product_id',
  features: 'LEFT JOIN features fe ON fe.customer_id = @cid AND fe.id = f.feature_id',
  tester: 'LEFT JOIN users ut ON ut.customer_id = @cid AND ut.username = b.author',
  customer: 'LEFT JOIN users uc ON uc.customer_id = @cid AND uc.username = t.created_by',
  tester_aggregate: 'LEFT JOIN users ut ON ut.customer_id = @cid AND ut.username = f.author',
};

const DIMENSIONS: Record<MetricDimension, DimensionSql> = {
  feature: {
    label: "CASE WHEN f.feature_id IS NULL THEN NULL ELSE coalesce(fe.title, 'Feature ' || f.feature_id) END",
    id: 'f.feature_id',
    needs: 'feature',
    joins: ['features'],
  },
  product: { label: 'p.title', id: 't.product_id', joins: ['products'] },
  platform: { label: 'f.platform', needs: 'platform' },
  tester: { label: 'b.author', id: 'ut.id', joins: ['tester'] },
  customer: { label: 't.created_by', id: 'uc.id', joins: ['customer'] },
  severity: { label: 'b.severity' },
  status: { label: 'b.status' },
  testing_type: { label: 't.testing_type' },
  month: { label: "strftime('%Y-%m', t.end_at)" },
  week: { label: "strftime('%Y-W%W', t.end_at)" },
  quarter: {
    label: "strftime('%Y', t.end_at) || '-Q' || ((CAST(strftime('%m', t.end_at) AS INTEGER) + 2) / 3)",
  },
  rejection_reason: { label: 'b.rejection_reason' },
  test_environment: {
    label: "json_extract(t.environment, '$.title')",
    id: "CAST(json_extract(t.environment, '$.id') AS INTEGER)",
  },
  known_bug: { label: "CASE WHEN b.known THEN 'true' ELSE 'false' END" },
};

const ACCEPTED = "b.status IN ('accepted', 'auto_accepted')";
const bugsWhere = (condition: string): string => `COUNT(DISTINCT CASE WHEN ${condition} THEN b.id END)`;
const ratio = (part: string, whole: string): string => `CAST(${part} AS REAL) / NULLIF(${whole}, 0)`;
const SEVERITY_SCORE = Object.entries(SEVERITY_SCORE_WEIGHTS)
  .map(([severity, weight]) => `${weight} * ${bugsWhere(`b.severity = '${severity}'`)}`)
  .join(' + ');

interface MetricSql {
  readonly sql: string;
  readonly needs?: 'feature';
  /** Integer counts come back as integers, rates as fractions. */
  readonly kind: 'count' | 'rate';
}

const METRICS: Record<MetricKey, MetricSql> = {
  test_count: { sql: 'COUNT(DISTINCT f.test_id)', kind: 'count' },
  bug_count: { sql: 'COUNT(DISTINCT f.bug_id)', kind: 'count' },
  bug_severity_score: { sql: `(${SEVERITY_SCORE})`, kind: 'count' },
  features_tested: { sql: 'COUNT(DISTINCT f.feature_id)', needs: 'feature', kind: 'count' },
  active_testers: { sql: 'COUNT(DISTINCT b.author)', kind: 'count' },
  bugs_per_test: { sql: ratio('COUNT(DISTINCT f.bug_id)', 'COUNT(DISTINCT f.test_id)'), kind: 'rate' },
  tests_created: { sql: 'COUNT(DISTINCT CASE WHEN t.created_by IS NOT NULL THEN t.id END)', kind: 'count' },
  tests_submitted: {
    sql: 'COUNT(DISTINCT CASE WHEN t.submitted_by IS NOT NULL THEN t.id END)',
    kind: 'count',
  },
  overall_acceptance_rate: { sql: ratio(bugsWhere(ACCEPTED), 'COUNT(DISTINCT b.id)'), kind: 'rate' },
  rejection_rate: { sql: ratio(bugsWhere("b.status = 'rejected'"), 'COUNT(DISTINCT b.id)'), kind: 'rate' },
  review_rate: {
    sql: ratio(bugsWhere("b.status IN ('accepted', 'rejected')"), 'COUNT(DISTINCT b.id)'),
    kind: 'rate',
  },
  active_acceptance_rate: {
    sql: ratio(bugsWhere("b.status = 'accepted'"), 'COUNT(DISTINCT b.id)'),
    kind: 'rate',
  },
  auto_acceptance_rate: {
    sql: ratio(bugsWhere("b.status = 'auto_accepted'"), bugsWhere(ACCEPTED)),
    kind: 'rate',
  },
};

const DIRECTION: Record<SortOrder, string> = { asc: 'ASC', desc: 'DESC' };
const BUG_LEVEL = new Set<MetricDimension>(BUG_LEVEL_DIMENSIONS);

function list(values: readonly (string | number)[] | undefined): string | null {
  return values === undefined || values.length === 0 ? null : JSON.stringify(values);
}

function lowerList(values: readonly string[] | undefined): string | null {
  return values === undefined || values.length === 0
    ? null
    : JSON.stringify(values.map((v) => v.toLowerCase()));
}

/** Named parameters of a scope (the same names in every statement). Exported for tests. */
export function scopeParams(customerId: number, scope: AnalyticsScope): Record<string, unknown> {
  return {
    cid: customerId,
    products: list(scope.productIds),
    tests: list(scope.testIds),
    statuses: list(scope.testStatuses),
    types: list(scope.testingTypes),
    from: scope.from ? dbTime(scope.from) : null,
    to: scope.to ? dbTime(scope.to) : null,
    bug_statuses: list(scope.bugStatuses),
    severities: list(scope.severities),
    platforms: lowerList(scope.platforms),
  };
}

/**
 * The tests of a scope (test filters only). Bugs are always reached from it with
 * `scoped_tests st CROSS JOIN bugs b ON ... b.test_id = st.id`: CROSS JOIN keeps that loop order in SQLite,
 * which otherwise (no statistics for the json_each filters) scanned every bug of the account and probed
 * the scope, 2× slower for one product of `medium` (docs/performance.md).
 */
const SCOPED_TESTS = `scoped_tests AS (
  SELECT t.id, t.product_id FROM tests t
  WHERE t.customer_id = @cid
    AND (@products IS NULL OR t.product_id IN (SELECT value FROM json_each(@products)))
    AND (@tests IS NULL OR t.id IN (SELECT value FROM json_each(@tests)))
    AND (@statuses IS NULL OR t.status IN (SELECT value FROM json_each(@statuses)))
    AND (@types IS NULL OR t.testing_type IN (SELECT value FROM json_each(@types)))
    AND (@from IS NULL OR t.end_at >= @from)
    AND (@to IS NULL OR t.end_at <= @to)
)`;

const BUG_FILTERS = `(@bug_statuses IS NULL OR b.status IN (SELECT value FROM json_each(@bug_statuses)))
    AND (@severities IS NULL OR b.severity IN (SELECT value FROM json_each(@severities)))`;

const DEVICE_OS = "json_extract(d.value, '$.operating_system')";

function run<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(toDomainError(error));
  }
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Builds the statement of one metric query. Exported for tests; every fragment comes from the maps above. */
export function buildMetricSql(
  query: Pick<MetricQuery, 'dimensions' | 'metrics' | 'sortBy' | 'sortOrder'> & {
    hasBugFilter: boolean;
    hasPlatformFilter: boolean;
    /** Dimensions filtered on their values (`@dv_<key>` labels, `@dvi_<key>` ids). */
    filterDimensions?: readonly MetricDimension[];
  },
): string {
  const filtered = (query.filterDimensions ?? []).map((key) => {
    const sql = DIMENSIONS[key];
    if (!sql) throw new RangeError(`unknown dimension ${String(key)}`);
    return { key, sql };
  });
  const dims = query.dimensions.map((key) => {
    const sql = DIMENSIONS[key];
    if (!sql) throw new RangeError(`unknown dimension ${String(key)}`);
    return { key, sql };
  });
  const metrics = query.metrics.map((key) => {
    const sql = METRICS[key];
    if (!sql) throw new RangeError(`unknown metric ${String(key)}`);
    return { key, sql };
  });
  const expandFeature =
    [...dims, ...filtered].some((d) => d.sql.needs === 'feature') ||
    metrics.some((m) => m.sql.needs === 'feature');
  const expandPlatform = [...dims, ...filtered].some((d) => d.sql.needs === 'platform');
  const bugsOnly = query.hasBugFilter || [...dims, ...filtered].some((d) => BUG_LEVEL.has(d.key));

  // Fact rows: tests (unless only bugs count), then bugs.
  const testPlatformFilter = query.hasPlatformFilter
    ? expandPlatform
      ? 'AND lower(tp.operating_system) IN (SELECT value FROM json_each(@platforms))'
      : `AND EXISTS (SELECT 1 FROM test_platforms x WHERE x.customer_id = @cid AND x.test_id = st.id
           AND lower(x.operating_system) IN (SELECT value FROM json_each(@platforms)))`
    : '';
  const testRows = `SELECT st.id AS test_id, NULL AS bug_id, ${expandFeature ? 'tf.feature_id' : 'NULL'} AS feature_id,
      ${expandPlatform ? 'tp.operating_system' : 'NULL'} AS platform
    FROM scoped_tests st
    ${expandFeature ? 'LEFT JOIN test_features tf ON tf.customer_id = @cid AND tf.test_id = st.id' : ''}
    ${expandPlatform ? 'LEFT JOIN test_platforms tp ON tp.customer_id = @cid AND tp.test_id = st.id' : ''}
    WHERE 1 = 1 ${testPlatformFilter}`;
  const bugPlatformFilter = query.hasPlatformFilter
    ? expandPlatform
      ? `AND lower(${DEVICE_OS}) IN (SELECT value FROM json_each(@platforms))`
      : `AND EXISTS (SELECT 1 FROM json_each(b.devices) d WHERE lower(${DEVICE_OS}) IN (SELECT value FROM json_each(@platforms)))`
    : '';
  const bugRows = `SELECT b.test_id AS test_id, b.id AS bug_id, ${expandFeature ? 'coalesce(b.feature_id, tfb.feature_id)' : 'NULL'} AS feature_id,
      ${expandPlatform ? DEVICE_OS : 'NULL'} AS platform
    FROM scoped_tests st
    CROSS JOIN bugs b ON b.customer_id = @cid AND b.test_id = st.id
    ${expandFeature ? 'LEFT JOIN test_features tfb ON tfb.customer_id = @cid AND tfb.id = b.test_feature_id' : ''}
    ${expandPlatform ? 'LEFT JOIN json_each(b.devices) d' : ''}
    WHERE b.customer_id = @cid AND ${BUG_FILTERS} ${bugPlatformFilter}`;
  const facts = bugsOnly ? bugRows : `${testRows}\n    UNION ALL\n    ${bugRows}`;

  return metricStatement({
    ...query,
    facts,
    bugJoin: true,
    dims,
    filtered,
    metrics: metrics.map(({ key, sql }) => ({ key, sql: sql.sql })),
  });
}

/** The outer query both paths share: labels, metrics, dimension filters, grouping, order and limit. */
function metricStatement(q: {
  facts: string;
  /** The bug-level path joins each fact row's bug back; the aggregate rows carry their attributes. */
  bugJoin: boolean;
  dims: readonly { key: MetricDimension; sql: DimensionSql }[];
  filtered: readonly { key: MetricDimension; sql: DimensionSql }[];
  metrics: readonly { key: MetricKey; sql: string }[];
  sortBy?: MetricQuery['sortBy'];
  sortOrder: SortOrder;
}): string {
  const { dims, filtered, metrics } = q;
  const joins = [...new Set([...dims, ...filtered].flatMap((d) => d.sql.joins ?? []))].map(
    (j) => OUTER_JOINS[j],
  );
  // A dimension filter keeps the fact rows whose label (case-insensitive) or id is among the values.
  const where = filtered.map(
    ({ key, sql }) =>
      `(lower(${sql.label}) IN (SELECT value FROM json_each(@dv_${key}))${
        sql.id ? ` OR ${sql.id} IN (SELECT value FROM json_each(@dvi_${key}))` : ''
      })`,
  );
  const select = [
    ...dims.flatMap((d, i) => [`${d.sql.label} AS d${i}_label`, `${d.sql.id ?? 'NULL'} AS d${i}_id`]),
    ...metrics.map((m) => `${m.sql} AS m_${m.key}`),
    'COUNT(*) OVER () AS total_rows',
  ];
  const groupBy = dims.length > 0 ? `GROUP BY ${dims.map((_, i) => `d${i}_label, d${i}_id`).join(', ')}` : '';

  const dir = DIRECTION[q.sortOrder];
  if (!dir) throw new RangeError(`invalid sort order ${String(q.sortOrder)}`);
  const sortDim = dims.findIndex((d) => d.key === q.sortBy);
  const sortMetric = metrics.find((m) => m.key === q.sortBy) ?? metrics[0];
  const sortColumn = sortDim >= 0 ? `d${sortDim}_label` : sortMetric ? `m_${sortMetric.key}` : null;
  const order = [
    ...(sortColumn ? [`${sortColumn} IS NULL`, `${sortColumn} ${dir}`] : []),
    ...dims.map((_, i) => `d${i}_label IS NULL, d${i}_label ASC`),
  ];

  // The aggregate rows come from scoped tests only, so the join to tests matters only where a label, a
  // filter or a metric reads a test column: left out otherwise (one lookup per fact row saved).
  const readsTest = q.bugJoin || /\bt\./.test([...select, ...where, ...joins].join(' '));
  return `WITH ${SCOPED_TESTS},
  facts AS (
    ${q.facts}
  )
  SELECT ${select.join(',\n    ')}
  FROM facts f
  ${readsTest ? 'JOIN tests t ON t.customer_id = @cid AND t.id = f.test_id' : ''}
  ${q.bugJoin ? 'LEFT JOIN bugs b ON b.customer_id = @cid AND b.id = f.bug_id' : ''}
  ${joins.join('\n  ')}
  ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
  ${groupBy}
  ${order.length > 0 ? `ORDER BY ${order.join(', ')}` : ''}
  LIMIT @limit`;
}

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

type MetricSqlQuery = Parameters<typeof buildMetricSql>[0];

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

interface ReportTestRaw {
  id: number;
  product_id: number;
  title: string;
  status: string;
  testing_type: string | null;
  start_at: string | null;
  end_at: string | null;
  environment: string | null;
  bugs_synced_at: string | null;
  bugs: number;
  accepted: number;
  auto_accepted: number;
  rejected: number;
  forwarded: number;
  critical: number;
  high: number;
  low: number;
  visual: number;
  content: number;
  custom: number;
  known: number;
}

const REPORT_TESTS = `WITH ${SCOPED_TESTS}
  SELECT t.id, t.product_id, t.title, t.status, t.testing_type, t.start_at, t.end_at, t.environment, t.bugs_synced_at,
    COUNT(b.id) AS bugs,
    TOTAL(b.status = 'accepted') AS accepted, TOTAL(b.status = 'auto_accepted') AS auto_accepted,
    TOTAL(b.status = 'rejected') AS rejected, TOTAL(b.status = 'forwarded') AS forwarded,
    TOTAL(b.severity = 'critical') AS critical, TOTAL(b.severity = 'high') AS high, TOTAL(b.severity = 'low') AS low,
    TOTAL(b.severity = 'visual') AS visual, TOTAL(b.severity = 'content') AS content, TOTAL(b.severity = 'custom') AS custom,
    TOTAL(b.known) AS known
  FROM scoped_tests st
  JOIN tests t ON t.customer_id = @cid AND t.id = st.id
  LEFT JOIN bugs b ON b.customer_id = @cid AND b.test_id = t.id
  GROUP BY t.id
  ORDER BY t.end_at IS NULL, t.end_at DESC, t.id DESC`;

/** REPORT_TESTS from the per-test totals (ADR 0021): one row per test instead of every bug. */
const REPORT_TESTS_FROM_TOTALS = `WITH ${SCOPED_TESTS}
  SELECT t.id, t.product_id, t.title, t.status, t.testing_type, t.start_at, t.end_at, t.environment, t.bugs_synced_at,
    ${[
      'bugs',
      'accepted',
      'auto_accepted',
      'rejected',
      'forwarded',
      'critical',
      'high',
      'low',
      'visual',
      'content',
      'custom',
      'known',
    ]
      .map((c) => `coalesce(x.${c}, 0) AS ${c}`)
      .join(', ')}
  FROM scoped_tests st
  JOIN tests t ON t.customer_id = @cid AND t.id = st.id
  LEFT JOIN test_bug_totals x ON x.customer_id = @cid AND x.test_id = st.id
  ORDER BY t.end_at IS NULL, t.end_at DESC, t.id DESC`;

/** REPORT_REJECTIONS from the per-test counts: rows of rejected bugs, summed. */
const REPORT_REJECTIONS_FROM_COUNTS = `WITH ${SCOPED_TESTS}
  SELECT st.product_id AS product_id, a.rejection_reason AS reason, SUM(a.bugs) AS bugs
  FROM scoped_tests st CROSS JOIN test_bug_counts a ON a.customer_id = @cid AND a.test_id = st.id
  WHERE a.status = 'rejected'
  GROUP BY st.product_id, a.rejection_reason`;

const REPORT_REJECTIONS = `WITH ${SCOPED_TESTS}
  SELECT st.product_id AS product_id, b.rejection_reason AS reason, COUNT(*) AS bugs
  FROM scoped_tests st CROSS JOIN bugs b ON b.customer_id = @cid AND b.test_id = st.id
  WHERE b.status = 'rejected'
  GROUP BY st.product_id, b.rejection_reason`;

const REPORT_PLATFORMS = `WITH ${SCOPED_TESTS}
  SELECT st.product_id AS product_id, ${DEVICE_OS} AS platform, COUNT(DISTINCT b.id) AS bugs
  FROM scoped_tests st CROSS JOIN bugs b ON b.customer_id = @cid AND b.test_id = st.id
  LEFT JOIN json_each(b.devices) d
  GROUP BY st.product_id, platform`;

/**
 * The operating systems of the tenant's test platforms and bug devices, from the counts the sync keeps in
 * the transaction that writes them (migration `*_derived_counts`, ADR 0018): a few rows, not every bug.
 */
const PLATFORMS = `SELECT os FROM platform_counts WHERE customer_id = @cid AND n > 0 ORDER BY os COLLATE NOCASE`;

const STATUS_KEYS = ['accepted', 'auto_accepted', 'rejected', 'forwarded'] as const;
const SEVERITY_KEYS = ['critical', 'high', 'low', 'visual', 'content', 'custom'] as const;

function toReportTest(r: ReportTestRaw): ReportTestRow {
  let environment: ReportTestRow['environment'] = null;
  if (r.environment) {
    try {
      const env = JSON.parse(r.environment) as { id?: unknown; title?: unknown } | null;
      if (env && typeof env.id === 'number')
        environment = { id: env.id, title: typeof env.title === 'string' ? env.title : null };
    } catch {
      environment = null;
    }
  }
  const bugsBySeverity: Record<string, number> = {};
  for (const key of SEVERITY_KEYS) if (r[key] > 0) bugsBySeverity[key] = r[key];
  return {
    id: r.id,
    productId: r.product_id,
    title: r.title,
    status: r.status,
    testingType: r.testing_type,
    startAt: fromDbTime(r.start_at),
    endAt: fromDbTime(r.end_at),
    environment,
    bugsSyncedAt: fromDbTime(r.bugs_synced_at),
    bugs: r.bugs,
    bugsByStatus: Object.fromEntries(STATUS_KEYS.map((k) => [k, r[k]])),
    bugsBySeverity,
    knownBugs: r.known,
  };
}

export interface AnalyticsReaderOptions {
  /**
   * Answer from the per-test aggregates where a query allows it (default). `false` always computes from
   * the bugs: the reference the aggregates are tested against.
   */
  readonly aggregates?: boolean;
}

export function createAnalyticsReader(
  db: Sqlite,
  customerId: number,
  options: AnalyticsReaderOptions = {},
): AnalyticsReader {
  const aggregates = options.aggregates ?? true;
  const cache = new Map<string, ReturnType<Sqlite['prepare']>>();
  const statement = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      if (cache.size > 500) cache.clear();
      cache.set(sql, stmt);
    }
    return stmt;
  };
  return {
    runMetricQuery(query: MetricQuery): Promise<MetricQueryResult> {
      return run(() => {
        const hasBugFilter = Boolean(query.scope.bugStatuses?.length || query.scope.severities?.length);
        const hasPlatformFilter = Boolean(query.scope.platforms?.length);
        const values = Object.entries(query.scope.dimensionValues ?? {}).filter(
          (entry): entry is [MetricDimension, readonly string[]] => (entry[1]?.length ?? 0) > 0,
        );
        const filterDimensions = values.map(([key]) => key).sort();
        const shape = { ...query, hasBugFilter, hasPlatformFilter, filterDimensions };
        const sql = (aggregates ? buildAggregateMetricSql(shape) : null) ?? buildMetricSql(shape);
        const valueParams: Record<string, string> = {};
        for (const [key, list] of values) {
          valueParams[`dv_${key}`] = JSON.stringify(list.map((v) => v.toLowerCase()));
          valueParams[`dvi_${key}`] = JSON.stringify(list.filter((v) => /^\d+$/.test(v)).map(Number));
        }
        const raw = statement(sql).all({
          ...scopeParams(customerId, query.scope),
          ...valueParams,
          limit: Math.max(1, Math.trunc(query.limit)),
        }) as Array<Record<string, unknown>>;
        const rows: MetricRow[] = raw.map((r) => ({
          dimensions: Object.fromEntries(
            query.dimensions.map((key, i) => {
              const label = r[`d${i}_label`];
              const id = r[`d${i}_id`];
              return [
                key,
                {
                  label: label === null || label === undefined ? null : String(label),
                  id: typeof id === 'number' ? id : null,
                },
              ];
            }),
          ),
          metrics: Object.fromEntries(
            query.metrics.map((key) => {
              const value = r[`m_${key}`];
              if (typeof value !== 'number') return [key, null];
              return [key, METRICS[key].kind === 'rate' ? round(value) : value];
            }),
          ),
        }));
        const total = raw[0]?.['total_rows'];
        return { rows, totalRows: typeof total === 'number' ? total : 0 };
      });
    },

    reportTests(scope: AnalyticsScope): Promise<ReportTestRow[]> {
      return run(() =>
        (
          statement(aggregates ? REPORT_TESTS_FROM_TOTALS : REPORT_TESTS).all(
            scopeParams(customerId, scope),
          ) as ReportTestRaw[]
        ).map(toReportTest),
      );
    },

    reportBreakdowns(scope: AnalyticsScope): Promise<ReportBreakdowns> {
      return run(() => {
        const params = scopeParams(customerId, scope);
        const rejectionReasons = statement(
          aggregates ? REPORT_REJECTIONS_FROM_COUNTS : REPORT_REJECTIONS,
        ).all(params) as Array<{
          product_id: number;
          reason: string | null;
          bugs: number;
        }>;
        const platforms = statement(REPORT_PLATFORMS).all(params) as Array<{
          product_id: number;
          platform: string | null;
          bugs: number;
        }>;
        return {
          rejectionReasons: rejectionReasons.map((r) => ({
            productId: r.product_id,
            reason: r.reason,
            bugs: r.bugs,
          })),
          platforms: platforms.map((r) => ({ productId: r.product_id, platform: r.platform, bugs: r.bugs })),
        };
      });
    },

    listPlatforms(): Promise<string[]> {
      return run(() =>
        (statement(PLATFORMS).all({ cid: customerId }) as Array<{ os: string }>).map((r) => r.os),
      );
    },
  };
}
