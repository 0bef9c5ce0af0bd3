import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConflictError, EXECUTED_TEST_STATUSES, InvalidInputError, UpstreamError } from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  failingApi,
  must,
  startStack,
  type Stack,
  stackEngines,
  type StackEngine,
} from '../__fixtures__/stack.js';
import {
  generateQualityReportInputSchema,
  listBugsInputSchema,
  listTestsInputSchema,
  parseInput,
  queryMetricsInputSchema,
} from '../contracts/index.js';
import { createReadThrough } from '@testio-mcp/sync';

describe.each(stackEngines)('on $name', ({ name }) => {
  /** The analytics operations on the real stack (sandbox → sync → SQLite → readers), against the ground truth. */

  let stack: Stack<StackEngine>;

  beforeAll(async () => {
    stack = await startStack({ engine: name });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  const report = (args: Record<string, unknown>) =>
    parseInput(generateQualityReportInputSchema, args, 'generate_quality_report');
  const query = (args: Record<string, unknown>) => parseInput(queryMetricsInputSchema, args, 'query_metrics');
  const EXECUTED = new Set<string>(EXECUTED_TEST_STATUSES);

  describe('quality report', () => {
    it('counts executed tests by default and every test with statuses=all, per product as in the ground truth', async () => {
      const executed = await stack.services.generateQualityReport(report({}));
      const truthTests = (stack.truth.tests ?? []).filter((t) => EXECUTED.has(t.status));
      expect(executed.summary.total_tests).toBe(truthTests.length);
      expect(executed.summary.total_bugs).toBe(truthTests.reduce((n, t) => n + t.bugs, 0));
      expect(executed.summary.bugs_by_status.open).toBe(
        truthTests.reduce((n, t) => n + (t.bugsByStatus['forwarded'] ?? 0), 0),
      );
      const all = await stack.services.getQualityReportWithTests(report({ statuses: 'all', max_tests: 0 }));
      expect(all.test_data).toHaveLength(stack.truth.totals.tests);
      expect(all.by_test).toHaveLength(0);
      for (const p of stack.truth.products) {
        expect(all.by_product.find((x) => x.product_id === p.id)).toMatchObject({
          total_tests: p.tests,
          total_bugs: p.bugs,
        });
      }
    });

    it('applies the configured thresholds', async () => {
      const strict = stack.withServices({
        settings: {
          playbookThresholds: {
            rejection_rate: { warning: 0.01, critical: 0.02, direction: 'above' },
            auto_acceptance_rate: { warning: 0.98, critical: 0.99, direction: 'above' },
            review_rate: { warning: 0.02, critical: 0.01, direction: 'below' },
          },
        },
      });
      const r = await strict.generateQualityReport(report({}));
      expect(r.summary.health_indicators).toEqual({
        rejection_rate: 'critical',
        auto_acceptance_rate: 'healthy',
        review_rate: 'healthy',
      });
      expect(r.thresholds.rejection_rate.critical).toBe(0.02);
      expect(r.markdown).toContain('≥ 2.0%');
      expect(await strict.getThresholds()).toEqual(r.thresholds);
    });

    it('serves the mirror with a warning when TestIO cannot refresh the bugs of changing tests', async () => {
      const api = failingApi(
        stack.api,
        new UpstreamError({
          message: 'TestIO is unavailable',
          operation: { method: 'GET', path: 'bugs' },
          status: 503,
        }),
      );
      const readThrough = createReadThrough({
        api,
        stores: stack.db.stores,
        clock: { now: () => new Date(stack.clock.now().getTime() + 7200_000) },
        logger: stack.deps.logger,
      });
      const offline = stack.withServices({ readThrough });
      const r = await offline.generateQualityReport(report({ statuses: 'running,locked' }));
      expect(r.stale).toBe(true);
      expect(r.warnings?.join(' ')).toMatch(/Could not refresh bugs of test/);
      const q = await offline.queryMetrics(
        query({ dimensions: 'product', metrics: 'bug_count', filters: { test_statuses: 'running,locked' } }),
      );
      expect(q.stale).toBe(true);
      expect(q.data.reduce((n, row) => n + Number(row['bug_count']), 0)).toBe(r.summary.total_bugs);
    });

    it('exports under the export directory only', async () => {
      const r = await stack.services.generateQualityReport(
        report({ output_file: 'one/report', max_tests: 1 }),
      );
      expect(r.export?.files.map((f) => path.relative(stack.exportDir, f.path))).toEqual([
        path.join('one', 'report.md'),
        path.join('one', 'report.json'),
        path.join('one', 'report.tests.csv'),
        path.join('one', 'report.html'),
        ...(r.export?.files ?? [])
          .filter((f) => f.chart)
          .map((f) => path.join('one', `report.${f.chart?.name}.png`)),
      ]);
      const md = readFileSync(path.join(stack.exportDir, 'one', 'report.md'), 'utf8');
      expect(md).toContain('# Quality report');
      expect(md).toContain('](report.trend-rates.png)');
      await expect(
        stack.services.generateQualityReport(report({ output_file: '../out' })),
      ).rejects.toBeInstanceOf(InvalidInputError);
      expect(existsSync(path.join(stack.exportDir, '..', 'out.md'))).toBe(false);
      const noWriter = stack.withServices({ reportFiles: undefined });
      await expect(noWriter.generateQualityReport(report({ output_file: 'x' }))).rejects.toThrow(
        /cannot export reports/,
      );
    });

    it('stops at the next step once its signal is aborted (a cancelled MCP task), and reports the steps it took', async () => {
      const controller = new AbortController();
      const steps: string[] = [];
      await expect(
        stack.services.generateQualityReport(report({}), {
          signal: controller.signal,
          onProgress: (p) => {
            steps.push(p.message);
            if (p.progress === 2) controller.abort();
          },
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(steps).toEqual(['Checking products and tests', 'Refreshing bugs of changing tests']);
    });
  });

  describe('query_metrics', () => {
    it('restricts the aggregation to the most recent tests with tests_limit', async () => {
      const q = await stack.services.queryMetrics(
        query({ dimensions: 'product', metrics: 'test_count', tests_limit: 7 }),
      );
      expect(q.data.reduce((n, row) => n + Number(row['test_count']), 0)).toBe(7);
      expect(q.filters_applied.test_ids).toHaveLength(7);
    });

    it('says plainly when the analytics reader is not wired', async () => {
      const bare = stack.withServices({ analytics: undefined });
      await expect(bare.queryMetrics(query({ dimensions: 'product', metrics: 'bug_count' }))).rejects.toThrow(
        /Analytics are not available/,
      );
    });
  });

  /** Every bug of the executed tests of a product, listed bug by bug (list_tests + list_bugs). */
  async function bugsOfProduct(productId: number) {
    const ids: number[] = [];
    for (let page = 1; ; page += 1) {
      const tests = await stack.services.listTests(
        listTestsInputSchema.parse({
          product_id: productId,
          statuses: [...EXECUTED_TEST_STATUSES],
          per_page: 200,
          page,
        }),
      );
      ids.push(...tests.tests.map((t) => t.test_id));
      if (!tests.pagination.has_more) break;
    }
    const bugs = [];
    for (let i = 0; i < ids.length; i += 100) {
      for (let page = 1; ; page += 1) {
        const out = await stack.services.listBugs(
          listBugsInputSchema.parse({ test_ids: ids.slice(i, i + 100), per_page: 200, page }),
        );
        bugs.push(...out.bugs);
        if (!out.pagination.has_more) break;
      }
    }
    return { testIds: ids, bugs };
  }

  const sum = (rows: ReadonlyArray<Record<string, unknown>>, key: string) =>
    rows.reduce((n, row) => n + Number(row[key] ?? 0), 0);

  describe("query_metrics filters in the reference's vocabulary", () => {
    const productWithMostTests = () =>
      must([...stack.truth.products].sort((a, b) => b.tests - a.tests)[0], 'a product');

    it('filters on a bug dimension that is not grouped by, matching a bug-by-bug count', async () => {
      const p = productWithMostTests();
      const { bugs } = await bugsOfProduct(p.id);
      for (const [filters, keep] of [
        [{ severity: 'critical' }, (b: (typeof bugs)[number]) => b.severity === 'critical'],
        [
          { rejection_reason: 'not_reproducible' },
          (b: (typeof bugs)[number]) => b.rejection_reason === 'not_reproducible',
        ],
        [{ known_bug: true }, (b: (typeof bugs)[number]) => b.known],
        [{ known_bug: 'false' }, (b: (typeof bugs)[number]) => !b.known],
      ] as const) {
        const expected = bugs.filter(keep);
        const q = await stack.services.queryMetrics(
          query({
            dimensions: ['month'],
            metrics: ['bug_count', 'test_count'],
            filters: { product_id: p.id, ...filters },
          }),
        );
        const label = JSON.stringify(filters);
        expect(expected.length, label).toBeGreaterThan(0);
        expect(sum(q.data, 'bug_count'), label).toBe(expected.length);
        // Test rows are dropped: tests counted are those with such a bug.
        expect(sum(q.data, 'test_count'), label).toBe(new Set(expected.map((b) => b.test_id)).size);
        expect(q.filters_applied.product_ids).toEqual([p.id]);
      }
    });

    it('gives the same answer for a reference name and ours', async () => {
      const p = productWithMostTests();
      const pairs: Array<[Record<string, unknown>, Record<string, unknown>]> = [
        [{ product_id: String(p.id) }, { product_ids: [p.id] }],
        [
          { product_id: p.id, status: ['archived', 'locked'] },
          { product_ids: p.id, test_statuses: 'archived,locked' },
        ],
        [
          { product_id: p.id, severity: ['high', 'low'] },
          { product_ids: p.id, severities: ['high', 'low'] },
        ],
        [
          { product_id: p.id, testing_type: 'coverage' },
          { product_ids: p.id, testing_types: 'coverage' },
        ],
      ];
      for (const [theirs, ours] of pairs) {
        const a = await stack.services.queryMetrics(
          query({ dimensions: 'severity', metrics: 'bug_count,test_count', filters: theirs }),
        );
        const b = await stack.services.queryMetrics(
          query({ dimensions: 'severity', metrics: 'bug_count,test_count', filters: ours }),
        );
        expect(a.data, JSON.stringify(theirs)).toEqual(b.data);
        expect(a.filters_applied, JSON.stringify(theirs)).toEqual(b.filters_applied);
      }
      // status is the TEST status, as in the reference.
      const archived = await stack.services.queryMetrics(
        query({
          dimensions: 'product',
          metrics: 'test_count',
          filters: { product_id: p.id, status: 'archived' },
        }),
      );
      const listed = await stack.services.listTests(
        listTestsInputSchema.parse({ product_id: p.id, statuses: 'archived', per_page: 1 }),
      );
      expect(sum(archived.data, 'test_count')).toBe(listed.pagination.total_count);
    });

    it('filters on entity and time dimensions by label or id, agreeing with the grouped rows', async () => {
      const p = productWithMostTests();
      const byFeature = await stack.services.queryMetrics(
        query({ dimensions: 'feature', metrics: 'test_count,bug_count', filters: { product_id: p.id } }),
      );
      const feature = must(
        byFeature.data.find((r) => r['feature'] !== null && Number(r['bug_count']) > 0),
        'a feature with bugs',
      );
      for (const value of [String(feature['feature']).toUpperCase(), Number(feature['feature_id'])]) {
        const q = await stack.services.queryMetrics(
          query({
            dimensions: ['month'],
            metrics: ['test_count', 'bug_count'],
            filters: { product_id: p.id, feature: value },
          }),
        );
        // Every test ends in one month, so the months add up to the feature's row.
        expect(sum(q.data, 'test_count'), String(value)).toBe(feature['test_count']);
        expect(sum(q.data, 'bug_count'), String(value)).toBe(feature['bug_count']);
        expect(q.filters_applied.dimension_values).toEqual({ feature: [String(value)] });
      }
      const byMonth = await stack.services.queryMetrics(
        query({ dimensions: 'month', metrics: 'test_count,bug_count', filters: { product_id: p.id } }),
      );
      const month = must(
        byMonth.data.find((r) => r['month'] !== null && Number(r['bug_count']) > 0),
        'a month with bugs',
      );
      const inMonth = await stack.services.queryMetrics(
        query({
          dimensions: ['testing_type'],
          metrics: ['test_count', 'bug_count'],
          filters: { product_id: p.id, month: month['month'] },
        }),
      );
      expect(sum(inMonth.data, 'test_count')).toBe(month['test_count']);
      expect(sum(inMonth.data, 'bug_count')).toBe(month['bug_count']);
      expect(inMonth.query_explanation).toContain(`month ${String(month['month'])}`);
      const byTester = await stack.services.queryMetrics(
        query({ dimensions: 'tester', metrics: 'bug_count', filters: { product_id: p.id }, limit: 1 }),
      );
      const tester = must(byTester.data[0], 'a tester');
      const theirs = await stack.services.queryMetrics(
        query({
          dimensions: 'severity',
          metrics: 'bug_count',
          filters: { product_id: p.id, tester: [tester['tester']] },
        }),
      );
      expect(sum(theirs.data, 'bug_count')).toBe(tester['bug_count']);
    });

    it('refuses unknown keys listing both vocabularies, contradictory pairs and malformed values', async () => {
      const message = (run: () => unknown) => {
        try {
          run();
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInputError);
          return (error as InvalidInputError).toUserText();
        }
        throw new Error('expected an error');
      };
      const unknown = message(() =>
        query({ dimensions: 'month', metrics: 'bug_count', filters: { colour: 'red' } }),
      );
      expect(unknown).toMatch(/Unknown filter 'colour'/);
      expect(unknown).toMatch(
        /product_ids, test_statuses, bug_statuses, severities, testing_types, platforms/,
      );
      expect(unknown).toMatch(/product_id, status \(test statuses\)/);
      expect(unknown).toMatch(
        /feature, product, tester, customer, month, week, quarter, rejection_reason, test_environment, known_bug/,
      );
      expect(
        message(() =>
          query({
            dimensions: 'month',
            metrics: 'bug_count',
            filters: { severity: 'high', severities: 'low' },
          }),
        ),
      ).toMatch(/'severity' and 'severities' are the same filter/);
      expect(
        message(() => query({ dimensions: 'month', metrics: 'bug_count', filters: { month: 'January' } })),
      ).toMatch(/Expected values like '2025-01'/);
      expect(
        message(() =>
          query({ dimensions: 'month', metrics: 'bug_count', filters: { rejection_reason: 'meh' } }),
        ),
      ).toMatch(/Valid values: .*not_reproducible/);
      expect(
        message(() => query({ dimensions: 'month', metrics: 'bug_count', filters: { status: 'rejected' } })),
      ).toMatch(/Valid values: running, locked/);
    });
  });

  describe('query_metrics visualization_hint and query_time_ms', () => {
    it('chooses the chart from the dimensions and metrics, as the reference does', async () => {
      const run = (args: Record<string, unknown>) => stack.services.queryMetrics(query(args));
      const trend = await run({ dimensions: 'month', metrics: 'bug_count,rejection_rate' });
      expect(trend.visualization_hint).toMatchObject({
        chart_type: 'line',
        x_axis: 'month',
        y_axis: ['bug_count'],
        y_axis_secondary: ['rejection_rate'],
        metric_types: { bug_count: 'count', rejection_rate: 'rate' },
      });
      expect(Number.isInteger(trend.query_time_ms) && trend.query_time_ms >= 0).toBe(true);
      const severities = await run({ dimensions: 'severity', metrics: 'bug_count' });
      expect(severities.visualization_hint.chart_type).toBe(
        severities.data.length <= 7 ? 'pie' : 'horizontal_bar',
      );
      const products = await run({ dimensions: 'product', metrics: 'test_count' });
      expect(products.visualization_hint.chart_type).toBe(
        products.data.length <= 15 ? 'horizontal_bar' : 'table',
      );
      const perProduct = await run({ dimensions: 'month,product', metrics: 'test_count' });
      const series = new Set(perProduct.data.map((r) => String(r['product'])));
      expect(perProduct.visualization_hint).toMatchObject(
        series.size <= 8
          ? { chart_type: 'multi_line', x_axis: 'month', series_by: 'product', dropped_series_count: 0 }
          : { chart_type: 'table', series_by: 'product', dropped_series_count: series.size - 8 },
      );
      const both = await run({ dimensions: 'severity,status', metrics: 'bug_count' });
      expect(both.visualization_hint.chart_type).toBe(both.data.length <= 15 ? 'stacked_bar' : 'table');
      const people = await run({ dimensions: 'tester,customer', metrics: 'bug_count' });
      expect(people.visualization_hint.chart_type).toBe('table');
      const none = await run({ dimensions: 'month', metrics: 'bug_count', filters: { month: '1999-01' } });
      expect(none.data).toEqual([]);
      expect(none.visualization_hint).toMatchObject({ chart_type: 'table', confidence: 'low' });
    });
  });
});
