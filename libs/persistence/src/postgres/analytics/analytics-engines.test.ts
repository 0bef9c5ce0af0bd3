/**
 * query_metrics and the quality report on PostgreSQL against SQLite (ADR 0031): the same seeded mirror,
 * written through each engine's SyncStores (each engine's triggers keep its counts and aggregates),
 * answers every random query alike on PostgreSQL's aggregate
 * paths, PostgreSQL's bug-level statements and SQLite, to the last digit and in the same order; every
 * aggregate table PostgreSQL's triggers keep equals a recount of its bugs; and both stay so after the same
 * raw writes on both engines (bugs changed, moved, deleted, devices and feature links rewritten, a test's
 * feature list and a test deleted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUG_SEVERITIES,
  BUG_STATUSES,
  EXECUTED_TEST_STATUSES,
  METRIC_DIMENSIONS,
  METRIC_KEYS,
  TESTING_TYPES,
  type AnalyticsReader,
  type AnalyticsScope,
  type MetricDimension,
  type MetricKey,
  type MetricQuery,
  type MetricQueryResult,
} from '@testio-mcp/domain';
import {
  fillAnalyticsMirror,
  MIRROR_PRODUCTS,
  MIRROR_SYSTEMS,
  MIRROR_TESTERS,
  pick,
  rng,
  some,
  type MirrorShape,
} from '../../__fixtures__/analytics-mirror.js';
import { aggregatePath, type AggregatePath } from '../../readers/analytics/aggregate-sql.js';
import { createAnalyticsReader } from '../../readers/analytics-reader.js';
import { createTestDatabase, type TestDatabase } from '../../testing.js';
import { createPgTestDatabase, type PgTestDatabase } from '../testing.js';
import { createPgAnalyticsReader } from './reader.js';

const AT = new Date('2025-10-01T00:00:00Z');
let lite: TestDatabase;
let pg: PgTestDatabase;
let shape: MirrorShape;
const readers = {} as Record<'sqlite' | 'pgAggregates' | 'pgBugLevel', AnalyticsReader>;

beforeAll(async () => {
  lite = createTestDatabase();
  pg = await createPgTestDatabase();
  shape = await fillAnalyticsMirror(lite.stores, { seed: 11, tests: 80, at: AT });
  await fillAnalyticsMirror(pg.stores, { seed: 11, tests: 80, at: AT });
  readers.sqlite = createAnalyticsReader(lite.sqlite, 1);
  readers.pgAggregates = createPgAnalyticsReader(pg.pool, 1);
  readers.pgBugLevel = createPgAnalyticsReader(pg.pool, 1, { aggregates: false });
}, 120_000);

afterAll(async () => {
  await lite?.cleanup();
  await pg?.cleanup();
});

const TEST_DIMENSIONS: MetricDimension[] = [
  'product',
  'customer',
  'testing_type',
  'month',
  'week',
  'quarter',
  'test_environment',
];
const FOCUS: MetricDimension[][] = [
  ['severity', 'status', 'rejection_reason', 'known_bug'],
  ['tester'],
  ['feature'],
  ['platform'],
];

/** Values a dimension filter can name: labels in other cases, ids, and values nothing has. */
const VALUES: Record<MetricDimension, string[]> = {
  feature: ['checkout 1', 'LOGIN 2', 'Feature 541', '511', '999'],
  product: [...MIRROR_PRODUCTS.flatMap((p) => [p.name.toUpperCase(), String(p.id)]), 'ärger-tracker'],
  platform: [...MIRROR_SYSTEMS, 'IOS', 'LINUX'],
  tester: [...MIRROR_TESTERS, 'UMA', 'émile'],
  customer: ['anna', 'BOB', 'nobody'],
  severity: [...BUG_SEVERITIES, 'CRITICAL'],
  status: [...BUG_STATUSES],
  testing_type: [...TESTING_TYPES],
  month: ['2024-12', '2025-01', '2025-03', '2025-04'],
  week: ['2024-W52', '2025-W00', '2025-W01', '2024-W00'],
  quarter: ['2024-Q4', '2025-Q1', '2025-Q2'],
  rejection_reason: ['not_reproducible', 'intended_behavior', 'out_of_scope'],
  test_environment: ['staging', 'PRODUCTION', '7', '8'],
  known_bug: ['true', 'false'],
};

function randomQuery(random: () => number, focus?: readonly MetricDimension[]): MetricQuery {
  const pool = focus ? [...focus, ...TEST_DIMENSIONS] : METRIC_DIMENSIONS;
  const dimensions = focus
    ? [...new Set([pick(random, focus), ...(random() < 0.5 ? some(random, pool, 2) : [])])]
    : some(random, pool, 3);
  const metrics = some(random, METRIC_KEYS, 4);
  const dimensionValues: Partial<Record<MetricDimension, string[]>> = {};
  if (random() < 0.4)
    for (const key of some(random, pool, 2)) dimensionValues[key] = some(random, VALUES[key], 3);
  const day = (offset: number) => new Date(Date.UTC(2024, 0, 1) + offset * 86_400_000);
  const scope: AnalyticsScope = {
    ...(random() < 0.3 ? { productIds: some(random, [1, 2, 3, 4], 2) } : {}),
    ...(random() < 0.5 ? { testStatuses: some(random, EXECUTED_TEST_STATUSES, 3) } : {}),
    ...(random() < 0.2 ? { testingTypes: some(random, TESTING_TYPES, 2) } : {}),
    ...(random() < 0.2 ? { from: day(Math.floor(random() * 500)) } : {}),
    ...(random() < 0.2 ? { to: day(200 + Math.floor(random() * 500)) } : {}),
    ...(!focus && random() < 0.25 ? { bugStatuses: some(random, BUG_STATUSES, 2) } : {}),
    ...(!focus && random() < 0.25 ? { severities: some(random, BUG_SEVERITIES, 3) } : {}),
    ...((!focus || focus.includes('platform')) && random() < 0.25
      ? { platforms: some(random, [...MIRROR_SYSTEMS, 'IOS'], 2) }
      : {}),
    ...(Object.keys(dimensionValues).length > 0 ? { dimensionValues } : {}),
  };
  const sortBy = pick<MetricDimension | MetricKey>(random, [...dimensions, ...metrics]);
  const limit = random() < 0.2 ? 1 + Math.floor(random() * 3) : 1000;
  return { dimensions, metrics, scope, sortBy, sortOrder: random() < 0.5 ? 'asc' : 'desc', limit };
}

function pathOf(q: MetricQuery): AggregatePath | null {
  return aggregatePath({
    ...q,
    hasBugFilter: Boolean(q.scope.bugStatuses?.length || q.scope.severities?.length),
    hasPlatformFilter: Boolean(q.scope.platforms?.length),
    filterDimensions: Object.keys(q.scope.dimensionValues ?? {}).sort() as MetricDimension[],
  });
}

/** The dimensions whose ids are `users.id`: numbered by each engine's store in its own order. */
const USER_DIMENSIONS = new Set<string>(['tester', 'customer']);

/**
 * The groups in a fixed order (ties of the sort column may come back in either order), and the order the
 * engine gave: per row the sort value and every label, which ties cannot reorder but for groups whose
 * labels are all equal (a title two ids share). With `acrossEngines`, a user's id only says whether the
 * label is a known user: the stores number users by first sight, and the engines' stores see a batch's
 * users in different orders.
 */
function canonical(q: MetricQuery, result: MetricQueryResult, acrossEngines = false) {
  const order = result.rows.map((r) => [
    q.sortBy && q.sortBy in r.metrics ? r.metrics[q.sortBy] : r.dimensions[q.sortBy ?? '']?.label,
    ...q.dimensions.map((d) => r.dimensions[d]?.label),
  ]);
  const comparable = (r: MetricQueryResult['rows'][number]) =>
    acrossEngines
      ? {
          ...r,
          dimensions: Object.fromEntries(
            Object.entries(r.dimensions).map(([key, value]) => [
              key,
              USER_DIMENSIONS.has(key) ? { ...value, id: value.id !== null } : value,
            ]),
          ),
        }
      : r;
  // A limit cuts ties anywhere: then only the order and the count before the limit are comparable.
  const rows = q.limit < 1000 ? [] : result.rows.map((r) => JSON.stringify(comparable(r))).sort();
  return { totalRows: result.totalRows, order: JSON.stringify(order), rows };
}

async function compare(seed: number, cases: number) {
  const random = rng(seed);
  const byPath: Partial<Record<AggregatePath | 'bug level', number>> = {};
  let nonEmpty = 0;
  for (let i = 0; i < cases; i += 1) {
    const q = randomQuery(random, i % 2 === 1 ? FOCUS[((i - 1) / 2) % FOCUS.length] : undefined);
    const [sqlite, pgAggregates, pgBugLevel] = await Promise.all([
      readers.sqlite.runMetricQuery(q),
      readers.pgAggregates.runMetricQuery(q),
      readers.pgBugLevel.runMetricQuery(q),
    ]);
    expect(canonical(q, pgAggregates, true), `PostgreSQL: ${JSON.stringify(q)}`).toEqual(
      canonical(q, sqlite, true),
    );
    expect(canonical(q, pgBugLevel), `bug level: ${JSON.stringify(q)}`).toEqual(canonical(q, pgAggregates));
    const path = pathOf(q) ?? 'bug level';
    byPath[path] = (byPath[path] ?? 0) + 1;
    if (sqlite.rows.length > 0) nonEmpty += 1;
  }
  // The quality report's rows and breakdowns, from the aggregates and from the bugs.
  for (let i = 0; i < 25; i += 1) {
    const { scope } = randomQuery(random);
    const tests = await readers.sqlite.reportTests(scope);
    expect(await readers.pgAggregates.reportTests(scope), JSON.stringify(scope)).toEqual(tests);
    expect(await readers.pgBugLevel.reportTests(scope), JSON.stringify(scope)).toEqual(tests);
    const sorted = (b: Awaited<ReturnType<AnalyticsReader['reportBreakdowns']>>) => ({
      rejectionReasons: b.rejectionReasons.map((r) => JSON.stringify(r)).sort(),
      platforms: b.platforms.map((r) => JSON.stringify(r)).sort(),
    });
    const breakdowns = sorted(await readers.sqlite.reportBreakdowns(scope));
    expect(sorted(await readers.pgAggregates.reportBreakdowns(scope)), JSON.stringify(scope)).toEqual(
      breakdowns,
    );
    expect(sorted(await readers.pgBugLevel.reportBreakdowns(scope)), JSON.stringify(scope)).toEqual(
      breakdowns,
    );
  }
  expect(await readers.pgAggregates.listPlatforms()).toEqual(await readers.sqlite.listPlatforms());
  return { byPath, nonEmpty };
}

const WIDE = 'bugs, accepted, auto_accepted, rejected, critical, high, low, visual, content, custom';
const RECOUNT = `count(*) AS bugs, count(*) FILTER (WHERE status = 'accepted') AS accepted,
  count(*) FILTER (WHERE status = 'auto_accepted') AS auto_accepted, count(*) FILTER (WHERE status = 'rejected') AS rejected,
  ${['critical', 'high', 'low', 'visual', 'content', 'custom']
    .map((s) => `count(*) FILTER (WHERE severity = '${s}') AS ${s}`)
    .join(', ')}`;

/** Every aggregate table PostgreSQL's triggers keep, and the same from a recount of the bugs. */
async function keptVsRecounted(): Promise<{ kept: unknown[]; recounted: unknown[] }> {
  const rows = async (sql: string) => (await pg.pool.query(sql)).rows as unknown[];
  const c = 'customer_id = 1';
  return {
    kept: [
      ...(await rows(`SELECT test_id, status, severity, known, rejection_reason, author, bugs FROM test_bug_counts
         WHERE ${c} ORDER BY 1, 2, 3, 4, 5, 6`)),
      ...(await rows(`SELECT test_id, bugs, accepted, auto_accepted, rejected, forwarded, critical, high, low, visual,
           content, custom, known FROM test_bug_totals WHERE ${c} AND bugs > 0 ORDER BY test_id`)),
      ...(await rows(`SELECT test_id, status, severity, known, rejection_reason, bugs FROM test_bug_attr_counts
         WHERE ${c} ORDER BY 1, 2, 3, 4, 5`)),
      ...(await rows(`SELECT test_id, author, ${WIDE} FROM test_author_bug_totals WHERE ${c} ORDER BY 1, 2`)),
      ...(await rows(`SELECT test_id, feature_id, test_feature_id, ${WIDE} FROM test_feature_bug_totals
         WHERE ${c} ORDER BY 1, 2, 3`)),
      ...(await rows(`SELECT test_id, os, ${WIDE} FROM test_platform_bug_totals WHERE ${c} ORDER BY 1, 2`)),
      ...(await rows(`SELECT os, n FROM platform_counts WHERE ${c} AND n > 0 ORDER BY os`)),
    ],
    recounted: [
      ...(await rows(`SELECT test_id, status, severity, known, rejection_reason, author, count(*) AS bugs FROM bugs
         WHERE ${c} GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`)),
      ...(await rows(`SELECT test_id, ${RECOUNT.replace(/ AS rejected,/, " AS rejected, count(*) FILTER (WHERE status = 'forwarded') AS forwarded,")},
           count(*) FILTER (WHERE known) AS known
         FROM bugs WHERE ${c} GROUP BY test_id ORDER BY test_id`)),
      ...(await rows(`SELECT test_id, status, severity, known, rejection_reason, count(*) AS bugs FROM bugs
         WHERE ${c} GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`)),
      ...(await rows(`SELECT test_id, author, ${RECOUNT} FROM bugs WHERE ${c} GROUP BY 1, 2 ORDER BY 1, 2`)),
      ...(await rows(`SELECT test_id, feature_id, test_feature_id, ${RECOUNT} FROM bugs
         WHERE ${c} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)),
      ...(await rows(`SELECT test_id, os, ${RECOUNT} FROM (
           SELECT DISTINCT b.id, b.test_id, b.status, b.severity, d.value ->> 'operating_system' AS os
           FROM bugs b LEFT JOIN LATERAL jsonb_array_elements(b.devices) AS d(value) ON true WHERE b.${c}
         ) x GROUP BY 1, 2 ORDER BY 1, 2`)),
      ...(await rows(`SELECT os, count(*) AS n FROM (
           SELECT DISTINCT 'p' || tp.test_id || '/' || tp.position AS k, tp.operating_system AS os
           FROM test_platforms tp WHERE tp.${c} AND tp.operating_system IS NOT NULL
           UNION
           SELECT DISTINCT 'b' || b.id, d.value ->> 'operating_system'
           FROM bugs b, jsonb_array_elements(b.devices) AS d(value)
           WHERE b.${c} AND d.value ->> 'operating_system' IS NOT NULL
         ) x GROUP BY os ORDER BY os`)),
    ],
  };
}

/** The same statement on both engines (`?` parameters; PostgreSQL's spelled `$n` here). */
async function onBoth(sql: string, ...params: unknown[]): Promise<void> {
  lite.sqlite.prepare(sql).run(...params);
  let n = 0;
  await pg.pool.query(
    sql.replace(/\?/g, () => `$${(n += 1)}`),
    params,
  );
}

describe('analytics on PostgreSQL answer as on SQLite', () => {
  it('keeps every aggregate table equal to a recount of the bugs', async () => {
    const { kept, recounted } = await keptVsRecounted();
    expect(kept.length).toBeGreaterThan(100);
    expect(kept).toEqual(recounted);
  });

  it('gives the same groups, values and order on 160 random queries, and the same report', async () => {
    const { byPath, nonEmpty } = await compare(18, 160);
    for (const path of ['totals', 'attrs', 'feature', 'platform', 'author', 'counts', 'bug level'] as const)
      expect(byPath[path] ?? 0, `${path}: ${JSON.stringify(byPath)}`).toBeGreaterThan(5);
    expect(nonEmpty).toBeGreaterThan(100);
  }, 180_000);

  it('stays equal after the same writes on both engines', async () => {
    const random = rng(21);
    const { bugIds, testIds } = shape;
    for (let i = 0; i < 60; i += 1) {
      const other = random() < 0.2 ? -1 : pick(random, bugIds);
      await onBoth(
        `UPDATE bugs SET devices = coalesce((SELECT devices FROM bugs x WHERE x.customer_id = 1 AND x.id = ?), '[]')
         WHERE customer_id = 1 AND id = ?`,
        other,
        pick(random, bugIds),
      );
      await onBoth(
        `UPDATE bugs SET feature_id = CASE WHEN ? = 1 THEN feature_id END,
           test_feature_id = (SELECT id FROM test_features tf WHERE tf.customer_id = 1 AND tf.test_id = bugs.test_id
                              ORDER BY id LIMIT 1 OFFSET ?)
         WHERE customer_id = 1 AND id = ?`,
        random() < 0.5 ? 1 : 0,
        Math.floor(random() * 3),
        pick(random, bugIds),
      );
    }
    for (let i = 0; i < 150; i += 1) {
      const status = pick(random, [...BUG_STATUSES, null]);
      await onBoth(
        `UPDATE bugs SET status = ?, severity = ?, known = (? = 1),
           rejection_reason = CASE WHEN status = 'rejected' THEN ? END,
           author = CASE WHEN ? = 1 THEN NULL ELSE author END
         WHERE customer_id = 1 AND id = ?`,
        status,
        pick(random, [...BUG_SEVERITIES, null]),
        random() < 0.2 ? 1 : 0,
        pick(random, ['not_reproducible', 'intended_behavior', null]),
        random() < 0.1 ? 1 : 0,
        pick(random, bugIds),
      );
    }
    for (let i = 0; i < 30; i += 1) {
      const testId = pick(random, testIds);
      await onBoth(
        `UPDATE bugs SET test_id = ?, product_id = (SELECT product_id FROM tests t WHERE t.customer_id = 1 AND t.id = ?)
         WHERE customer_id = 1 AND id = ?`,
        testId,
        testId,
        pick(random, bugIds),
      );
    }
    await onBoth(
      `DELETE FROM test_features WHERE customer_id = 1 AND test_id = (
         SELECT min(test_id) FROM bugs WHERE customer_id = 1 AND test_feature_id IS NOT NULL)`,
    );
    await onBoth('DELETE FROM bugs WHERE customer_id = 1 AND id % 17 = 0');
    await onBoth('DELETE FROM tests WHERE customer_id = 1 AND id = ?', pick(random, testIds));

    const { kept, recounted } = await keptVsRecounted();
    expect(kept).toEqual(recounted);
    const { byPath } = await compare(42, 80);
    expect(Object.keys(byPath).length).toBeGreaterThan(5);
  }, 180_000);
});
