import {
  BUG_FILTERS,
  BUG_LEVEL,
  DEVICE_OS,
  DIMENSIONS,
  METRICS,
  metricStatement,
  type MetricSqlQuery,
} from './cube.js';

/** Builds the statement of one metric query. Exported for tests; every fragment comes from the maps of `cube.ts`. */
export function buildMetricSql(query: MetricSqlQuery): string {
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
