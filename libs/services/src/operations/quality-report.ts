import path from 'node:path';
import {
  ConflictError,
  InvalidInputError,
  TEST_STATUSES,
  TestNotFoundError,
  type AnalyticsScope,
  type PlaybookThresholds,
  type ProductRef,
  type ReportBreakdowns,
  type ReportTestRow,
} from '@testio-mcp/domain';
import { bucketsOf, indicators, ratesOf, statsOf } from '../analytics/health.js';
import { renderReportHtml } from '../analytics/html.js';
import { renderReportMarkdown, renderTestsCsv } from '../analytics/render.js';
import { renderReportCharts, type RenderedReportChart } from '../analytics/report-charts.js';
import { truncate } from '../bounds.js';
import {
  MAX_REPORT_PRODUCTS,
  MAX_REPORT_TEST_IDS,
  type GenerateQualityReportInput,
  type GenerateQualityReportOutput,
  type QualityReportWithTestsOutput,
  type ReportTest,
} from '../contracts/quality-report.js';
import { freshnessBlock, iso, oldest, type FreshnessBlock, type ServiceContext } from '../context.js';
import type { AnalyticsOptions } from '../types.js';
import { createAnalyticsShared, dateRange, periodLabel, testStatuses } from './analytics-shared.js';

type ReportData = Omit<GenerateQualityReportOutput, 'markdown' | 'export' | keyof FreshnessBlock>;
type ExportFormat = NonNullable<GenerateQualityReportOutput['export']>['files'][number]['format'];

const FORMAT_OF_SUFFIX: Readonly<Record<string, ExportFormat>> = {
  '.md': 'markdown',
  '.json': 'json',
  '.tests.csv': 'csv',
  '.html': 'html',
};

/** Rejects combinations and sizes one report cannot serve, before anything is read. */
function checkReportInput(input: GenerateQualityReportInput): void {
  const testIds = input.test_ids;
  if (testIds && (input.start_date || input.end_date || input.statuses)) {
    throw new InvalidInputError({
      field: 'test_ids',
      message: 'test_ids cannot be combined with start_date, end_date or statuses',
      reason: 'test_ids names the exact tests to report on; dates and statuses are for choosing tests',
      hint: 'Give either test_ids, or dates and statuses',
    });
  }
  if (input.product_ids && input.product_ids.length > MAX_REPORT_PRODUCTS) {
    throw new InvalidInputError({
      field: 'product_ids',
      message: `Too many products: ${input.product_ids.length}, at most ${MAX_REPORT_PRODUCTS}`,
      reason: 'One report covers at most 50 products',
      hint: 'Split the products over several reports, or leave product_ids out for every product',
    });
  }
  if (testIds && testIds.length > MAX_REPORT_TEST_IDS) {
    throw new InvalidInputError({
      field: 'test_ids',
      message: `Too many test ids: ${testIds.length}, at most ${MAX_REPORT_TEST_IDS}`,
      reason: 'Select tests with dates and statuses instead',
      hint: 'Use start_date/end_date and statuses to choose many tests',
    });
  }
}

/** Bugs per rejection reason, most first, with their share of the rejected bugs. */
function topRejectionReasons(breakdowns: ReportBreakdowns, rejected: number) {
  const reasons = new Map<string, number>();
  for (const r of breakdowns.rejectionReasons)
    reasons.set(r.reason ?? 'unspecified', (reasons.get(r.reason ?? 'unspecified') ?? 0) + r.bugs);
  return [...reasons.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, bugs]) => ({
      reason,
      bugs,
      share: rejected === 0 ? 0 : Math.round((bugs / rejected) * 10_000) / 10_000,
    }));
}

function bugsByPlatform(breakdowns: ReportBreakdowns) {
  const platforms = new Map<string, number>();
  for (const p of breakdowns.platforms)
    platforms.set(p.platform ?? 'unknown', (platforms.get(p.platform ?? 'unknown') ?? 0) + p.bugs);
  return [...platforms.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([platform, bugs]) => ({ platform, bugs }));
}

/** The figures per month of `end_at`, oldest first; tests without an end last. */
function monthlyTrend(rows: readonly ReportTestRow[], thresholds: PlaybookThresholds) {
  const months = new Map<string, ReportTestRow[]>();
  for (const r of rows) {
    const key = r.endAt ? r.endAt.toISOString().slice(0, 7) : 'unknown';
    months.set(key, [...(months.get(key) ?? []), r]);
  }
  return [...months.entries()]
    .sort((a, b) => (a[0] === 'unknown' ? 1 : b[0] === 'unknown' ? -1 : a[0].localeCompare(b[0])))
    .map(([month, list]) => {
      const s = statsOf(list, thresholds);
      return {
        month,
        tests: s.total_tests,
        bugs: s.total_bugs,
        active_acceptance_rate: s.active_acceptance_rate,
        auto_acceptance_rate: s.auto_acceptance_rate,
        overall_acceptance_rate: s.overall_acceptance_rate,
        rejection_rate: s.rejection_rate,
        review_rate: s.review_rate,
      };
    });
}

function testFigures(r: ReportTestRow, thresholds: PlaybookThresholds): ReportTest {
  const buckets = bucketsOf(r.bugsByStatus);
  const rates = ratesOf(buckets, r.bugs);
  return {
    test_id: r.id,
    product_id: r.productId,
    title: truncate(r.title, 200) ?? '',
    status: r.status,
    testing_type: r.testingType,
    start_at: iso(r.startAt),
    end_at: iso(r.endAt),
    test_environment: r.environment,
    bugs_count: r.bugs,
    bugs: buckets,
    ...rates,
    health_status: indicators(rates, thresholds).health_status,
  };
}

interface ReportScope {
  products: ProductRef[];
  testIds: number[] | undefined;
  statuses: string[] | undefined;
  from: Date | undefined;
  to: Date | undefined;
  scope: AnalyticsScope;
}

/** generate_quality_report (MCP) and its REST twin with every test's figures. */
export function createQualityReportOperations(ctx: ServiceContext) {
  const { reader } = ctx;
  const thresholds = ctx.settings.playbookThresholds;
  const { analytics, thresholdsOutput, inScope, requireProducts, allProducts, freshen } =
    createAnalyticsShared(ctx);

  /** The products and tests the report covers: named products, the products of named tests, or all. */
  async function resolveScope(input: GenerateQualityReportInput): Promise<ReportScope> {
    const testIds = input.test_ids;
    const { from, to } = dateRange(ctx, input.start_date, input.end_date);
    let products: ProductRef[];
    if (input.product_ids) products = await requireProducts(input.product_ids);
    else if (!testIds) products = await allProducts();
    else products = [];
    if (testIds) {
      const refs = await reader.getTestRefs(testIds);
      const missing = testIds.find((id) => !refs.some((r) => r.id === id && inScope(r.productId)));
      if (missing !== undefined)
        throw new TestNotFoundError(missing, { reason: 'This test may not exist or may not be synced yet' });
      if (input.product_ids) {
        const stray = refs.find((r) => !input.product_ids?.includes(r.productId));
        if (stray) {
          throw new InvalidInputError({
            field: 'test_ids',
            message: `Test ${stray.id} belongs to product ${stray.productId}, not in product_ids [${input.product_ids.join(', ')}]`,
            reason: 'The test_ids filter must only include tests of the given products',
            hint: `Either remove test ${stray.id} from test_ids, or add product ${stray.productId} to product_ids`,
          });
        }
      } else {
        products = await requireProducts([...new Set(refs.map((r) => r.productId))]);
      }
    }
    const statuses = testIds ? undefined : testStatuses(input.statuses);
    const scope: AnalyticsScope = {
      productIds: products.map((p) => p.id),
      ...(testIds ? { testIds } : {}),
      ...(statuses ? { testStatuses: statuses } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    };
    return { products, testIds, statuses, from, to, scope };
  }

  /**
   * Writes the full report (every test) as Markdown, JSON, CSV and HTML next to each other, with a PNG
   * per chart that the Markdown shows and the HTML draws inline (as SVG).
   */
  async function exportFiles(
    target: { outputFile: string; overwrite: boolean },
    data: ReportData,
    allTests: ReportTest[],
    freshness: FreshnessBlock,
  ): Promise<NonNullable<GenerateQualityReportOutput['export']>> {
    const writer = ctx.reportFiles;
    if (!writer) {
      throw new InvalidInputError({
        field: 'output_file',
        message: 'This server cannot export reports',
        reason: 'No export directory is configured',
        hint: 'Leave output_file out; the report is in the answer',
      });
    }
    const charts = await renderReportCharts(data, { png: true });
    // The writer's own file stem (it drops a report extension the caller gave): the Markdown and the
    // HTML name the chart files relative to themselves.
    const stem = path.posix.basename(
      target.outputFile.trim().replace(/\.(md|markdown|json|csv|html?)$/i, ''),
    );
    const chartFile = (c: RenderedReportChart) => `${stem}.${c.name}.png`;
    const fullMarkdown = renderReportMarkdown(data, {
      tests: allTests,
      totalTests: allTests.length,
      dataAsOf: freshness.data_as_of,
      charts: charts.map((c) => ({ file: chartFile(c), title: c.title, description: c.description })),
    });
    const html = renderReportHtml(
      data.title,
      fullMarkdown,
      charts.map((c) => ({ file: chartFile(c), svg: c.svg })),
    );
    const json = JSON.stringify(
      { ...data, by_test: undefined, tests_listed: undefined, test_data: allTests, ...freshness },
      null,
      2,
    );
    const titles = new Map(data.products.map((p) => [p.id, p.title]));
    const byChartSuffix = new Map(charts.map((c) => [`.${c.name}.png`, c]));
    const written = await writer.write({
      relativeBase: target.outputFile,
      overwrite: target.overwrite,
      field: 'output_file',
      files: [
        { suffix: '.md', content: fullMarkdown },
        { suffix: '.json', content: `${json}\n` },
        { suffix: '.tests.csv', content: renderTestsCsv(allTests, titles) },
        { suffix: '.html', content: html },
        ...charts.map((c) => ({ suffix: `.${c.name}.png`, content: c.png ?? Buffer.alloc(0) })),
      ],
    });
    return {
      directory: writer.directory,
      files: written.map((w) => {
        const chart = byChartSuffix.get(w.suffix);
        return {
          path: w.path,
          format: chart ? 'png' : (FORMAT_OF_SUFFIX[w.suffix] ?? 'markdown'),
          size_bytes: w.sizeBytes,
          chart: chart ? { name: chart.name, title: chart.title, description: chart.description } : null,
        };
      }),
      record_count: allTests.length,
    };
  }

  async function buildReport(
    input: GenerateQualityReportInput,
    options: AnalyticsOptions & { includeTestData?: boolean },
  ): Promise<QualityReportWithTestsOutput> {
    const steps = input.output_file ? 5 : 4;
    const progress = (step: number, message: string) => {
      if (options.signal?.aborted) {
        throw new ConflictError({
          message: 'The quality report was cancelled',
          reason: 'The caller cancelled it before it was finished',
          hint: 'Ask for the report again to run it anew',
        });
      }
      options.onProgress?.({ progress: step, total: steps, message });
    };
    checkReportInput(input);

    progress(1, 'Checking products and tests');
    const { products, testIds, statuses, from, to, scope } = await resolveScope(input);

    progress(2, 'Refreshing bugs of changing tests');
    let rows = await analytics().reportTests(scope);
    const fresh = await freshen(rows);
    if (fresh.refreshed) rows = await analytics().reportTests(scope);
    const warnings = [...fresh.warnings];

    progress(3, 'Aggregating');
    const breakdowns = await analytics().reportBreakdowns(scope);
    const summary = statsOf(rows, thresholds);
    const allTests = rows.map((r) => testFigures(r, thresholds));
    const byTest = allTests.slice(0, input.max_tests);
    const productRefs = products.map((p) => ({ id: p.id, title: p.title }));
    if (rows.length === 0)
      warnings.push(
        'No test matches this scope: check the product ids, the period and the statuses (default: executed tests)',
      );
    const freshness = freshnessBlock(ctx, oldest(products.map((p) => p.testsSyncedAt)), {
      warnings,
      refreshFailed: fresh.refreshFailed,
    });
    const data: ReportData = {
      title: `Quality report: ${products.length <= 3 ? products.map((p) => p.title).join(', ') : `${products.length} products`}`,
      period: { label: periodLabel(from, to), start: iso(from), end: iso(to) },
      statuses_applied: statuses ?? [...TEST_STATUSES],
      products: productRefs,
      test_ids: testIds ?? null,
      summary,
      by_product: products.map((p) => ({
        product_id: p.id,
        product_title: p.title,
        ...statsOf(
          rows.filter((r) => r.productId === p.id),
          thresholds,
        ),
      })),
      by_test: byTest,
      tests_listed: byTest.length,
      top_rejection_reasons: topRejectionReasons(breakdowns, summary.bugs_by_status.rejected),
      bugs_by_platform: bugsByPlatform(breakdowns),
      monthly_trend: monthlyTrend(rows, thresholds),
      thresholds: thresholdsOutput(),
    };

    progress(4, 'Rendering the report');
    const markdown = renderReportMarkdown(data, {
      tests: byTest,
      totalTests: allTests.length,
      dataAsOf: freshness.data_as_of,
    });
    let exported: GenerateQualityReportOutput['export'] = null;
    if (input.output_file) {
      progress(5, 'Writing the files');
      exported = await exportFiles(
        { outputFile: input.output_file, overwrite: input.overwrite },
        data,
        allTests,
        freshness,
      );
    }
    return {
      ...data,
      markdown,
      export: exported,
      ...freshness,
      test_data: options.includeTestData ? allTests : [],
    };
  }

  async function generateQualityReport(
    input: GenerateQualityReportInput,
    options: AnalyticsOptions = {},
  ): Promise<GenerateQualityReportOutput> {
    const { test_data: _omit, ...report } = await buildReport(input, options);
    return report;
  }

  /** The quality report plus every test of the scope (`test_data`), as REST serves it. */
  function getQualityReportWithTests(
    input: GenerateQualityReportInput,
    options: AnalyticsOptions = {},
  ): Promise<QualityReportWithTestsOutput> {
    return buildReport(input, { ...options, includeTestData: true });
  }

  /**
   * The quality report as one self-contained HTML page (REST `format=html`): the answer's Markdown with
   * the report's charts drawn inline as SVG.
   */
  async function getQualityReportHtml(
    input: GenerateQualityReportInput,
    options: AnalyticsOptions = {},
  ): Promise<string> {
    const { test_data: _omit, ...report } = await buildReport(input, options);
    const charts = await renderReportCharts(report, { png: false });
    const markdown = renderReportMarkdown(report, {
      tests: report.by_test,
      totalTests: report.summary.total_tests,
      dataAsOf: report.data_as_of,
      charts: charts.map((c) => ({ file: `${c.name}.svg`, title: c.title, description: c.description })),
    });
    return renderReportHtml(
      report.title,
      markdown,
      charts.map((c) => ({ file: `${c.name}.svg`, svg: c.svg })),
    );
  }

  return { generateQualityReport, getQualityReportWithTests, getQualityReportHtml };
}
