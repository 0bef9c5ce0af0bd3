import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { EXECUTED_TEST_STATUSES, METRIC_DIMENSIONS, METRIC_KEYS } from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInMemory, expectThreePartError, structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { parseMcpServerSettings } from './config.js';
import { createMcpContainer, resolveMcpRuntime } from './container.js';
import { generateQualityReportOutputSchema } from './tools/generate-quality-report.js';
import { getAnalyticsCapabilitiesOutputSchema } from './tools/get-analytics-capabilities.js';
import { queryMetricsOutputSchema } from './tools/query-metrics.js';

/**
 * The analytics tools over a real SDK client on the production composition after one force sync of
 * the sandbox (seed 7, small): every dimension and metric, totals against the sandbox's ground truth,
 * query_metrics against the quality report, errors, caps, progress and confined exports.
 */

let stack: McpStack;
let client: Client;
let closeSession: () => Promise<void>;
let exportRoot: string;

beforeAll(async () => {
  exportRoot = mkdtempSync(path.join(tmpdir(), 'mcp-exports-'));
  stack = await startMcpStack({ TESTIO_EXPORT_DIR: path.join(exportRoot, 'default') });
  const session = await connectInMemory({
    services: stack.container.services,
    logger: stack.log.logger,
    restBaseUrl: 'http://127.0.0.1:18081',
  });
  client = session.client;
  closeSession = session.close;
}, 120_000);

afterAll(async () => {
  await closeSession();
  await stack.close();
  rmSync(exportRoot, { recursive: true, force: true });
});

type Row = Record<string, string | number | null>;

async function query(args: Record<string, unknown>) {
  return queryMetricsOutputSchema.parse(
    structuredOf(await client.callTool({ name: 'query_metrics', arguments: args })),
  );
}

async function report(args: Record<string, unknown>, tool = 'generate_quality_report') {
  return generateQualityReportOutputSchema.parse(
    structuredOf(await client.callTool({ name: tool, arguments: args })),
  );
}

async function callError(name: string, args: Record<string, unknown>, pattern?: RegExp): Promise<string> {
  return expectThreePartError(await client.callTool({ name, arguments: args }), pattern);
}

const EXECUTED = new Set<string>(EXECUTED_TEST_STATUSES);

/** Ground truth summed over the tests of some products in some statuses. */
function truthOf(productIds: readonly number[] | null, executedOnly: boolean) {
  const tests = (stack.truth.tests ?? []).filter(
    (t) =>
      (productIds === null || productIds.includes(t.productId)) && (!executedOnly || EXECUTED.has(t.status)),
  );
  const byStatus: Record<string, number> = {};
  for (const t of tests)
    for (const [k, v] of Object.entries(t.bugsByStatus)) byStatus[k] = (byStatus[k] ?? 0) + v;
  return { tests: tests.length, bugs: tests.reduce((n, t) => n + t.bugs, 0), byStatus };
}

const rate = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

describe('query_metrics', () => {
  it('returns rows for every dimension alone and in pairs, and every metric alone and in pairs', async () => {
    for (const dimension of METRIC_DIMENSIONS) {
      const data = await query({
        dimensions: [dimension],
        metrics: [...METRIC_KEYS],
        filters: { test_statuses: 'all' },
      });
      expect(data.data.length, dimension).toBeGreaterThan(0);
      expect(Object.keys(data.data[0] ?? {}), dimension).toEqual(
        expect.arrayContaining([dimension, ...METRIC_KEYS]),
      );
    }
    for (let i = 0; i < METRIC_DIMENSIONS.length; i++) {
      for (let j = i + 1; j < METRIC_DIMENSIONS.length; j++) {
        const pair = [METRIC_DIMENSIONS[i], METRIC_DIMENSIONS[j]];
        const data = await query({
          dimensions: pair,
          metrics: ['test_count', 'bug_count', 'rejection_rate'],
          limit: 5,
        });
        expect(data.data.length, pair.join('+')).toBeGreaterThan(0);
      }
    }
    for (let i = 0; i < METRIC_KEYS.length; i++) {
      const alone = await query({ dimensions: 'product', metrics: METRIC_KEYS[i] });
      expect(alone.data.length, METRIC_KEYS[i]).toBe(stack.truth.totals.products);
      for (let j = i + 1; j < METRIC_KEYS.length; j++) {
        const pair = `${METRIC_KEYS[i]},${METRIC_KEYS[j]}`;
        const data = await query({ dimensions: 'quarter', metrics: pair });
        expect(data.data.length, pair).toBeGreaterThan(0);
      }
    }
  }, 120_000);

  it('totals reconcile with the ground truth: tests, bugs, bug statuses, severities and rates per product', async () => {
    const all = await query({
      dimensions: ['product'],
      metrics: ['test_count', 'bug_count', 'rejection_rate', 'auto_acceptance_rate', 'review_rate'],
      filters: { test_statuses: 'all' },
    });
    expect(all.total_rows).toBe(stack.truth.totals.products);
    for (const p of stack.truth.products) {
      const row = all.data.find((r: Row) => r['product_id'] === p.id);
      expect(row, p.name).toMatchObject({
        product: p.name,
        test_count: p.tests,
        bug_count: p.bugs,
        rejection_rate: rate(p.bugsByStatus['rejected'] ?? 0, p.bugs),
        auto_acceptance_rate: rate(
          p.bugsByStatus['auto_accepted'] ?? 0,
          (p.bugsByStatus['accepted'] ?? 0) + (p.bugsByStatus['auto_accepted'] ?? 0),
        ),
        review_rate: rate((p.bugsByStatus['accepted'] ?? 0) + (p.bugsByStatus['rejected'] ?? 0), p.bugs),
      });
    }
    // The default scope is executed tests.
    const executed = await query({ dimensions: 'product', metrics: 'test_count,bug_count' });
    for (const p of stack.truth.products) {
      const t = truthOf([p.id], true);
      expect(
        executed.data.find((r: Row) => r['product_id'] === p.id),
        p.name,
      ).toMatchObject({ test_count: t.tests, bug_count: t.bugs });
    }
    const byStatus = await query({
      dimensions: 'status',
      metrics: 'bug_count',
      filters: { test_statuses: 'all' },
    });
    expect(Object.fromEntries(byStatus.data.map((r: Row) => [r['status'], r['bug_count']]))).toEqual(
      Object.fromEntries(Object.entries(stack.truth.totals.bugsByStatus).filter(([, n]) => n > 0)),
    );
    const bySeverity = await query({
      dimensions: 'severity',
      metrics: 'bug_count',
      filters: { test_statuses: 'all' },
    });
    expect(Object.fromEntries(bySeverity.data.map((r: Row) => [r['severity'], r['bug_count']]))).toEqual(
      Object.fromEntries(Object.entries(stack.truth.totals.bugsBySeverity).filter(([, n]) => n > 0)),
    );
    // Partitions by a test property add up to the totals; many-to-many dimensions never lose a test.
    for (const dimension of [
      'month',
      'testing_type',
      'customer',
      'test_environment',
      'feature',
      'platform',
    ] as const) {
      const data = await query({
        dimensions: dimension,
        metrics: 'test_count,bug_count',
        filters: { test_statuses: 'all' },
        limit: 1000,
      });
      const tests = data.data.reduce((n: number, r: Row) => n + Number(r['test_count']), 0);
      const bugs = data.data.reduce((n: number, r: Row) => n + Number(r['bug_count']), 0);
      if (['feature', 'platform'].includes(dimension)) {
        expect(tests, dimension).toBeGreaterThanOrEqual(stack.truth.totals.tests);
        expect(bugs, dimension).toBeGreaterThanOrEqual(stack.truth.totals.bugs);
      } else {
        expect(tests, dimension).toBe(stack.truth.totals.tests);
        expect(bugs, dimension).toBe(stack.truth.totals.bugs);
      }
    }
  });

  it('filters by bug status and severity, and says when results are capped', async () => {
    const rejected = await query({
      dimensions: 'product',
      metrics: 'bug_count',
      filters: { bug_statuses: 'rejected', test_statuses: 'all' },
    });
    expect(rejected.data.reduce((n: number, r: Row) => n + Number(r['bug_count']), 0)).toBe(
      stack.truth.totals.bugsByStatus['rejected'],
    );
    const critical = await query({
      dimensions: ['product'],
      metrics: ['bug_count'],
      filters: { severities: ['critical'], test_statuses: 'all' },
    });
    expect(critical.data.reduce((n: number, r: Row) => n + Number(r['bug_count']), 0)).toBe(
      stack.truth.totals.bugsBySeverity['critical'],
    );

    const capped = await query({ dimensions: 'tester', metrics: 'bug_count', limit: 5 });
    expect(capped.returned_rows).toBe(5);
    expect(capped.capped).toBe(true);
    expect(capped.total_rows).toBeGreaterThan(5);
    expect(capped.warnings?.join(' ')).toMatch(new RegExp(`Showing 5 of ${capped.total_rows} rows`));
    const hardCap = await query({ dimensions: 'week', metrics: 'test_count', limit: 5000 });
    expect(hardCap.warnings?.join(' ')).toMatch(/hard cap of 1000/);
    expect(hardCap.sort).toEqual({ by: 'week', order: 'asc' });
  });

  it("accepts the reference's filters, on dimensions not grouped by, with its visualization_hint", async () => {
    const product = [...stack.truth.products].sort((a, b) => b.tests - a.tests)[0];
    if (!product) throw new Error('no product');
    // ANALYTICS.md "Pattern 4" of the reference, which failed there: feature rows, severity filter.
    const pattern4 = await query({
      dimensions: ['feature'],
      metrics: ['bug_count'],
      filters: { product_id: product.id, severity: 'critical' },
    });
    const critical = await query({
      dimensions: ['severity'],
      metrics: ['bug_count'],
      filters: { product_ids: [product.id] },
    });
    const criticalBugs = Number(
      critical.data.find((r: Row) => r['severity'] === 'critical')?.['bug_count'] ?? 0,
    );
    expect(criticalBugs).toBeGreaterThan(0);
    // Features are many-to-many, so each feature row is at most the total and together at least it.
    const perFeature = pattern4.data.map((r: Row) => Number(r['bug_count']));
    expect(Math.max(...perFeature)).toBeLessThanOrEqual(criticalBugs);
    expect(perFeature.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThanOrEqual(criticalBugs);
    expect(pattern4.filters_applied.severities).toEqual(['critical']);
    expect(pattern4.visualization_hint).toMatchObject({ x_axis: 'feature', y_axis: ['bug_count'] });
    expect(pattern4.visualization_hint.chart_type).toBe(
      pattern4.data.length <= 15 ? 'horizontal_bar' : 'table',
    );
    expect(typeof pattern4.query_time_ms).toBe('number');
    // A month filter without the month dimension: the severities of one month add up to its row.
    const months = await query({
      dimensions: 'month',
      metrics: 'bug_count',
      filters: { product_id: product.id },
    });
    const month = months.data.find((r: Row) => r['month'] !== null && Number(r['bug_count']) > 0);
    const inMonth = await query({
      dimensions: 'severity',
      metrics: 'bug_count',
      filters: { product_id: product.id, month: month?.['month'] },
    });
    expect(inMonth.data.reduce((n: number, r: Row) => n + Number(r['bug_count']), 0)).toBe(
      month?.['bug_count'],
    );
    expect(inMonth.filters_applied.dimension_values).toEqual({ month: [month?.['month']] });
  });

  it('answers unknown names, too many dimensions and bad filters with the three-part error listing valid names', async () => {
    const metric = await callError(
      'query_metrics',
      { dimensions: 'product', metrics: 'acceptance_rate' },
      /Unknown metric 'acceptance_rate'/,
    );
    expect(metric).toContain(`Valid metrics: ${METRIC_KEYS.join(', ')}`);
    expect(metric).toMatch(/Did you mean overall_acceptance_rate/);
    const dimension = await callError(
      'query_metrics',
      { dimensions: ['colour'], metrics: ['bug_count'] },
      /Unknown dimension 'colour'/,
    );
    expect(dimension).toContain(`Valid dimensions: ${METRIC_DIMENSIONS.join(', ')}`);
    await callError(
      'query_metrics',
      { dimensions: 'product,month,severity,tester', metrics: 'bug_count' },
      /Too many dimensions: 4/,
    );
    await callError('query_metrics', { dimensions: 'product', metrics: [] }, /at least one metric/);
    await callError(
      'query_metrics',
      { dimensions: 'product', metrics: 'bug_count', sort_by: 'severity' },
      /not a selected dimension or metric/,
    );
    // status is the reference's name of test_statuses: a bug status there is refused.
    await callError(
      'query_metrics',
      { dimensions: 'product', metrics: 'bug_count', filters: { status: 'accepted' } },
      /'accepted'.*Valid values: running, locked/,
    );
    const unknownFilter = await callError(
      'query_metrics',
      { dimensions: 'product', metrics: 'bug_count', filters: { colour: 'red' } },
      /Unknown filter 'colour'/,
    );
    expect(unknownFilter).toMatch(/product_ids, test_statuses, bug_statuses/);
    expect(unknownFilter).toMatch(/reference's names: product_id, status/);
    await callError(
      'query_metrics',
      { dimensions: 'product', metrics: 'bug_count', filters: { severities: 'major' } },
      /'major'.*critical, high, low/,
    );
    await callError(
      'query_metrics',
      { dimensions: 'product', metrics: 'bug_count', filters: { product_ids: 999_999 } },
      /list_products/,
    );
    await callError(
      'query_metrics',
      { dimensions: 'product', metrics: 'bug_count', start_date: '2025-05-01', end_date: '2025-04-01' },
      /Invalid date range/,
    );
  });

  it('get_analytics_capabilities lists every dimension, metric and filter with the configured thresholds', async () => {
    const caps = getAnalyticsCapabilitiesOutputSchema.parse(
      structuredOf(await client.callTool({ name: 'get_analytics_capabilities', arguments: {} })),
    );
    expect(caps.dimensions.map((d) => d.key)).toEqual([...METRIC_DIMENSIONS]);
    expect(caps.metrics.map((m) => m.key)).toEqual([...METRIC_KEYS]);
    expect(caps.filters.map((f) => f.key)).toEqual([
      'product_ids',
      'test_statuses',
      'bug_statuses',
      'severities',
      'testing_types',
      'platforms',
    ]);
    expect(caps.limits).toEqual({ max_dimensions: 3, max_rows: 1000, default_rows: 100 });
    expect(caps.thresholds.review_rate).toEqual({ warning: 0.8, critical: 0.6, direction: 'below' });
    expect(caps.platforms.length).toBeGreaterThan(0);
  });
});

describe('generate_quality_report', () => {
  it('covers every demo product with the ground truth figures, open bugs included', async () => {
    const all = await report({ statuses: 'all', max_tests: 5 });
    expect(all.products).toHaveLength(stack.truth.totals.products);
    expect(all.summary.total_tests).toBe(stack.truth.totals.tests);
    expect(all.summary.total_bugs).toBe(stack.truth.totals.bugs);
    const status = stack.truth.totals.bugsByStatus;
    expect(all.summary.bugs_by_status).toEqual({
      active_accepted: status['accepted'],
      auto_accepted: status['auto_accepted'],
      total_accepted: (status['accepted'] ?? 0) + (status['auto_accepted'] ?? 0),
      rejected: status['rejected'],
      open: status['forwarded'],
      reviewed: (status['accepted'] ?? 0) + (status['rejected'] ?? 0),
    });
    expect(all.summary.bugs_by_status.open).toBeGreaterThan(0);
    expect(all.summary.bugs_by_severity).toEqual(stack.truth.totals.bugsBySeverity);
    for (const p of stack.truth.products) {
      const row = all.by_product.find((x) => x.product_id === p.id);
      expect(row, p.name).toMatchObject({
        total_tests: p.tests,
        total_bugs: p.bugs,
        tests_by_status: Object.fromEntries(Object.entries(p.testsByStatus).filter(([, n]) => n > 0)),
      });
    }
    expect(all.by_test).toHaveLength(5);

    const executed = await report({});
    const t = truthOf(null, true);
    expect(executed.summary).toMatchObject({ total_tests: t.tests, total_bugs: t.bugs });
    expect(executed.statuses_applied).toEqual([...EXECUTED_TEST_STATUSES]);
    expect(executed.by_product.reduce((n, p) => n + p.total_bugs, 0)).toBe(executed.summary.total_bugs);
    expect(executed.summary.rejection_rate).toBe(rate(t.byStatus['rejected'] ?? 0, t.bugs));
  });

  it('agrees with query_metrics for the same product and period', async () => {
    const productId = [...stack.truth.products].sort((a, b) => b.bugs - a.bugs)[0]?.id ?? 0;
    const period = { start_date: '2025-02-01', end_date: '2025-05-31' };
    const r = await report({ product_ids: productId, ...period });
    const q = await query({
      dimensions: 'product',
      metrics: [
        'test_count',
        'bug_count',
        'overall_acceptance_rate',
        'active_acceptance_rate',
        'auto_acceptance_rate',
        'rejection_rate',
        'review_rate',
      ],
      filters: { product_ids: [productId] },
      ...period,
    });
    expect(r.summary.total_tests).toBeGreaterThan(0);
    expect(q.data).toHaveLength(1);
    expect(q.data[0]).toMatchObject({
      test_count: r.summary.total_tests,
      bug_count: r.summary.total_bugs,
      overall_acceptance_rate: r.summary.overall_acceptance_rate,
      active_acceptance_rate: r.summary.active_acceptance_rate,
      auto_acceptance_rate: r.summary.auto_acceptance_rate,
      rejection_rate: r.summary.rejection_rate,
      review_rate: r.summary.review_rate,
    });
    const months = await query({
      dimensions: 'month',
      metrics: 'test_count,bug_count,rejection_rate',
      filters: { product_ids: productId },
      ...period,
    });
    expect(
      months.data.map((m: Row) => [m['month'], m['test_count'], m['bug_count'], m['rejection_rate']]),
    ).toEqual(r.monthly_trend.map((m) => [m.month, m.tests, m.bugs, m.rejection_rate]));
    const reasons = await query({
      dimensions: 'rejection_reason',
      metrics: 'bug_count',
      filters: { product_ids: productId, bug_statuses: 'rejected' },
      ...period,
    });
    expect(
      Object.fromEntries(
        reasons.data.map((x: Row) => [x['rejection_reason'] ?? 'unspecified', x['bug_count']]),
      ),
    ).toEqual(Object.fromEntries(r.top_rejection_reasons.map((x) => [x.reason, x.bugs])));
    const platforms = await query({
      dimensions: 'platform',
      metrics: 'bug_count',
      filters: { product_ids: productId },
      ...period,
      limit: 1000,
    });
    const fromReport = Object.fromEntries(r.bugs_by_platform.map((x) => [x.platform, x.bugs]));
    for (const row of platforms.data) {
      const key = row['platform'] === null ? 'unknown' : String(row['platform']);
      if (Number(row['bug_count']) > 0) expect(row['bug_count'], key).toBe(fromReport[key]);
    }
    const severities = await query({
      dimensions: 'severity',
      metrics: 'bug_count',
      filters: { product_ids: productId },
      ...period,
    });
    for (const row of severities.data)
      expect(row['bug_count']).toBe(r.summary.bugs_by_severity[String(row['severity']) as 'critical']);
    // The alias answers the same.
    const alias = await report({ product_ids: productId, ...period }, 'get_product_quality_report');
    expect(alias.summary).toEqual(r.summary);
  });

  it('gives null rates and unknown health for a test without bugs, and per-test figures matching the truth', async () => {
    const quiet = (stack.truth.tests ?? []).find((t) => t.bugs === 0);
    const busy = (stack.truth.tests ?? []).find((t) => t.bugs > 5);
    if (!quiet || !busy) throw new Error('the sandbox should have tests with and without bugs');
    const r = await report({ test_ids: [quiet.id, busy.id] });
    const q = r.by_test.find((t) => t.test_id === quiet.id);
    expect(q).toMatchObject({
      bugs_count: 0,
      rejection_rate: null,
      review_rate: null,
      auto_acceptance_rate: null,
      health_status: 'unknown',
    });
    const b = r.by_test.find((t) => t.test_id === busy.id);
    expect(b).toMatchObject({
      bugs_count: busy.bugs,
      bugs: { rejected: busy.bugsByStatus['rejected'], open: busy.bugsByStatus['forwarded'] },
    });
    await callError(
      'generate_quality_report',
      { test_ids: [busy.id], start_date: 'last year' },
      /cannot be combined/,
    );
    const other = stack.truth.products.find((p) => p.id !== busy.productId)?.id;
    await callError(
      'generate_quality_report',
      { product_ids: other, test_ids: busy.id },
      new RegExp(`Test ${busy.id} belongs to product ${busy.productId}`),
    );
    await callError('generate_quality_report', { product_ids: [999_999] }, /Product ID '999999' not found/);
    await callError('generate_quality_report', { test_ids: [999_999_999] }, /list_tests/);
  });

  it('renders Markdown a person can hand to a customer, and reports progress', async () => {
    const updates: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await client.callTool(
      { name: 'generate_quality_report', arguments: { max_tests: 10 } },
      CallToolResultSchema,
      {
        onprogress: (p) => updates.push(p),
        timeout: 60_000,
      },
    );
    const r = generateQualityReportOutputSchema.parse(structuredOf(result));
    expect(updates.map((u) => u.progress)).toEqual([1, 2, 3, 4]);
    expect(updates.every((u) => u.total === 4 && typeof u.message === 'string')).toBe(true);
    const md = r.markdown;
    for (const heading of [
      '# Quality report',
      '## Summary',
      '### Health indicators',
      '## Products',
      '## Bugs by severity',
      '## Why bugs were rejected',
      '## Bugs by platform',
      '## Monthly trend',
      '## Tests (newest 10 of',
      '## How to read this report',
    ]) {
      expect(md).toContain(heading);
    }
    for (const p of r.products) expect(md).toContain(p.title);
    expect(md).not.toMatch(/undefined|NaN|\[object Object\]|\bnull\b/);
    expect(JSON.stringify(r).length).toBeLessThan(80_000);
    writeFileSync(path.join(exportRoot, 'all-products.md'), md);
  });
});

describe('report exports', () => {
  /** A second composition over the same mirror with its own export directory (one per test). */
  async function withExportDir<T>(
    fn: (dir: string, call: (args: Record<string, unknown>) => Promise<unknown>) => Promise<T>,
  ): Promise<T> {
    const dir = mkdtempSync(path.join(exportRoot, 'case-'));
    const settings = parseMcpServerSettings({ ...stack.env, TESTIO_EXPORT_DIR: path.join(dir, 'exports') });
    const container = await createMcpContainer({
      settings,
      runtime: resolveMcpRuntime(settings),
      logger: stack.log.logger,
    });
    const session = await connectInMemory({ services: container.services, logger: stack.log.logger });
    try {
      return await fn(path.join(dir, 'exports'), (args) =>
        session.client.callTool({ name: 'generate_quality_report', arguments: args }),
      );
    } finally {
      await session.close();
      await container.close();
    }
  }

  it('writes the Markdown, JSON and CSV under the export directory and returns paths and sizes', async () => {
    await withExportDir(async (dir, call) => {
      const r = generateQualityReportOutputSchema.parse(
        structuredOf(await call({ output_file: 'acme/q2-quality.md', statuses: 'all' })),
      );
      expect(r.export?.directory).toBe(dir);
      expect(r.export?.record_count).toBe(stack.truth.totals.tests);
      expect(r.export?.files.slice(0, 4).map((f) => [path.relative(dir, f.path), f.format])).toEqual([
        [path.join('acme', 'q2-quality.md'), 'markdown'],
        [path.join('acme', 'q2-quality.json'), 'json'],
        [path.join('acme', 'q2-quality.tests.csv'), 'csv'],
        [path.join('acme', 'q2-quality.html'), 'html'],
      ]);
      // Then a PNG per chart (charts.e2e.test.ts looks at them).
      expect(r.export?.files.slice(4).map((f) => f.format)).toEqual(Array(8).fill('png'));
      for (const f of r.export?.files ?? []) expect(lstatSync(f.path).size).toBe(f.size_bytes);
      const json = JSON.parse(readFileSync(path.join(dir, 'acme', 'q2-quality.json'), 'utf8')) as {
        test_data: unknown[];
        summary: { total_bugs: number };
      };
      expect(json.test_data).toHaveLength(stack.truth.totals.tests);
      expect(json.summary.total_bugs).toBe(stack.truth.totals.bugs);
      const csv = readFileSync(path.join(dir, 'acme', 'q2-quality.tests.csv'), 'utf8')
        .trim()
        .split('\r\n');
      expect(csv).toHaveLength(stack.truth.totals.tests + 1);
      expect(csv[0]).toMatch(/^test_id,product_id,product_title,title,status/);
      const md = readFileSync(path.join(dir, 'acme', 'q2-quality.md'), 'utf8');
      expect(md).toContain(`## Tests`);
      expect(md.split('\n').filter((l) => /^\| .* \(\d+\) \|/.test(l))).toHaveLength(
        stack.truth.totals.tests,
      );
    });
  });

  it('refuses ../x, absolute paths, symlinks pointing out and existing files, writing nothing outside', async () => {
    await withExportDir(async (dir, call) => {
      const outside = mkdtempSync(path.join(exportRoot, 'outside-'));
      structuredOf(await call({ output_file: 'first', max_tests: 0 }));
      symlinkSync(outside, path.join(dir, 'link'));
      const before = readdirSync(outside);
      for (const [output_file, pattern] of [
        ['../x', /climbs out of the export directory/],
        ['/abs/x', /is an absolute path/],
        [path.join(outside, 'x'), /is an absolute path/],
        ['link/x', /outside the export directory through a symlink/],
        ['first', /already exists/],
      ] as const) {
        expectThreePartError(await call({ output_file, max_tests: 0 }), pattern);
      }
      expect(readdirSync(outside)).toEqual(before);
      expect(existsSync(path.join(dir, '..', 'x.md'))).toBe(false);
      expect(existsSync('/abs/x.md')).toBe(false);
      const replaced = generateQualityReportOutputSchema.parse(
        structuredOf(await call({ output_file: 'first', overwrite: true, max_tests: 0 })),
      );
      expect(replaced.export?.files.map((f) => f.format).slice(0, 4)).toEqual([
        'markdown',
        'json',
        'csv',
        'html',
      ]);
    });
  });
});

describe('prompts, completion and resources', () => {
  it('lists the two prompts and renders them with the configured thresholds', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['analyze-product-quality', 'prep-meeting']);
    expect(prompts[0]?.arguments?.map((a) => [a.name, a.required])).toEqual([
      ['product', false],
      ['period', false],
      ['focus_area', false],
    ]);
    const product = stack.truth.products[0];
    const analyze = await client.getPrompt({
      name: 'analyze-product-quality',
      arguments: { product: product?.name ?? '' },
    });
    const text = (analyze.messages[0]?.content as { text: string }).text;
    expect(text).toContain(`Product: ${product?.name}`);
    expect(text).toContain('Period: last 30 days');
    expect(text).toContain('generate_quality_report');
    expect(text).toContain('≥ 35%');
    expect(text).not.toContain('get_product_quality_report(product_id');
    // The reference's argument name still works (not listed), and agrees with the listed one.
    const legacy = await client.getPrompt({
      name: 'analyze-product-quality',
      arguments: { product_identifier: String(product?.id), period: 'last quarter' },
    });
    const legacyText = (legacy.messages[0]?.content as { text: string }).text;
    expect(legacyText).toContain(`Product: ${product?.id}`);
    expect(legacyText).toContain('Period: last quarter');
    const both = await client.getPrompt({
      name: 'analyze-product-quality',
      arguments: { product: String(product?.id), product_identifier: String(product?.id) },
    });
    expect((both.messages[0]?.content as { text: string }).text).toContain(`Product: ${product?.id}`);
    await expect(
      client.getPrompt({
        name: 'analyze-product-quality',
        arguments: { product: '1', product_identifier: '2' },
      }),
    ).rejects.toThrow(/❌ Conflicting arguments 'product' and 'product_identifier'[\s\S]*💡/);
    const full = await client.getPrompt({
      name: 'analyze-product-quality',
      arguments: { focus_area: 'full report' },
    });
    expect((full.messages[0]?.content as { text: string }).text).toContain(
      'without stopping for questions: YES',
    );
    const prep = await client.getPrompt({
      name: 'prep-meeting',
      arguments: { analysis_dir: './acme-ebr/', context: 'QBR with the CTO' },
    });
    expect((prep.messages[0]?.content as { text: string }).text).toMatch(/acme-ebr[\s\S]*QBR with the CTO/);
    await expect(client.getPrompt({ name: 'prep-meeting', arguments: {} })).rejects.toThrow(
      /❌ Missing required argument 'analysis_dir'[\s\S]*💡/,
    );
    await expect(
      client.getPrompt({ name: 'prep-meeting', arguments: { analysis_dir: 'x', colour: 'red' } }),
    ).rejects.toThrow(/Invalid argument 'colour'/);
    await expect(client.getPrompt({ name: 'nope' })).rejects.toThrow(
      /Unknown prompt 'nope'[\s\S]*analyze-product-quality/,
    );
  });

  it('completes product names for the prompt and product ids for the product template', async () => {
    const product = [...stack.truth.products].sort((a, b) => a.name.localeCompare(b.name))[0];
    if (!product) throw new Error('no product');
    const byName = await client.complete({
      ref: { type: 'ref/prompt', name: 'analyze-product-quality' },
      argument: { name: 'product', value: product.name.slice(0, 3).toLowerCase() },
    });
    expect(byName.completion.values).toContain(product.name);
    const byLegacyName = await client.complete({
      ref: { type: 'ref/prompt', name: 'analyze-product-quality' },
      argument: { name: 'product_identifier', value: product.name.slice(0, 3).toLowerCase() },
    });
    expect(byLegacyName.completion.values).toContain(product.name);
    const ids = await client.complete({
      ref: { type: 'ref/resource', uri: 'testio://products/{id}' },
      argument: { name: 'id', value: String(product.id).slice(0, 2) },
    });
    expect(ids.completion.values).toContain(String(product.id));
  });

  it('serves the playbook with the thresholds in force, the REST guide with the real base URL, and entity templates', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual([
      'testio://knowledge/playbook',
      'testio://knowledge/programmatic-access',
      // The MCP App (ADR 0038): hosts that render apps preload it.
      'ui://testio-mcp/product-dashboard',
    ]);
    const playbook = await client.readResource({ uri: 'testio://knowledge/playbook' });
    expect((playbook.contents[0] as { text: string }).text).toMatch(
      /Rejection rate \| rejected \/ all bugs \| < 20% \| 20% – 35% \| ≥ 35%/,
    );
    const access = await client.readResource({ uri: 'testio://knowledge/programmatic-access' });
    expect((access.contents[0] as { text: string }).text).toContain(
      'curl -s -X POST http://127.0.0.1:18081/api/analytics/query',
    );
    expect((access.contents[0] as { text: string }).text).toContain('BASE = "http://127.0.0.1:18081"');
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'testio://products/{id}',
      'testio://tests/{id}',
      'testio://features/{id}',
      'testio://bugs/{id}',
    ]);
    const product = stack.truth.products[0];
    const read = await client.readResource({ uri: `testio://products/${product?.id}` });
    const viaResource = JSON.parse((read.contents[0] as { text: string }).text) as Record<string, unknown>;
    const viaTool = structuredOf(
      await client.callTool({ name: 'get_product_summary', arguments: { product_id: product?.id } }),
    );
    expect(viaResource).toEqual(viaTool);
    expect(viaResource['test_count']).toBe(product?.tests);
    const testId = stack.truth.tests?.[0]?.id;
    const test = JSON.parse(
      ((await client.readResource({ uri: `testio://tests/${testId}` })).contents[0] as { text: string }).text,
    ) as { test: { id: number } };
    expect(test.test.id).toBe(testId);
    await expect(client.readResource({ uri: 'testio://products/999999' })).rejects.toThrow(
      /Product ID '999999' not found[\s\S]*list_products/,
    );
    await expect(client.readResource({ uri: 'testio://products/abc' })).rejects.toThrow(/Invalid product id/);
    await expect(client.readResource({ uri: 'testio://nothing' })).rejects.toThrow(/Unknown resource/);
  });
});
