import {
  BUG_LEVEL_DIMENSIONS,
  SEVERITY_SCORE_WEIGHTS,
  type AnalyticsScope,
  type MetricDimension,
  type MetricKey,
  type MetricQuery,
  type SortOrder,
} from '@testio-mcp/domain';
import { dbTime } from '../../time.js';
import { SQLITE, type AnalyticsDialect } from './dialect.js';

/**
 * The metric cube's vocabulary, and the outer query both statement builders share, for either engine:
 * the fragments that differ come from an {@link AnalyticsDialect} (ADR 0031). Every piece
 * of SQL comes from the closed maps below, keyed by the domain's dimension and metric vocabularies (exhaustive `Record`s, so a new
 * key cannot be forgotten); caller values are only ever bound as parameters (lists as one JSON
 * parameter read with `json_each` on SQLite, as an array on PostgreSQL).
 *
 * The cube is anchored on tests, not on test features (which would hide tests without features and their bugs): its fact rows are one row
 * per test (with bug columns NULL) plus one row per bug, so a test without features or bugs and a bug
 * without a feature link still count. Dimensions that describe a bug (tester, severity, status,
 * rejection_reason, known_bug) and bug filters keep only the bug rows. `feature` and `platform` are
 * many-to-many: a test row is repeated per feature it covered / operating system it required, a bug row
 * carries the bug's own feature / the operating systems of its devices. Every metric is a
 * `COUNT(DISTINCT ...)` (or a ratio of two), so repeated rows never inflate a number.
 */

export interface DimensionSql {
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

/** `join` is the inner join's keyword: the aggregate paths pin the fact rows as the outer loop (ADR 0021). */
const outerJoinsOf = (join: string): Record<OuterJoin, string> => ({
  products: `${join} products p ON p.customer_id = @cid AND p.id = t.product_id`,
  features: 'LEFT JOIN features fe ON fe.customer_id = @cid AND fe.id = f.feature_id',
  tester: 'LEFT JOIN users ut ON ut.customer_id = @cid AND ut.username = b.author',
  customer: 'LEFT JOIN users uc ON uc.customer_id = @cid AND uc.username = t.created_by',
  tester_aggregate: 'LEFT JOIN users ut ON ut.customer_id = @cid AND ut.username = f.author',
});
const OUTER_JOINS = outerJoinsOf('JOIN');

/** Memoised per dialect: the maps below are built once per engine. */
export function perDialect<T>(build: (d: AnalyticsDialect) => T): (d: AnalyticsDialect) => T {
  const built = new Map<AnalyticsDialect, T>();
  return (d) => {
    let value = built.get(d);
    if (value === undefined) {
      value = build(d);
      built.set(d, value);
    }
    return value;
  };
}

export const dimensionsOf = perDialect((d): Record<MetricDimension, DimensionSql> => ({
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
  month: { label: d.month('t.end_at') },
  week: { label: d.week('t.end_at') },
  quarter: { label: d.quarter('t.end_at') },
  rejection_reason: { label: 'b.rejection_reason' },
  test_environment: {
    label: d.json('t.environment', 'title', 'text'),
    id: d.json('t.environment', 'id', 'int'),
  },
  known_bug: { label: "CASE WHEN b.known THEN 'true' ELSE 'false' END" },
}));

/** The dimensions on SQLite. */
export const DIMENSIONS = dimensionsOf(SQLITE);

const ACCEPTED = "b.status IN ('accepted', 'auto_accepted')";
const bugsWhere = (condition: string): string => `COUNT(DISTINCT CASE WHEN ${condition} THEN b.id END)`;
export const ratioOf = (d: AnalyticsDialect, part: string, whole: string): string =>
  `${d.real(part)} / NULLIF(${whole}, 0)`;
/** {@link ratioOf} on SQLite. */
export const ratio = (part: string, whole: string): string => ratioOf(SQLITE, part, whole);
const SEVERITY_SCORE = Object.entries(SEVERITY_SCORE_WEIGHTS)
  .map(([severity, weight]) => `${weight} * ${bugsWhere(`b.severity = '${severity}'`)}`)
  .join(' + ');

interface MetricSql {
  readonly sql: string;
  readonly needs?: 'feature';
  /** Integer counts come back as integers, rates as fractions. */
  readonly kind: 'count' | 'rate';
}

export const metricsOf = perDialect((d): Record<MetricKey, MetricSql> => ({
  test_count: { sql: 'COUNT(DISTINCT f.test_id)', kind: 'count' },
  bug_count: { sql: 'COUNT(DISTINCT f.bug_id)', kind: 'count' },
  bug_severity_score: { sql: `(${SEVERITY_SCORE})`, kind: 'count' },
  features_tested: { sql: 'COUNT(DISTINCT f.feature_id)', needs: 'feature', kind: 'count' },
  active_testers: { sql: 'COUNT(DISTINCT b.author)', kind: 'count' },
  bugs_per_test: {
    sql: ratioOf(d, 'COUNT(DISTINCT f.bug_id)', 'COUNT(DISTINCT f.test_id)'),
    kind: 'rate',
  },
  tests_created: {
    sql: 'COUNT(DISTINCT CASE WHEN t.created_by IS NOT NULL THEN t.id END)',
    kind: 'count',
  },
  tests_submitted: {
    sql: 'COUNT(DISTINCT CASE WHEN t.submitted_by IS NOT NULL THEN t.id END)',
    kind: 'count',
  },
  overall_acceptance_rate: { sql: ratioOf(d, bugsWhere(ACCEPTED), 'COUNT(DISTINCT b.id)'), kind: 'rate' },
  rejection_rate: {
    sql: ratioOf(d, bugsWhere("b.status = 'rejected'"), 'COUNT(DISTINCT b.id)'),
    kind: 'rate',
  },
  review_rate: {
    sql: ratioOf(d, bugsWhere("b.status IN ('accepted', 'rejected')"), 'COUNT(DISTINCT b.id)'),
    kind: 'rate',
  },
  active_acceptance_rate: {
    sql: ratioOf(d, bugsWhere("b.status = 'accepted'"), 'COUNT(DISTINCT b.id)'),
    kind: 'rate',
  },
  auto_acceptance_rate: {
    sql: ratioOf(d, bugsWhere("b.status = 'auto_accepted'"), bugsWhere(ACCEPTED)),
    kind: 'rate',
  },
}));

/** The metrics on SQLite (the kinds are the same on every engine). */
export const METRICS = metricsOf(SQLITE);

/** A column of the outer query's `tests t` (word boundary: `st.id` and `ut.id` are other aliases). */
const TEST_COLUMN = /\bt\.(\w+)/g;

const DIRECTION: Record<SortOrder, string> = { asc: 'ASC', desc: 'DESC' };
export const BUG_LEVEL = new Set<MetricDimension>(BUG_LEVEL_DIMENSIONS);

/** How a list parameter is bound: one JSON text on SQLite, an array on PostgreSQL; `null` when absent. */
export type ListEncoding = (values: readonly (string | number)[]) => unknown;
const jsonList: ListEncoding = (values) => JSON.stringify(values);

/**
 * Named parameters of a scope (the same names in every statement). Exported for tests. Lists are JSON
 * text (SQLite's `json_each`) unless `encode` binds them otherwise; times are the stored text unless
 * `time` does.
 */
export function scopeParams(
  customerId: number,
  scope: AnalyticsScope,
  encode: ListEncoding = jsonList,
  time: (value: Date) => unknown = dbTime,
): Record<string, unknown> {
  const list = (values: readonly (string | number)[] | undefined) =>
    values === undefined || values.length === 0 ? null : encode(values);
  return {
    cid: customerId,
    products: list(scope.productIds),
    tests: list(scope.testIds),
    statuses: list(scope.testStatuses),
    types: list(scope.testingTypes),
    from: scope.from ? time(scope.from) : null,
    to: scope.to ? time(scope.to) : null,
    bug_statuses: list(scope.bugStatuses),
    severities: list(scope.severities),
    platforms: list(scope.platforms?.map((v) => v.toLowerCase())),
  };
}

/**
 * The tests of a scope (test filters only). Bugs are always reached from it with
 * `scoped_tests st CROSS JOIN bugs b ON ... b.test_id = st.id`: CROSS JOIN keeps that loop order in SQLite,
 * which otherwise (no statistics for the json_each filters) scanned every bug of the account and probed
 * the scope, 2× slower for one product of `medium` (docs/performance.md). `carried`: further test columns
 * the aggregate paths pass on into their fact rows (see `metricStatement`).
 */
const scopedTestsWith = (d: AnalyticsDialect, carried: readonly string[]) => `scoped_tests AS (
  SELECT ${['id', 'product_id', ...carried.filter((c) => c !== 'id' && c !== 'product_id')].map((c) => `t.${c}`).join(', ')} FROM tests t
  WHERE t.customer_id = @cid
    AND ${d.listFilter('t.product_id', 'products', 'int')}
    AND ${d.listFilter('t.id', 'tests', 'int')}
    AND ${d.listFilter('t.status', 'statuses', 'text')}
    AND ${d.listFilter('t.testing_type', 'types', 'text')}
    AND (${d.param('from', 'time')} IS NULL OR t.end_at >= ${d.param('from', 'time')})
    AND (${d.param('to', 'time')} IS NULL OR t.end_at <= ${d.param('to', 'time')})
)`;
/** {@link scopedTestsWith} selecting the id and product only, as the bug-level path and the reports read it. */
export const scopedTestsOf = perDialect((d) => scopedTestsWith(d, []));
export const SCOPED_TESTS = scopedTestsOf(SQLITE);

/** The scope's bug filters on the bug (or aggregate) row `alias`. */
export const bugFiltersOf = (d: AnalyticsDialect, alias: string): string =>
  `${d.listFilter(`${alias}.status`, 'bug_statuses', 'text')}
    AND ${d.listFilter(`${alias}.severity`, 'severities', 'text')}`;
export const BUG_FILTERS = bugFiltersOf(SQLITE, 'b');

export const DEVICE_OS = SQLITE.deviceOs;

/** The shape of one metric query, as both statement builders read it. */
export interface MetricSqlQuery extends Pick<MetricQuery, 'dimensions' | 'metrics' | 'sortBy' | 'sortOrder'> {
  readonly hasBugFilter: boolean;
  readonly hasPlatformFilter: boolean;
  /** Dimensions filtered on their values (`@dv_<key>` labels, `@dvi_<key>` ids). */
  readonly filterDimensions?: readonly MetricDimension[];
}

/** The outer query both paths share: labels, metrics, dimension filters, grouping, order and limit. */
export function metricStatement(q: {
  dialect?: AnalyticsDialect;
  /**
   * The fact rows. A function (the aggregate paths) receives the select-list items (`st.x AS t_x, `, or
   * nothing) that carry the scoped test's columns the outer query reads into each fact row: the outer
   * query then reads them as `f.t_x` instead of joining `tests` once per fact row (at `large` the author
   * path's 980,000 fact rows each fetched a wide `tests` row: most of its time, docs/performance.md).
   */
  facts: string | ((carry: string) => string);
  /** The bug-level path joins each fact row's bug back; the aggregate rows carry their attributes. */
  bugJoin: boolean;
  dims: readonly { key: MetricDimension; sql: DimensionSql }[];
  filtered: readonly { key: MetricDimension; sql: DimensionSql }[];
  metrics: readonly { key: MetricKey; sql: string }[];
  sortBy?: MetricQuery['sortBy'];
  sortOrder: SortOrder;
}): string {
  const { dims, filtered, metrics } = q;
  const dialect = q.dialect ?? SQLITE;
  const carrying = typeof q.facts === 'function';
  const outerJoins = carrying ? outerJoinsOf(dialect.loopJoin) : OUTER_JOINS;
  const joins = [...new Set([...dims, ...filtered].flatMap((d) => d.sql.joins ?? []))].map(
    (j) => outerJoins[j],
  );
  // A dimension filter keeps the fact rows whose label (case-insensitive) or id is among the values.
  const where = filtered.map(
    ({ key, sql }) =>
      `(${dialect.inList(dialect.lower(sql.label), `dv_${key}`, 'text')}${
        sql.id ? ` OR ${dialect.inList(sql.id, `dvi_${key}`, 'int')}` : ''
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
  const sortText = sortDim >= 0 ? dialect.textOrder(`d${sortDim}_label`) : sortColumn;
  const order = [
    ...(sortColumn ? [`${sortColumn} IS NULL`, `${sortText} ${dir}`] : []),
    ...dims.map((_, i) => `d${i}_label IS NULL, ${dialect.textOrder(`d${i}_label`)} ASC`),
    // Two groups can share a label (two features called "Checkout" in two products): their ids settle
    // the order, the same on both engines (NULL ids last on both: their defaults differ).
    ...dims.map((_, i) => `d${i}_id IS NULL, d${i}_id ASC`),
  ];

  // The aggregate rows come from scoped tests only: the test columns a label, a filter or a metric reads
  // (`t.x`, from the closed maps above) come with each fact row as `f.t_x`. The bug-level path joins
  // `tests` per fact row, as before.
  const outer = [...select, ...where, ...joins].join('\n');
  const carried = carrying ? [...new Set([...outer.matchAll(TEST_COLUMN)].map((m) => m[1] as string))] : [];
  const fromTest = (sql: string) => (carrying ? sql.replace(TEST_COLUMN, 'f.t_$1') : sql);
  const facts =
    typeof q.facts === 'function' ? q.facts(carried.map((c) => `st.${c} AS t_${c}, `).join('')) : q.facts;
  const readsTest = !carrying && (q.bugJoin || /\bt\./.test(outer));
  const grouped = `SELECT ${select.map(fromTest).join(',\n    ')}
  FROM facts f
  ${readsTest ? 'JOIN tests t ON t.customer_id = @cid AND t.id = f.test_id' : ''}
  ${q.bugJoin ? 'LEFT JOIN bugs b ON b.customer_id = @cid AND b.id = f.bug_id' : ''}
  ${joins.map(fromTest).join('\n  ')}
  ${where.length > 0 ? `WHERE ${where.map(fromTest).join(' AND ')}` : ''}
  ${groupBy}`;
  const orderBy = order.length > 0 ? `ORDER BY ${order.join(', ')}` : '';
  // PostgreSQL resolves output column names in ORDER BY only when they stand alone: order the groups outside.
  return `WITH ${carrying ? scopedTestsWith(dialect, carried) : scopedTestsOf(dialect)},
  facts AS (
    ${facts}
  )
  ${
    dialect.wrapOrder
      ? `SELECT * FROM (${grouped}) g
  ${orderBy}`
      : `${grouped}
  ${orderBy}`
  }
  LIMIT @limit`;
}
