import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  METRIC_DIMENSIONS,
  METRIC_KEYS,
  type AnalyticsReader,
  type ReportFileWriter,
  type SyncStores,
} from '@testio-mcp/domain';
import pg from 'pg';
import { bug, product, test as testOf } from '../__fixtures__/entities.js';
import { createPgAnalyticsReader } from '../postgres/analytics/reader.js';
import { createPgTestDatabase } from '../postgres/testing.js';
import { createTestDatabase, type TestDatabase } from '../testing.js';
import {
  buildAggregateMetricSql,
  buildMetricSql,
  createAnalyticsReader,
  scopeParams,
} from './analytics-reader.js';
import { createReportFileWriter } from './report-files.js';

const T0 = new Date('2025-02-01T08:00:00.000Z');

/** The mirror every suite below reads, written through the SyncStores of tenants 1 and 2. */
async function fill(s: SyncStores, t2: SyncStores): Promise<void> {
  await s.products.upsertProducts([product(1, { name: 'Web shop' }), product(2, { name: 'App' })], T0);
  await s.tests.upsertTests(
    [
      // Test 100 covers features 501 and 502 and requires Windows.
      testOf(100, 1, { status: 'archived', end_at: '2025-01-12T10:00:00Z', created_by: 'anna' }),
      // Test 101 has no features and no requirements.
      testOf(101, 1, {
        status: 'running',
        end_at: '2025-02-21T10:00:00Z',
        features: [],
        requirements: [],
        created_by: null,
        submitted_by: null,
      }),
      testOf(102, 1, { status: 'initialized', end_at: null, start_at: null }),
      testOf(200, 2, { status: 'archived', end_at: '2024-06-01T10:00:00Z' }),
    ],
    T0,
  );
  await s.bugs.replaceBugsOfTests(
    [100, 101],
    [
      bug(1000, 100, { severity: 'low', status: 'accepted' }),
      bug(1001, 100, { severity: 'critical', status: 'rejected', test_feature: null, devices: [] }),
      bug(1002, 100, {
        severity: 'high',
        status: 'accepted',
        auto_accepted: true,
        devices: [
          { category: { name: 'Smartphones' }, operating_system: { name: 'iOS' }, browsers: [] },
          { category: { name: 'Smartphones' }, operating_system: { name: 'Android' }, browsers: [] },
          { category: { name: 'Smartphones' }, operating_system: { name: 'iOS' }, browsers: [] },
        ],
      }),
      // A bug of a test without features: no feature link at all.
      bug(1003, 101, {
        severity: 'visual',
        status: 'forwarded',
        test_feature: null,
        author: { name: 'uma' },
      }),
    ],
    T0,
  );
  // Another tenant's rows with the same ids never count.
  await t2.products.upsertProducts([product(1)], T0);
  await t2.tests.upsertTests([testOf(100, 1), testOf(900, 1)], T0);
  await t2.bugs.replaceBugsOfTests([100], [bug(9000, 100)], T0);
}

/** The mirror above on one engine, its analytics readers, and the writes the suites make later. */
interface AnalyticsEngine {
  reader(customerId: number): AnalyticsReader;
  /** Bug 1004 of test 102, found on Linux, written by this process. */
  writeLinuxBug(): Promise<void>;
  /** A macOS requirement of test 102, written by another connection (another process's writer). */
  insertMacRequirementElsewhere(): Promise<void>;
  cleanup(): Promise<void>;
}

const LINUX_BUG = bug(1004, 102, {
  devices: [{ category: { name: 'Computers' }, operating_system: { name: 'Linux' }, browsers: [] }],
});
const MAC_REQUIREMENT =
  "INSERT INTO test_platforms (customer_id, test_id, position, operating_system, browsers, raw) VALUES (1, 102, 9, 'macOS', '[]', '{}')";

const engines: Array<{ name: 'sqlite' | 'postgres'; open(): Promise<AnalyticsEngine> }> = [
  {
    name: 'sqlite',
    async open() {
      const db = createTestDatabase();
      await fill(db.stores, db.forCustomer(2).stores);
      return {
        reader: (customerId) => createAnalyticsReader(db.sqlite, customerId),
        writeLinuxBug: async () => {
          await db.stores.bugs.replaceBugsOfTests([102], [LINUX_BUG], T0);
        },
        async insertMacRequirementElsewhere() {
          const worker = new Database(db.path);
          try {
            worker.prepare(MAC_REQUIREMENT).run();
          } finally {
            worker.close();
          }
        },
        cleanup: () => db.cleanup(),
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      const db = await createPgTestDatabase();
      await fill(db.stores, db.forCustomer(2).stores);
      return {
        reader: (customerId) => createPgAnalyticsReader(db.pool, customerId),
        writeLinuxBug: async () => {
          await db.stores.bugs.replaceBugsOfTests([102], [LINUX_BUG], T0);
        },
        async insertMacRequirementElsewhere() {
          const worker = new pg.Client({ connectionString: db.url });
          await worker.connect();
          try {
            await worker.query(MAC_REQUIREMENT);
          } finally {
            await worker.end();
          }
        },
        cleanup: () => db.cleanup(),
      };
    },
  },
];

const base = { sortOrder: 'desc' as const, limit: 100, scope: {} };

describe.each(engines)('analytics on $name', ({ open }) => {
  let engine: AnalyticsEngine;
  let reader: AnalyticsReader;
  let other: AnalyticsReader;

  beforeAll(async () => {
    engine = await open();
    reader = engine.reader(1);
    other = engine.reader(2);
  }, 60_000);

  afterAll(async () => {
    await engine?.cleanup();
  });

  describe('metric cube', () => {
    it('anchors on tests: tests without features or bugs and bugs without a feature link still count', async () => {
      const all = await reader.runMetricQuery({
        ...base,
        dimensions: ['product'],
        metrics: ['test_count', 'bug_count'],
      });
      expect(
        all.rows.map((r) => [
          r.dimensions['product']?.label,
          r.metrics['test_count'],
          r.metrics['bug_count'],
        ]),
      ).toEqual([
        ['Web shop', 3, 4],
        ['App', 1, 0],
      ]);
      const byFeature = await reader.runMetricQuery({
        ...base,
        dimensions: ['feature'],
        metrics: ['test_count', 'bug_count'],
        scope: { productIds: [1] },
      });
      const asMap = Object.fromEntries(
        byFeature.rows.map((r) => [
          String(r.dimensions['feature']?.label),
          [r.metrics['test_count'], r.metrics['bug_count']],
        ]),
      );
      // Tests 100 and 102 cover both features; test 101 (no features) and bug 1001 (no link) are unattributed.
      expect(asMap).toEqual({ 'Feature 501': [2, 2], 'Feature 502': [2, 0], null: [2, 2] });
      expect(byFeature.totalRows).toBe(3);
    });

    it('filters on dimension values not grouped by: labels case-insensitively, ids, bug dimensions keep bug rows', async () => {
      const perProduct = async (dimensionValues: Record<string, string[]>) =>
        (
          await reader.runMetricQuery({
            ...base,
            dimensions: ['product'],
            metrics: ['test_count', 'bug_count'],
            scope: { dimensionValues },
          })
        ).rows.map((r) => [r.dimensions['product']?.label, r.metrics['test_count'], r.metrics['bug_count']]);
      // The same figures as the 'Feature 501' group above for product 1 (test 200 of product 2 covers it
      // too), by title and by id.
      const feature501 = [
        ['Web shop', 2, 2],
        ['App', 1, 0],
      ];
      expect(await perProduct({ feature: ['FEATURE 501'] })).toEqual(feature501);
      expect(await perProduct({ feature: ['501'] })).toEqual(feature501);
      // Test 100 is the only one ending in January 2025; all three of its bugs count.
      expect(await perProduct({ month: ['2025-01'] })).toEqual([['Web shop', 1, 3]]);
      // A bug dimension: only uma's bug, and the test it was found in.
      expect(await perProduct({ tester: ['UMA'] })).toEqual([['Web shop', 1, 1]]);
      // Filters combine with AND.
      expect(await perProduct({ tester: ['uma'], month: ['2025-01'] })).toEqual([]);
      expect(await perProduct({ product: ['app'] })).toEqual([['App', 1, 0]]);
    });

    it('counts distinct rows under many-to-many platforms, and filters tests, bugs and platforms', async () => {
      const byPlatform = await reader.runMetricQuery({
        ...base,
        dimensions: ['platform'],
        metrics: ['bug_count', 'bug_severity_score'],
        scope: { productIds: [1] },
      });
      const asMap = Object.fromEntries(
        byPlatform.rows.map((r) => [
          String(r.dimensions['platform']?.label),
          [r.metrics['bug_count'], r.metrics['bug_severity_score']],
        ]),
      );
      // Bug 1002 was found on iOS (twice) and Android: once per OS; bug 1001 names no device.
      expect(asMap).toEqual({ Windows: [2, 2], iOS: [1, 3], Android: [1, 3], null: [1, 5] });
      const rates = await reader.runMetricQuery({
        ...base,
        dimensions: ['status'],
        metrics: [
          'bug_count',
          'overall_acceptance_rate',
          'auto_acceptance_rate',
          'rejection_rate',
          'review_rate',
          'active_acceptance_rate',
        ],
        scope: { testStatuses: ['archived', 'running'] },
        sortBy: 'status',
        sortOrder: 'asc',
      });
      expect(rates.rows.map((r) => r.dimensions['status']?.label)).toEqual([
        'accepted',
        'auto_accepted',
        'forwarded',
        'rejected',
      ]);
      const total = await reader.runMetricQuery({
        ...base,
        dimensions: ['product'],
        metrics: [
          'overall_acceptance_rate',
          'auto_acceptance_rate',
          'rejection_rate',
          'review_rate',
          'active_acceptance_rate',
          'bugs_per_test',
        ],
        scope: { productIds: [1], testStatuses: ['archived', 'running'] },
      });
      expect(total.rows[0]?.metrics).toEqual({
        overall_acceptance_rate: 0.5,
        auto_acceptance_rate: 0.5,
        rejection_rate: 0.25,
        review_rate: 0.5,
        active_acceptance_rate: 0.25,
        bugs_per_test: 2,
      });
      const app = await reader.runMetricQuery({
        ...base,
        dimensions: ['product'],
        metrics: ['rejection_rate'],
        scope: { productIds: [2] },
      });
      expect(app.rows[0]?.metrics['rejection_rate']).toBeNull();
      const critical = await reader.runMetricQuery({
        ...base,
        dimensions: ['month'],
        metrics: ['test_count', 'bug_count'],
        scope: { severities: ['critical'] },
      });
      expect(
        critical.rows.map((r) => [
          r.dimensions['month']?.label,
          r.metrics['test_count'],
          r.metrics['bug_count'],
        ]),
      ).toEqual([['2025-01', 1, 1]]);
      const ios = await reader.runMetricQuery({
        ...base,
        dimensions: ['product'],
        metrics: ['test_count', 'bug_count'],
        scope: { platforms: ['ios'] },
      });
      expect(ios.rows.map((r) => [r.metrics['test_count'], r.metrics['bug_count']])).toEqual([[1, 1]]);
      const dated = await reader.runMetricQuery({
        ...base,
        dimensions: ['month'],
        metrics: ['test_count'],
        scope: { from: new Date('2025-01-12T00:00:00Z'), to: new Date('2025-01-12T23:59:59.999Z') },
      });
      expect(dated.rows.map((r) => [r.dimensions['month']?.label, r.metrics['test_count']])).toEqual([
        ['2025-01', 1],
      ]);
    });

    it('runs every dimension with every metric, caps rows, and never reads another tenant', async () => {
      for (const dimension of METRIC_DIMENSIONS) {
        const result = await reader.runMetricQuery({
          ...base,
          dimensions: [dimension],
          metrics: [...METRIC_KEYS],
        });
        expect(result.rows.length, dimension).toBeGreaterThan(0);
      }
      const three = await reader.runMetricQuery({
        ...base,
        dimensions: ['product', 'month', 'severity'],
        metrics: ['bug_count'],
        limit: 1,
      });
      expect(three.rows).toHaveLength(1);
      expect(three.totalRows).toBeGreaterThan(1);
      const theirs = await other.runMetricQuery({
        ...base,
        dimensions: ['product'],
        metrics: ['test_count', 'bug_count'],
      });
      expect(theirs.rows.map((r) => [r.metrics['test_count'], r.metrics['bug_count']])).toEqual([[2, 1]]);
    });

    it('refuses keys outside the whitelist instead of building SQL from them', async () => {
      await expect(
        reader.runMetricQuery({
          ...base,
          dimensions: ['product; DROP TABLE tests' as never],
          metrics: ['test_count'],
        }),
      ).rejects.toThrow(/unknown dimension/);
      await expect(
        reader.runMetricQuery({ ...base, dimensions: ['product'], metrics: ['x' as never] }),
      ).rejects.toThrow(/unknown metric/);
    });
  });

  describe('report aggregates', () => {
    it('lists the tests of a scope with their bug counts and the breakdowns', async () => {
      const tests = await reader.reportTests({ productIds: [1], testStatuses: ['archived', 'running'] });
      expect(tests.map((t) => t.id)).toEqual([101, 100]);
      expect(tests[1]).toMatchObject({
        bugs: 3,
        bugsByStatus: { accepted: 1, auto_accepted: 1, rejected: 1, forwarded: 0 },
        bugsBySeverity: { low: 1, critical: 1, high: 1 },
      });
      const breakdowns = await reader.reportBreakdowns({ productIds: [1] });
      expect(breakdowns.rejectionReasons).toEqual([{ productId: 1, reason: null, bugs: 1 }]);
      expect(Object.fromEntries(breakdowns.platforms.map((p) => [String(p.platform), p.bugs]))).toEqual({
        Windows: 2,
        iOS: 1,
        Android: 1,
        null: 1,
      });
      expect(await reader.listPlatforms()).toEqual(['Android', 'iOS', 'Windows']);
    });

    it('lists a platform a later write brings, whether the writer is this process or another', async () => {
      expect(await reader.listPlatforms()).toEqual(['Android', 'iOS', 'Windows']);
      await engine.writeLinuxBug();
      expect(await reader.listPlatforms()).toEqual(['Android', 'iOS', 'Linux', 'Windows']);

      await engine.insertMacRequirementElsewhere();
      expect(await reader.listPlatforms()).toEqual(['Android', 'iOS', 'Linux', 'macOS', 'Windows']);
    });
  });
});

describe('query plans (SQLite)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = createTestDatabase();
    await fill(db.stores, db.forCustomer(2).stores);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  // Without ANALYZE statistics SQLite once chose to scan every test feature per test (13 s for the
  // feature dimension at `medium`) and every bug of the account per query; each lookup must bind a key.
  const params = { ...scopeParams(1, { productIds: [1], testStatuses: ['archived'] }), limit: 100 };
  const unboundLookups = (sql: string): string[] =>
    (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>)
      .map((r) => r.detail)
      .filter((d) => /^SCAN (b|tf|tfb)\b/.test(d) || /^SEARCH (b|tf|tfb) USING .*\(customer_id=\?\)/.test(d));

  it('reaches bugs and test features of the scope by test, for every dimension', () => {
    for (const dimension of METRIC_DIMENSIONS) {
      const sql = buildMetricSql({
        dimensions: [dimension],
        metrics: ['bug_count', 'test_count', 'features_tested'],
        sortBy: 'bug_count',
        sortOrder: 'desc',
        hasBugFilter: false,
        hasPlatformFilter: false,
      });
      expect(unboundLookups(sql), dimension).toEqual([]);
    }
  });

  it('reaches the aggregates of the scope by test, on every aggregate path', () => {
    const aggregateLookups = (sql: string): string[] =>
      (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .filter((d) => /^(SCAN|SEARCH) (a|x)\b/.test(d));
    for (const dimension of METRIC_DIMENSIONS) {
      for (const metrics of [['bug_count', 'rejection_rate'], ['active_testers']] as const) {
        const sql = buildAggregateMetricSql({
          dimensions: [dimension],
          metrics,
          sortBy: metrics[0],
          sortOrder: 'desc',
          hasBugFilter: false,
          hasPlatformFilter: false,
        });
        if ((dimension === 'feature' || dimension === 'platform') && metrics[0] === 'active_testers') {
          expect(sql, `active_testers by ${dimension} keeps the bug-level path`).toBeNull();
          continue;
        }
        expect(sql, dimension).not.toBeNull();
        const lookups = aggregateLookups(sql ?? '');
        expect(lookups.length, dimension).toBeGreaterThan(0);
        for (const lookup of lookups) expect(lookup, dimension).toMatch(/\(customer_id=\? AND test_id=\?/);
      }
    }
  });
});

describe('report files', () => {
  let dir: string;
  let outside: string;
  let writer: ReportFileWriter;
  const files = [
    { suffix: '.md', content: '# Report\n' },
    { suffix: '.json', content: '{}' },
  ];

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'exports-'));
    outside = mkdtempSync(path.join(tmpdir(), 'outside-'));
    writer = createReportFileWriter(path.join(dir, 'exports'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('writes inside the directory, creating folders, and refuses to replace without overwrite', async () => {
    const written = await writer.write({
      relativeBase: 'acme/q2.md',
      files,
      overwrite: false,
      field: 'output_file',
    });
    expect(written.map((w) => path.relative(writer.directory, w.path))).toEqual([
      path.join('acme', 'q2.md'),
      path.join('acme', 'q2.json'),
    ]);
    expect(written[0]?.sizeBytes).toBe(9);
    await expect(
      writer.write({ relativeBase: 'acme/q2', files, overwrite: false, field: 'output_file' }),
    ).rejects.toThrow(/already exists/);
    const again = await writer.write({
      relativeBase: 'acme/q2',
      files: [{ suffix: '.md', content: '# New\n' }],
      overwrite: true,
      field: 'output_file',
    });
    expect(readFileSync(again[0]?.path ?? '', 'utf8')).toBe('# New\n');
  });

  it('refuses absolute paths, .., and symlinks leading out, writing nothing', async () => {
    mkdirSync(writer.directory, { recursive: true });
    symlinkSync(outside, path.join(writer.directory, 'escape'));
    writeFileSync(path.join(outside, 'victim.md'), 'keep');
    symlinkSync(path.join(outside, 'victim.md'), path.join(writer.directory, 'planted.md'));
    for (const relativeBase of ['../x', '/abs/x', 'a/../../x', 'escape/x', 'planted', '~/x', '', '.hidden']) {
      const attempt = writer.write({ relativeBase, files, overwrite: true, field: 'output_file' });
      await expect(attempt, relativeBase).rejects.toBeInstanceOf(InvalidInputError);
    }
    expect(readdirSync(outside).sort()).toEqual(['victim.md']);
    expect(readFileSync(path.join(outside, 'victim.md'), 'utf8')).toBe('keep');
    expect(existsSync(path.join(dir, 'x.md'))).toBe(false);
  });
});
