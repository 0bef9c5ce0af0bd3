import {
  EXECUTED_TEST_STATUSES,
  InvalidInputError,
  METRIC_DIMENSIONS,
  METRIC_KEYS,
  MUTABLE_TEST_STATUSES,
  parseFlexibleDate,
  ProductNotFoundError,
  SEVERITY_SCORE_WEIGHTS,
  TEST_STATUSES,
  TestNotFoundError,
  type AnalyticsReader,
  type AnalyticsScope,
  type MetricDimension,
  type MetricKey,
  type ProductRef,
  type ReportTestRow,
} from '@testio-mcp/domain';
import { bucketsOf, indicators, ratesOf, statsOf } from '../analytics/health.js';
import {
  DEFAULT_ROWS,
  DIMENSION_ALIASES,
  DIMENSION_INFO,
  FILTER_INFO,
  FILTER_KEYS,
  MAX_DIMENSIONS,
  MAX_ROWS,
  METRIC_ALIASES,
  METRIC_INFO,
  TIME_DIMENSIONS,
} from '../analytics/registry.js';
import { renderReportMarkdown, renderTestsCsv } from '../analytics/render.js';
import { visualizationHint } from '../analytics/visualization.js';
import { truncate } from '../bounds.js';
import {
  MAX_REPORT_PRODUCTS,
  MAX_REPORT_TEST_IDS,
  type GenerateQualityReportInput,
  type GenerateQualityReportOutput,
  type GetAnalyticsCapabilitiesOutput,
  type MetricFilters,
  type QualityReportWithTestsOutput,
  type QueryMetricsInput,
  type QueryMetricsOutput,
  type ReportTest,
  type ThresholdsOutput,
} from '../contracts/analytics.js';
import { freshnessBlock, iso, oldest, refreshWarnings, type ServiceContext } from '../context.js';
import type { AnalyticsOptions } from '../types.js';

const MUTABLE = new Set<string>(MUTABLE_TEST_STATUSES);
/** Most tests whose bugs one analytics call re-reads from TestIO (the newest stale ones first). */
export const MAX_REFRESHED_TESTS = 300;

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] ?? 0;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] ?? 0;
      dp[j] = Math.min((dp[j] ?? 0) + 1, (dp[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length] ?? 0;
}

function suggestions<K extends string>(
  name: string,
  valid: readonly K[],
  aliases: Readonly<Record<string, readonly K[]>>,
): K[] {
  const alias = aliases[name];
  if (alias) return [...alias];
  return valid.filter((v) => v.includes(name) || name.includes(v) || editDistance(v, name) <= 2).slice(0, 3);
}

/** Checks names against a vocabulary; an unknown name is a three-part error listing the valid ones. */
function checkNames<K extends string>(
  kind: 'metric' | 'dimension',
  names: readonly string[],
  valid: readonly K[],
  aliases: Readonly<Record<string, readonly K[]>>,
): K[] {
  const field = `${kind}s`;
  if (names.length === 0) {
    throw new InvalidInputError({
      field,
      message: `Invalid argument '${field}': at least one ${kind} is required`,
      reason: `Valid ${kind}s: ${valid.join(', ')}`,
      hint: `Provide ${field} as ['${valid[0]}'], '${valid[0]}' or '${valid[0]},${valid[1]}'; get_analytics_capabilities describes each`,
    });
  }
  const unknown = names.filter((n) => !(valid as readonly string[]).includes(n));
  if (unknown.length > 0) {
    const guesses = [...new Set(unknown.flatMap((n) => suggestions(n, valid, aliases)))];
    throw new InvalidInputError({
      field,
      message: `Unknown ${kind}${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${truncate(n, 60)}'`).join(', ')}`,
      reason: `Valid ${kind}s: ${valid.join(', ')}`,
      hint: `${guesses.length > 0 ? `Did you mean ${guesses.join(', or ')}? ` : ''}Call get_analytics_capabilities to see every ${kind} with its description`,
    });
  }
  return names as K[];
}

function dateRange(
  ctx: ServiceContext,
  start: string | undefined,
  end: string | undefined,
): { from?: Date; to?: Date } {
  const now = ctx.clock.now();
  const from = start ? parseFlexibleDate(start, { startOfDay: true, now, field: 'start_date' }) : undefined;
  const to = end ? parseFlexibleDate(end, { startOfDay: false, now, field: 'end_date' }) : undefined;
  if (from && to && from > to) {
    throw new InvalidInputError({
      field: 'start_date',
      message: `Invalid date range: start_date '${start}' (${from.toISOString().slice(0, 10)}) is after end_date '${end}' (${to.toISOString().slice(0, 10)})`,
      reason: 'The start date must come before or equal the end date',
      hint: 'Swap the dates; for a single day use the same date for both',
    });
  }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

function periodLabel(from: Date | undefined, to: Date | undefined): string {
  const d = (x: Date) => x.toISOString().slice(0, 10);
  if (from && to) return `${d(from)} to ${d(to)}`;
  if (from) return `${d(from)} to present`;
  if (to) return `through ${d(to)}`;
  return 'all time';
}

/** `undefined` = every status; absent input = executed tests. */
function testStatuses(input: readonly string[] | undefined): string[] | undefined {
  if (!input || input.length === 0) return [...EXECUTED_TEST_STATUSES];
  if (input.includes('all')) return undefined;
  return [...input];
}

export function createAnalyticsOperations(ctx: ServiceContext) {
  const { reader, readThrough, settings } = ctx;
  const thresholds = settings.playbookThresholds;

  function analytics(): AnalyticsReader {
    if (ctx.analytics) return ctx.analytics;
    throw new InvalidInputError({
      message: 'Analytics are not available on this server',
      reason: 'The server was started without the analytics reader',
      hint: 'Ask whoever runs this server to wire createAnalyticsReader into the services',
    });
  }

  function thresholdsOutput(): ThresholdsOutput {
    return {
      rejection_rate: { ...thresholds.rejection_rate },
      auto_acceptance_rate: { ...thresholds.auto_acceptance_rate },
      review_rate: { ...thresholds.review_rate },
    };
  }

  const inScope = (productId: number): boolean =>
    !settings.productIds || settings.productIds.includes(productId);

  async function requireProducts(ids: readonly number[]): Promise<ProductRef[]> {
    const refs = await Promise.all(ids.map((id) => reader.getProduct(id)));
    const missing = ids.filter((id, i) => !refs[i] || !inScope(id));
    if (missing.length === 1) throw new ProductNotFoundError(missing[0] ?? 0);
    if (missing.length > 1) {
      throw new ProductNotFoundError(missing.join(', '), {
        message: `Products not found: ${missing.join(', ')}`,
        reason: 'These products may not exist, or they are not visible to this account',
      });
    }
    return refs.filter((r): r is ProductRef => r !== null);
  }

  async function allProducts(): Promise<ProductRef[]> {
    const now = ctx.clock.now();
    const page = await reader.listProducts({
      offset: 0,
      limit: 1000,
      sortBy: 'title',
      sortOrder: 'asc',
      ...(settings.productIds ? { productIds: settings.productIds } : {}),
      recentSince: { days30: now, days90: now },
    });
    const refs = await Promise.all(page.items.map((p) => reader.getProduct(p.id)));
    return refs.filter((r): r is ProductRef => r !== null);
  }

  /** Refresh first, aggregate second, so the summary is never staler than the rows beside it: re-reads the bugs of stale mutable tests. */
  async function freshen(
    rows: readonly ReportTestRow[],
  ): Promise<{ warnings: string[]; refreshFailed: boolean; refreshed: boolean }> {
    const mutable = rows.filter((r) => MUTABLE.has(r.status));
    if (mutable.length === 0) return { warnings: [], refreshFailed: false, refreshed: false };
    const ids = mutable.slice(0, MAX_REFRESHED_TESTS).map((r) => r.id);
    const outcome = await readThrough.ensureBugsFresh(ids);
    const failures = refreshWarnings('bugs of test', outcome);
    const warnings =
      failures.length > 5
        ? [...failures.slice(0, 5), `…and ${failures.length - 5} more refresh failures`]
        : failures;
    if (mutable.length > MAX_REFRESHED_TESTS) {
      warnings.push(
        `Only the bugs of the newest ${MAX_REFRESHED_TESTS} of ${mutable.length} still-changing tests were checked for freshness; older ones are shown as last synced`,
      );
    }
    return {
      warnings,
      refreshFailed: outcome.failed.length > 0,
      refreshed: outcome.refreshed.length > 0 || outcome.deleted.length > 0,
    };
  }

  // -------------------------------------------------------------------------------------------------

  async function queryMetrics(
    input: QueryMetricsInput,
    options: AnalyticsOptions = {},
  ): Promise<QueryMetricsOutput> {
    const startedAt = performance.now();
    const progress = (step: number, message: string) =>
      options.onProgress?.({ progress: step, total: 3, message });
    const metrics = checkNames('metric', input.metrics, METRIC_KEYS, METRIC_ALIASES);
    const dimensions = checkNames('dimension', input.dimensions, METRIC_DIMENSIONS, DIMENSION_ALIASES);
    if (dimensions.length > MAX_DIMENSIONS) {
      throw new InvalidInputError({
        field: 'dimensions',
        message: `Too many dimensions: ${dimensions.length} given, at most ${MAX_DIMENSIONS}`,
        reason: 'Every extra dimension multiplies the rows; more than three no longer fits an answer',
        hint: `Keep at most ${MAX_DIMENSIONS} dimensions, or filter on one instead (filters: ${FILTER_KEYS.join(', ')})`,
      });
    }
    if (metrics.includes('bugs_per_test') && !metrics.includes('test_count')) metrics.push('test_count');
    const sortBy =
      input.sort_by ??
      (TIME_DIMENSIONS.includes(dimensions[0] as MetricDimension) ? dimensions[0] : metrics[0]);
    const selected: string[] = [...dimensions, ...metrics];
    if (sortBy === undefined || !selected.includes(sortBy)) {
      throw new InvalidInputError({
        field: 'sort_by',
        message: `sort_by '${truncate(input.sort_by ?? '', 60)}' is not a selected dimension or metric`,
        reason: `Valid options for this query: ${selected.join(', ')}`,
        hint: 'Sort by one of the dimensions or metrics of the query, or leave sort_by out',
      });
    }
    const sortOrder =
      input.sort_order ??
      ((dimensions as string[]).includes(sortBy) && TIME_DIMENSIONS.includes(sortBy as MetricDimension)
        ? 'asc'
        : 'desc');

    const f: MetricFilters = input.filters ?? {};
    const dimensionValues = f.dimension_values ?? {};
    if (f.product_ids) await requireProducts(f.product_ids);
    const { from, to } = dateRange(ctx, input.start_date, input.end_date);
    const statuses = testStatuses(f.test_statuses);
    const productIds = f.product_ids ?? settings.productIds ?? undefined;
    const testScope: AnalyticsScope = {
      ...(productIds ? { productIds } : {}),
      ...(statuses ? { testStatuses: statuses } : {}),
      ...(f.testing_types ? { testingTypes: f.testing_types } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    };

    progress(1, 'Checking the freshness of the tests in scope');
    const tests = await analytics().reportTests(testScope);
    const limitedIds =
      input.tests_limit !== undefined ? tests.slice(0, input.tests_limit).map((t) => t.id) : undefined;
    const fresh = await freshen(limitedIds ? tests.slice(0, input.tests_limit) : tests);
    const warnings = [...fresh.warnings];

    progress(2, 'Computing the metrics');
    const limit = Math.min(input.limit, MAX_ROWS);
    if (input.limit > MAX_ROWS)
      warnings.push(
        `limit ${input.limit} is above the hard cap of ${MAX_ROWS} rows; at most ${MAX_ROWS} rows are returned`,
      );
    const scope: AnalyticsScope = {
      ...testScope,
      ...(limitedIds ? { testIds: limitedIds.length > 0 ? limitedIds : [-1] } : {}),
      ...(f.bug_statuses ? { bugStatuses: f.bug_statuses } : {}),
      ...(f.severities ? { severities: f.severities } : {}),
      ...(f.platforms ? { platforms: f.platforms } : {}),
      ...(Object.keys(dimensionValues).length > 0 ? { dimensionValues } : {}),
    };
    const result = await analytics().runMetricQuery({
      dimensions,
      metrics,
      scope,
      sortBy: sortBy as MetricDimension | MetricKey,
      sortOrder,
      limit,
    });
    const data = result.rows.map((row) => {
      const out: Record<string, string | number | null> = {};
      for (const d of dimensions) {
        const value = row.dimensions[d];
        out[d] =
          value?.label === null || value?.label === undefined ? null : (truncate(value.label, 200) ?? null);
        if (DIMENSION_INFO[d].hasId) out[`${d}_id`] = value?.id ?? null;
      }
      for (const m of metrics) out[m] = row.metrics[m] ?? null;
      return out;
    });
    const capped = result.totalRows > data.length;
    if (capped)
      warnings.push(
        `Showing ${data.length} of ${result.totalRows} rows; raise limit (at most ${MAX_ROWS}) or narrow the query with filters or dates`,
      );

    progress(3, 'Done');
    const filterText = [
      productIds ? `products ${productIds.join(', ')}` : 'every product',
      statuses
        ? `${f.test_statuses ? '' : 'executed '}tests (${statuses.join(', ')})`
        : 'tests of any status',
      f.testing_types ? `testing types ${f.testing_types.join(', ')}` : null,
      f.bug_statuses ? `bug statuses ${f.bug_statuses.join(', ')}` : null,
      f.severities ? `severities ${f.severities.join(', ')}` : null,
      f.platforms ? `platforms ${f.platforms.join(', ')}` : null,
      ...Object.entries(dimensionValues).map(([key, values]) => `${key} ${values.join(' or ')}`),
      from || to ? `ended ${periodLabel(from, to)}` : null,
      limitedIds ? `the ${limitedIds.length} most recent tests` : null,
    ].filter(Boolean);
    const lastTestsSyncAt = await reader.lastTestsSyncAt();
    return {
      data,
      total_rows: result.totalRows,
      returned_rows: data.length,
      capped,
      dimensions,
      metrics,
      filters_applied: {
        product_ids: productIds ? [...productIds] : null,
        test_statuses: statuses ?? null,
        bug_statuses: f.bug_statuses ?? null,
        severities: f.severities ?? null,
        testing_types: f.testing_types ?? null,
        platforms: f.platforms ?? null,
        dimension_values: Object.keys(dimensionValues).length > 0 ? dimensionValues : null,
        test_ids: limitedIds ?? null,
      },
      period: { start: iso(from), end: iso(to) },
      sort: { by: sortBy, order: sortOrder },
      visualization_hint: visualizationHint(dimensions, metrics, data),
      query_time_ms: Math.round(performance.now() - startedAt),
      query_explanation: `Showing ${metrics.join(', ')} grouped by ${dimensions.join(' and ')} for ${filterText.join(', ')}; sorted by ${sortBy} ${sortOrder === 'asc' ? 'ascending' : 'descending'}.`,
      ...freshnessBlock(ctx, lastTestsSyncAt, { warnings, refreshFailed: fresh.refreshFailed }),
    };
  }

  async function getAnalyticsCapabilities(): Promise<GetAnalyticsCapabilitiesOutput> {
    const platforms = ctx.analytics ? await ctx.analytics.listPlatforms() : [];
    return {
      dimensions: METRIC_DIMENSIONS.map((key) => {
        const d = DIMENSION_INFO[key];
        return {
          key,
          description: d.description,
          example: d.example,
          kind: d.kind,
          level: d.level,
          has_id: d.hasId,
        };
      }),
      metrics: METRIC_KEYS.map((key) => ({ key, ...METRIC_INFO[key] })),
      filters: FILTER_KEYS.map((key) => ({
        key,
        description: FILTER_INFO[key].description,
        example: FILTER_INFO[key].example,
        values: FILTER_INFO[key].values ? [...(FILTER_INFO[key].values ?? [])] : null,
      })),
      platforms: platforms.slice(0, 100),
      limits: { max_dimensions: MAX_DIMENSIONS, max_rows: MAX_ROWS, default_rows: DEFAULT_ROWS },
      severity_weights: { ...SEVERITY_SCORE_WEIGHTS },
      thresholds: thresholdsOutput(),
    };
  }

  function getThresholds(): Promise<ThresholdsOutput> {
    return Promise.resolve(thresholdsOutput());
  }

  // -------------------------------------------------------------------------------------------------

  function testFigures(r: ReportTestRow): ReportTest {
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

  async function buildReport(
    input: GenerateQualityReportInput,
    options: AnalyticsOptions & { includeTestData?: boolean },
  ): Promise<QualityReportWithTestsOutput> {
    const steps = input.output_file ? 5 : 4;
    const progress = (step: number, message: string) =>
      options.onProgress?.({ progress: step, total: steps, message });
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

    progress(1, 'Checking products and tests');
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

    progress(2, 'Refreshing bugs of changing tests');
    let rows = await analytics().reportTests(scope);
    const fresh = await freshen(rows);
    if (fresh.refreshed) rows = await analytics().reportTests(scope);
    const warnings = [...fresh.warnings];

    progress(3, 'Aggregating');
    const breakdowns = await analytics().reportBreakdowns(scope);
    const summary = statsOf(rows, thresholds);
    const byProduct = products.map((p) => ({
      product_id: p.id,
      product_title: p.title,
      ...statsOf(
        rows.filter((r) => r.productId === p.id),
        thresholds,
      ),
    }));
    const reasons = new Map<string, number>();
    for (const r of breakdowns.rejectionReasons)
      reasons.set(r.reason ?? 'unspecified', (reasons.get(r.reason ?? 'unspecified') ?? 0) + r.bugs);
    const rejected = summary.bugs_by_status.rejected;
    const topReasons = [...reasons.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([reason, bugs]) => ({
        reason,
        bugs,
        share: rejected === 0 ? 0 : Math.round((bugs / rejected) * 10_000) / 10_000,
      }));
    const platforms = new Map<string, number>();
    for (const p of breakdowns.platforms)
      platforms.set(p.platform ?? 'unknown', (platforms.get(p.platform ?? 'unknown') ?? 0) + p.bugs);
    const byPlatform = [...platforms.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([platform, bugs]) => ({ platform, bugs }));
    const months = new Map<string, ReportTestRow[]>();
    for (const r of rows) {
      const key = r.endAt ? r.endAt.toISOString().slice(0, 7) : 'unknown';
      months.set(key, [...(months.get(key) ?? []), r]);
    }
    const monthly = [...months.entries()]
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
    const allTests = rows.map(testFigures);
    const byTest = allTests.slice(0, input.max_tests);
    const productRefs = products.map((p) => ({ id: p.id, title: p.title }));
    const title = `Quality report: ${products.length <= 3 ? products.map((p) => p.title).join(', ') : `${products.length} products`}`;
    if (rows.length === 0)
      warnings.push(
        'No test matches this scope: check the product ids, the period and the statuses (default: executed tests)',
      );
    const freshness = freshnessBlock(ctx, oldest(products.map((p) => p.testsSyncedAt)), {
      warnings,
      refreshFailed: fresh.refreshFailed,
    });

    const data = {
      title,
      period: { label: periodLabel(from, to), start: iso(from), end: iso(to) },
      statuses_applied: statuses ?? [...TEST_STATUSES],
      products: productRefs,
      test_ids: testIds ?? null,
      summary,
      by_product: byProduct,
      by_test: byTest,
      tests_listed: byTest.length,
      top_rejection_reasons: topReasons,
      bugs_by_platform: byPlatform,
      monthly_trend: monthly,
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
      const writer = ctx.reportFiles;
      if (!writer) {
        throw new InvalidInputError({
          field: 'output_file',
          message: 'This server cannot export reports',
          reason: 'No export directory is configured',
          hint: 'Leave output_file out; the report is in the answer',
        });
      }
      const fullMarkdown = renderReportMarkdown(data, {
        tests: allTests,
        totalTests: allTests.length,
        dataAsOf: freshness.data_as_of,
      });
      const json = JSON.stringify(
        { ...data, by_test: undefined, tests_listed: undefined, test_data: allTests, ...freshness },
        null,
        2,
      );
      const titles = new Map(productRefs.map((p) => [p.id, p.title]));
      const written = await writer.write({
        relativeBase: input.output_file,
        overwrite: input.overwrite,
        field: 'output_file',
        files: [
          { suffix: '.md', content: fullMarkdown },
          { suffix: '.json', content: `${json}\n` },
          { suffix: '.tests.csv', content: renderTestsCsv(allTests, titles) },
        ],
      });
      exported = {
        directory: writer.directory,
        files: written.map((w) => ({
          path: w.path,
          format: w.suffix === '.md' ? 'markdown' : w.suffix === '.json' ? 'json' : 'csv',
          size_bytes: w.sizeBytes,
        })),
        record_count: allTests.length,
      };
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

  function getQualityReportWithTests(
    input: GenerateQualityReportInput,
    options: AnalyticsOptions = {},
  ): Promise<QualityReportWithTestsOutput> {
    return buildReport(input, { ...options, includeTestData: true });
  }

  return {
    queryMetrics,
    getAnalyticsCapabilities,
    getThresholds,
    generateQualityReport,
    getQualityReportWithTests,
  };
}
