/**
 * The aggregate paths of `query_metrics` (ADR 0021: bug counts the sync keeps per test by trigger) against
 * the bug-level computation they replace, on random dimensions, metrics and filters over a synced sandbox
 * mirror (seed 7, small): the same groups with the same values to the last digit, before and after
 * writes that change, move and delete bugs and rewrite their devices and features. Besides fully random
 * queries, each path gets queries drawn from the dimensions it serves, so every path is compared often.
 * The same on PostgreSQL (ADR 0031): the sandbox synced into a PostgreSQL mirror by the same engine, its
 * aggregate paths against its bug-level statements, before and after the same kind of writes.
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
  aggregatePath,
  createAnalyticsReader,
  createPgAnalyticsReader,
  type AggregatePath,
} from '@testio-mcp/persistence';
import { createPgTestDatabase, type PgTestDatabase } from '@testio-mcp/persistence/testing';
import { createSyncEngine } from '@testio-mcp/sync';
import { createCaptureLogger } from '@testio-mcp/sync/testing';
import { pick, rng } from './__fixtures__/random.js';
import { startStack, type Stack } from './__fixtures__/stack.js';

let stack: Stack;
let aggregates: AnalyticsReader;
let bugLevel: AnalyticsReader;
const aggregatesReader = () => aggregates;
const bugLevelReader = () => bugLevel;

beforeAll(async () => {
  stack = await startStack();
  aggregates = createAnalyticsReader(stack.db.sqlite, stack.db.customerId);
  bugLevel = createAnalyticsReader(stack.db.sqlite, stack.db.customerId, { aggregates: false });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

/** Up to `max` distinct items, at least one. */
function some<T>(random: () => number, items: readonly T[], max: number): T[] {
  const n = 1 + Math.floor(random() * Math.min(max, items.length));
  const left = [...items];
  const out: T[] = [];
  while (out.length < n) out.push(...left.splice(Math.floor(random() * left.length), 1));
  return out;
}

const sqlValues = (sql: string): string[] =>
  (stack.db.sqlite.prepare(sql).pluck().all({ c: stack.db.customerId }) as unknown[])
    .filter((v): v is string | number => v !== null)
    .map(String);

/** Values a dimension filter can name, read from the mirror (labels, and ids where the dimension has them). */
function dimensionValues(): Record<MetricDimension, string[]> {
  return {
    feature: sqlValues(
      'SELECT title FROM features WHERE customer_id = @c UNION ALL SELECT id FROM features WHERE customer_id = @c',
    ),
    product: sqlValues(
      'SELECT title FROM products WHERE customer_id = @c UNION ALL SELECT id FROM products WHERE customer_id = @c',
    ),
    platform: sqlValues('SELECT os FROM platform_counts WHERE customer_id = @c'),
    tester: sqlValues(
      'SELECT DISTINCT author FROM bugs WHERE customer_id = @c UNION ALL SELECT id FROM users WHERE customer_id = @c',
    ),
    customer: sqlValues(
      'SELECT DISTINCT created_by FROM tests WHERE customer_id = @c UNION ALL SELECT id FROM users WHERE customer_id = @c',
    ),
    severity: [...BUG_SEVERITIES, 'CRITICAL'],
    status: [...BUG_STATUSES],
    testing_type: [...TESTING_TYPES],
    month: sqlValues("SELECT DISTINCT strftime('%Y-%m', end_at) FROM tests WHERE customer_id = @c"),
    week: sqlValues("SELECT DISTINCT strftime('%Y-W%W', end_at) FROM tests WHERE customer_id = @c"),
    quarter: sqlValues(
      "SELECT DISTINCT strftime('%Y', end_at) || '-Q' || ((CAST(strftime('%m', end_at) AS INTEGER) + 2) / 3) FROM tests WHERE customer_id = @c",
    ),
    rejection_reason: sqlValues('SELECT DISTINCT rejection_reason FROM bugs WHERE customer_id = @c'),
    test_environment: sqlValues(
      "SELECT DISTINCT json_extract(environment, '$.title') FROM tests WHERE customer_id = @c UNION SELECT DISTINCT json_extract(environment, '$.id') FROM tests WHERE customer_id = @c",
    ),
    known_bug: ['true', 'false'],
  };
}

const TEST_DIMENSIONS: MetricDimension[] = [
  'product',
  'customer',
  'testing_type',
  'month',
  'week',
  'quarter',
  'test_environment',
];

/**
 * A random query; with `focus`, its dimensions (and dimension filters) are `focus` plus test dimensions
 * and it has no bug filter (the platform filter only with `platform`), the queries a path serves.
 */
function randomQuery(
  random: () => number,
  values: Record<MetricDimension, string[]>,
  focus?: readonly MetricDimension[],
): MetricQuery {
  const productIds = sqlValues('SELECT id FROM products WHERE customer_id = @c').map(Number);
  const pool = focus ? [...focus, ...TEST_DIMENSIONS] : METRIC_DIMENSIONS;
  const dimensions = focus
    ? [...new Set([pick(random, focus), ...(random() < 0.5 ? some(random, pool, 2) : [])])]
    : some(random, pool, 3);
  const metrics = some(random, METRIC_KEYS, 4);
  const filterKeys = random() < 0.4 ? some(random, pool, 2) : [];
  const dimensionFilter: Partial<Record<MetricDimension, string[]>> = {};
  for (const key of filterKeys)
    if (values[key].length > 0) dimensionFilter[key] = some(random, values[key], 3);
  const day = (offset: number) => new Date(Date.UTC(2024, 0, 1) + offset * 86_400_000);
  const from = random() < 0.3 ? day(Math.floor(random() * 500)) : undefined;
  const scope: AnalyticsScope = {
    ...(random() < 0.4 ? { productIds: some(random, productIds, 3) } : {}),
    ...(random() < 0.7 ? { testStatuses: some(random, EXECUTED_TEST_STATUSES, 4) } : {}),
    ...(random() < 0.2 ? { testingTypes: some(random, TESTING_TYPES, 2) } : {}),
    ...(from ? { from } : {}),
    ...(random() < 0.2 ? { to: day(200 + Math.floor(random() * 500)) } : {}),
    ...(!focus && random() < 0.25 ? { bugStatuses: some(random, BUG_STATUSES, 2) } : {}),
    ...(!focus && random() < 0.25 ? { severities: some(random, BUG_SEVERITIES, 3) } : {}),
    ...((!focus || focus.includes('platform')) && random() < (focus ? 0.3 : 0.1) && values.platform.length > 0
      ? { platforms: some(random, values.platform, 2) }
      : {}),
    ...(Object.keys(dimensionFilter).length > 0 ? { dimensionValues: dimensionFilter } : {}),
  };
  const sortBy = pick<MetricDimension | MetricKey>(random, [...dimensions, ...metrics]);
  return { dimensions, metrics, scope, sortBy, sortOrder: random() < 0.5 ? 'asc' : 'desc', limit: 1000 };
}

/** The aggregate path the reader answers this query from (the shape `runMetricQuery` builds), or null. */
function pathOf(q: MetricQuery): AggregatePath | null {
  return aggregatePath({
    ...q,
    hasBugFilter: Boolean(q.scope.bugStatuses?.length || q.scope.severities?.length),
    hasPlatformFilter: Boolean(q.scope.platforms?.length),
    filterDimensions: Object.keys(q.scope.dimensionValues ?? {}).sort() as MetricDimension[],
  });
}

/** Groups in a fixed order: ties of the sort column may come back in either order on either path. */
function canonical(result: MetricQueryResult): { totalRows: number; rows: string[] } {
  return { totalRows: result.totalRows, rows: result.rows.map((r) => JSON.stringify(r)).sort() };
}

/** The focused queries of each path (see randomQuery). */
const FOCUS: Record<Exclude<AggregatePath, 'totals' | 'counts'>, MetricDimension[]> = {
  attrs: ['severity', 'status', 'rejection_reason', 'known_bug'],
  author: ['tester'],
  feature: ['feature'],
  platform: ['platform'],
};

interface Compared {
  aggregated: number;
  nonEmpty: number;
  byPath: Partial<Record<AggregatePath, number>>;
}

async function compare(
  seed: number,
  cases: number,
  aggregates: AnalyticsReader = aggregatesReader(),
  bugLevel: AnalyticsReader = bugLevelReader(),
): Promise<Compared> {
  const random = rng(seed);
  const values = dimensionValues();
  // The quality report's per-test rows and rejection reasons come from the aggregates too.
  for (let i = 0; i < 30; i += 1) {
    const { scope } = randomQuery(random, values);
    const reportScope = scope;
    expect(await aggregates.reportTests(reportScope), JSON.stringify(scope)).toEqual(
      await bugLevel.reportTests(reportScope),
    );
    const [fast, reference] = await Promise.all([
      aggregates.reportBreakdowns(reportScope),
      bugLevel.reportBreakdowns(reportScope),
    ]);
    const sorted = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(sorted(fast.rejectionReasons), JSON.stringify(scope)).toEqual(sorted(reference.rejectionReasons));
    expect(sorted(fast.platforms), JSON.stringify(scope)).toEqual(sorted(reference.platforms));
  }
  let aggregated = 0;
  let nonEmpty = 0;
  const byPath: Compared['byPath'] = {};
  const focuses = Object.values(FOCUS);
  for (let i = 0; i < cases; i += 1) {
    // Every other query is drawn for one path in turn, the others from every dimension and filter.
    const q = randomQuery(random, values, i % 2 === 1 ? focuses[((i - 1) / 2) % focuses.length] : undefined);
    const [fast, reference] = await Promise.all([aggregates.runMetricQuery(q), bugLevel.runMetricQuery(q)]);
    expect(canonical(fast), JSON.stringify(q)).toEqual(canonical(reference));
    const path = pathOf(q);
    if (path) {
      aggregated += 1;
      byPath[path] = (byPath[path] ?? 0) + 1;
    }
    if (reference.rows.length > 0) nonEmpty += 1;
  }
  return { aggregated, nonEmpty, byPath };
}

const WIDE = 'bugs, accepted, auto_accepted, rejected, critical, high, low, visual, content, custom';
const RECOUNT = `count(*) AS bugs, sum(status IS 'accepted') AS accepted, sum(status IS 'auto_accepted') AS auto_accepted,
  sum(status IS 'rejected') AS rejected, ${['critical', 'high', 'low', 'visual', 'content', 'custom']
    .map((s) => `sum(severity IS '${s}') AS ${s}`)
    .join(', ')}`;

/** The kept counts (every aggregate table) against a recount of the bugs. */
function keptVsRecounted(): { kept: unknown[]; recounted: unknown[] } {
  const rows = (sql: string) => stack.db.sqlite.prepare(sql).all({ c: stack.db.customerId });
  return {
    kept: [
      ...rows(
        `SELECT test_id, status, severity, known, rejection_reason, author, bugs FROM test_bug_counts
         WHERE customer_id = @c ORDER BY 1, 2, 3, 4, 5, 6`,
      ),
      ...rows(
        `SELECT test_id, bugs, accepted, auto_accepted, rejected, forwarded, critical, high, low, visual,
           content, custom, known
         FROM test_bug_totals WHERE customer_id = @c AND bugs > 0 ORDER BY test_id`,
      ),
      ...rows(
        `SELECT test_id, status, severity, known, rejection_reason, bugs FROM test_bug_attr_counts
         WHERE customer_id = @c ORDER BY 1, 2, 3, 4, 5`,
      ),
      ...rows(
        `SELECT test_id, author, ${WIDE} FROM test_author_bug_totals WHERE customer_id = @c ORDER BY 1, 2`,
      ),
      ...rows(
        `SELECT test_id, feature_id, test_feature_id, ${WIDE} FROM test_feature_bug_totals
         WHERE customer_id = @c ORDER BY 1, 2, 3`,
      ),
      ...rows(
        `SELECT test_id, os, ${WIDE} FROM test_platform_bug_totals WHERE customer_id = @c ORDER BY 1, 2`,
      ),
    ],
    recounted: [
      ...rows(
        `SELECT test_id, status, severity, known, rejection_reason, author, count(*) AS bugs FROM bugs
         WHERE customer_id = @c GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`,
      ),
      ...rows(
        `SELECT test_id, count(*) AS bugs, sum(status IS 'accepted') AS accepted,
           sum(status IS 'auto_accepted') AS auto_accepted, sum(status IS 'rejected') AS rejected,
           sum(status IS 'forwarded') AS forwarded, sum(severity IS 'critical') AS critical,
           sum(severity IS 'high') AS high, sum(severity IS 'low') AS low, sum(severity IS 'visual') AS visual,
           sum(severity IS 'content') AS content, sum(severity IS 'custom') AS custom, sum(known <> 0) AS known
         FROM bugs WHERE customer_id = @c GROUP BY test_id ORDER BY test_id`,
      ),
      ...rows(
        `SELECT test_id, status, severity, known, rejection_reason, count(*) AS bugs FROM bugs
         WHERE customer_id = @c GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
      ),
      ...rows(
        `SELECT test_id, author, ${RECOUNT} FROM bugs WHERE customer_id = @c GROUP BY 1, 2 ORDER BY 1, 2`,
      ),
      ...rows(
        `SELECT test_id, feature_id, test_feature_id, ${RECOUNT} FROM bugs
         WHERE customer_id = @c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      ),
      ...rows(
        `SELECT test_id, os, ${RECOUNT} FROM (
           SELECT DISTINCT b.id, b.test_id, b.status, b.severity, json_extract(d.value, '$.operating_system') AS os
           FROM bugs b LEFT JOIN json_each(b.devices) d WHERE b.customer_id = @c
         ) GROUP BY 1, 2 ORDER BY 1, 2`,
      ),
    ],
  };
}

describe('query_metrics: aggregates vs bug level', () => {
  it('gives the same groups and values on 400 random queries over the synced mirror, on every path', async () => {
    // (A sync error under load may leave a product partly read; the comparison holds on any mirror.)
    const { kept, recounted } = keptVsRecounted();
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(recounted);
    const { aggregated, nonEmpty, byPath } = await compare(18, 400);
    // Most queries take an aggregate path, every path is compared, and most have groups to compare.
    expect(aggregated).toBeGreaterThan(200);
    for (const path of ['totals', 'attrs', 'feature', 'platform', 'author', 'counts'] as const)
      expect(byPath[path] ?? 0, `${path}: ${JSON.stringify(byPath)}`).toBeGreaterThan(10);
    expect(nonEmpty).toBeGreaterThan(250);
  });

  it('stays equal after writes that change, move and delete bugs, rewrite devices and feature links, and delete a test', async () => {
    const db = stack.db.sqlite;
    const c = stack.db.customerId;
    const tests = db
      .prepare('SELECT id FROM tests WHERE customer_id = ? ORDER BY id')
      .pluck()
      .all(c) as number[];
    const random = rng(21);
    const bugs = db
      .prepare('SELECT id FROM bugs WHERE customer_id = ? ORDER BY id')
      .pluck()
      .all(c) as number[];
    const update = db.prepare(
      `UPDATE bugs SET status = @status, severity = @severity, known = @known,
         rejection_reason = CASE WHEN @status = 'rejected' THEN @reason ELSE NULL END,
         author = CASE WHEN @anonymous THEN NULL ELSE author END
       WHERE customer_id = @c AND id = @id`,
    );
    const move = db.prepare(
      `UPDATE bugs SET test_id = @test, product_id = (SELECT product_id FROM tests WHERE customer_id = @c AND id = @test)
       WHERE customer_id = @c AND id = @id`,
    );
    // Another bug's devices (other systems, or none), and a feature link of the bug's own test or none.
    const devices = db.prepare(
      `UPDATE bugs SET devices = coalesce((SELECT devices FROM bugs WHERE customer_id = @c AND id = @other), '[]')
       WHERE customer_id = @c AND id = @id`,
    );
    const relink = db.prepare(
      `UPDATE bugs SET feature_id = CASE WHEN @keep THEN feature_id END,
         test_feature_id = (SELECT id FROM test_features WHERE customer_id = @c AND test_id = bugs.test_id
                            ORDER BY id LIMIT 1 OFFSET @n)
       WHERE customer_id = @c AND id = @id`,
    );
    db.transaction(() => {
      for (let i = 0; i < 100; i += 1) {
        devices.run({ c, id: pick(random, bugs), other: random() < 0.2 ? -1 : pick(random, bugs) });
        relink.run({ c, id: pick(random, bugs), keep: random() < 0.5 ? 1 : 0, n: Math.floor(random() * 3) });
      }
      // A test's feature list rewritten: the bugs' test feature links resolve to nothing now.
      db.prepare(
        'DELETE FROM test_features WHERE customer_id = ? AND test_id = (SELECT test_id FROM bugs WHERE customer_id = ? AND test_feature_id IS NOT NULL LIMIT 1)',
      ).run(c, c);
      for (let i = 0; i < 300; i += 1) {
        update.run({
          c,
          id: pick(random, bugs),
          status: pick(random, [...BUG_STATUSES, null]),
          severity: pick(random, [...BUG_SEVERITIES, null]),
          known: random() < 0.2 ? 1 : 0,
          reason: pick(random, ['not_reproducible', 'intended_behavior', null]),
          anonymous: random() < 0.1 ? 1 : 0,
        });
      }
      for (let i = 0; i < 50; i += 1) move.run({ c, id: pick(random, bugs), test: pick(random, tests) });
      db.prepare('DELETE FROM bugs WHERE customer_id = ? AND id % 17 = 0').run(c);
      db.prepare('DELETE FROM tests WHERE customer_id = ? AND id = ?').run(c, pick(random, tests));
    })();

    const { kept, recounted } = keptVsRecounted();
    expect(kept).toEqual(recounted);
    const { aggregated, byPath } = await compare(42, 200);
    expect(aggregated).toBeGreaterThan(100);
    for (const path of ['feature', 'platform', 'author'] as const)
      expect(byPath[path] ?? 0, `${path}: ${JSON.stringify(byPath)}`).toBeGreaterThan(5);
  });
});

describe('query_metrics on PostgreSQL: aggregates vs bug level', () => {
  let pg: PgTestDatabase;
  let pgAggregates: AnalyticsReader;
  let pgBugLevel: AnalyticsReader;

  beforeAll(async () => {
    pg = await createPgTestDatabase({ customerId: stack.db.customerId });
    const engine = createSyncEngine({
      api: stack.api,
      stores: pg.stores,
      clock: stack.clock,
      logger: createCaptureLogger(),
      options: { holderId: 'services-test-postgres' },
    });
    await engine.run({ mode: 'force', trigger: 'manual_cli' });
    pgAggregates = createPgAnalyticsReader(pg.pool, pg.customerId);
    pgBugLevel = createPgAnalyticsReader(pg.pool, pg.customerId, { aggregates: false });
  }, 180_000);
  afterAll(async () => {
    await pg?.cleanup();
  });

  it('gives the same groups and values on 200 random queries over the synced mirror, on every path, before and after writes', async () => {
    const before = await compare(19, 200, pgAggregates, pgBugLevel);
    expect(before.aggregated).toBeGreaterThan(100);
    for (const path of ['totals', 'attrs', 'feature', 'platform', 'author', 'counts'] as const)
      expect(before.byPath[path] ?? 0, `${path}: ${JSON.stringify(before.byPath)}`).toBeGreaterThanOrEqual(5);
    expect(before.nonEmpty).toBeGreaterThan(120);

    // The writes of the SQLite case above, in PostgreSQL's SQL, in one transaction.
    const client = await pg.pool.connect();
    try {
      const c = pg.customerId;
      const ids = async (table: string) =>
        (
          await client.query<{ id: number }>(`SELECT id FROM ${table} WHERE customer_id = $1 ORDER BY id`, [
            c,
          ])
        ).rows.map((r) => r.id);
      const tests = await ids('tests');
      const bugs = await ids('bugs');
      const random = rng(22);
      await client.query('BEGIN');
      for (let i = 0; i < 100; i += 1) {
        await client.query(
          `UPDATE bugs SET devices = coalesce((SELECT devices FROM bugs x WHERE x.customer_id = $1 AND x.id = $2), '[]')
           WHERE customer_id = $1 AND id = $3`,
          [c, random() < 0.2 ? -1 : pick(random, bugs), pick(random, bugs)],
        );
        await client.query(
          `UPDATE bugs SET feature_id = CASE WHEN $2 THEN feature_id END,
             test_feature_id = (SELECT id FROM test_features tf WHERE tf.customer_id = $1 AND tf.test_id = bugs.test_id
                                ORDER BY id LIMIT 1 OFFSET $3)
           WHERE customer_id = $1 AND id = $4`,
          [c, random() < 0.5, Math.floor(random() * 3), pick(random, bugs)],
        );
      }
      await client.query(
        `DELETE FROM test_features WHERE customer_id = $1 AND test_id = (
           SELECT test_id FROM bugs WHERE customer_id = $1 AND test_feature_id IS NOT NULL LIMIT 1)`,
        [c],
      );
      for (let i = 0; i < 300; i += 1) {
        const status = pick(random, [...BUG_STATUSES, null]);
        await client.query(
          `UPDATE bugs SET status = $2::text, severity = $3, known = $4,
             rejection_reason = CASE WHEN $2::text = 'rejected' THEN $5 END,
             author = CASE WHEN $6 THEN NULL ELSE author END
           WHERE customer_id = $1 AND id = $7`,
          [
            c,
            status,
            pick(random, [...BUG_SEVERITIES, null]),
            random() < 0.2,
            pick(random, ['not_reproducible', 'intended_behavior', null]),
            random() < 0.1,
            pick(random, bugs),
          ],
        );
      }
      for (let i = 0; i < 50; i += 1) {
        const test = pick(random, tests);
        await client.query(
          `UPDATE bugs SET test_id = $2, product_id = (SELECT product_id FROM tests t WHERE t.customer_id = $1 AND t.id = $2)
           WHERE customer_id = $1 AND id = $3`,
          [c, test, pick(random, bugs)],
        );
      }
      await client.query('DELETE FROM bugs WHERE customer_id = $1 AND id % 17 = 0', [c]);
      await client.query('DELETE FROM tests WHERE customer_id = $1 AND id = $2', [c, pick(random, tests)]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }

    const after = await compare(43, 120, pgAggregates, pgBugLevel);
    expect(after.aggregated).toBeGreaterThan(60);
  }, 600_000);
});
