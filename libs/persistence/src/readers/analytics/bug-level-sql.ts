import {
  BUG_LEVEL,
  bugFiltersOf,
  dimensionsOf,
  metricsOf,
  metricStatement,
  type MetricSqlQuery,
} from './cube.js';
import { SQLITE, type AnalyticsDialect } from './dialect.js';

/**
 * Builds the statement of one metric query over the bugs, on either engine. Exported for tests; every
 * fragment comes from the maps of `cube.ts` and the dialect.
 */
export function buildMetricSql(query: MetricSqlQuery, dialect: AnalyticsDialect = SQLITE): string {
  const DIMENSIONS = dimensionsOf(dialect);
  const METRICS = metricsOf(dialect);
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
  const os = dialect.deviceOs;

  // Fact rows: tests (unless only bugs count), then bugs.
  const testPlatformFilter = query.hasPlatformFilter
    ? expandPlatform
      ? `AND ${dialect.inList(dialect.lower('tp.operating_system'), 'platforms', 'text')}`
      : `AND EXISTS (SELECT 1 FROM test_platforms x WHERE x.customer_id = @cid AND x.test_id = st.id
           AND ${dialect.inList(dialect.lower('x.operating_system'), 'platforms', 'text')})`
    : '';
  const testRows = `SELECT st.id AS test_id, NULL AS bug_id, ${expandFeature ? 'tf.feature_id' : 'NULL'} AS feature_id,
      ${expandPlatform ? 'tp.operating_system' : 'NULL'} AS platform
    FROM scoped_tests st
    ${expandFeature ? 'LEFT JOIN test_features tf ON tf.customer_id = @cid AND tf.test_id = st.id' : ''}
    ${expandPlatform ? 'LEFT JOIN test_platforms tp ON tp.customer_id = @cid AND tp.test_id = st.id' : ''}
    WHERE 1 = 1 ${testPlatformFilter}`;
  const bugPlatformFilter = query.hasPlatformFilter
    ? expandPlatform
      ? `AND ${dialect.inList(dialect.lower(os), 'platforms', 'text')}`
      : `AND ${dialect.deviceIn('b.devices', 'platforms')}`
    : '';
  const bugRows = `SELECT b.test_id AS test_id, b.id AS bug_id, ${expandFeature ? 'coalesce(b.feature_id, tfb.feature_id)' : 'NULL'} AS feature_id,
      ${expandPlatform ? os : 'NULL'} AS platform
    FROM scoped_tests st
    ${dialect.loopJoin} bugs b ON b.customer_id = @cid AND b.test_id = st.id
    ${expandFeature ? 'LEFT JOIN test_features tfb ON tfb.customer_id = @cid AND tfb.id = b.test_feature_id' : ''}
    ${expandPlatform ? dialect.devicesJoin('b.devices') : ''}
    WHERE b.customer_id = @cid AND ${bugFiltersOf(dialect, 'b')} ${bugPlatformFilter}`;
  const facts = bugsOnly ? bugRows : `${testRows}\n    UNION ALL\n    ${bugRows}`;

  return metricStatement({
    ...query,
    dialect,
    facts,
    bugJoin: true,
    dims,
    filtered,
    metrics: metrics.map(({ key, sql }) => ({ key, sql: sql.sql })),
  });
}
