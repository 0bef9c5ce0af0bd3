import {
  InvalidInputError,
  METRIC_DIMENSIONS,
  METRIC_KEYS,
  type AnalyticsScope,
  type MetricDimension,
  type MetricKey,
  type MetricQueryResult,
} from '@testio-mcp/domain';
import {
  DIMENSION_ALIASES,
  DIMENSION_INFO,
  FILTER_KEYS,
  MAX_DIMENSIONS,
  MAX_ROWS,
  METRIC_ALIASES,
  TIME_DIMENSIONS,
} from '../analytics/registry.js';
import { visualizationHint } from '../analytics/visualization.js';
import { truncate } from '../bounds.js';
import type { MetricFilters, QueryMetricsInput, QueryMetricsOutput } from '../contracts/query-metrics.js';
import { freshnessBlock, iso, type ServiceContext } from '../context.js';
import type { AnalyticsOptions } from '../types.js';
import { createAnalyticsShared, dateRange, periodLabel, testStatuses } from './analytics-shared.js';

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

interface ResolvedQuery {
  metrics: MetricKey[];
  dimensions: MetricDimension[];
  sortBy: MetricDimension | MetricKey;
  sortOrder: 'asc' | 'desc';
}

/** Checks the metric and dimension names and settles the sort (time dimensions ascend by default). */
function resolveQuery(input: QueryMetricsInput): ResolvedQuery {
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
  return { metrics, dimensions, sortBy: sortBy as MetricDimension | MetricKey, sortOrder };
}

/** Reader rows as answer rows: labels bounded, `<dimension>_id` beside entity labels. */
function shapeRows(
  result: MetricQueryResult,
  { dimensions, metrics }: ResolvedQuery,
): Array<Record<string, string | number | null>> {
  return result.rows.map((row) => {
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
}

/** The filters of the query in words, for `query_explanation`. */
function describeFilters(args: {
  filters: MetricFilters;
  productIds: readonly number[] | undefined;
  statuses: readonly string[] | undefined;
  from: Date | undefined;
  to: Date | undefined;
  limitedIds: readonly number[] | undefined;
}): string[] {
  const { filters: f, productIds, statuses, from, to, limitedIds } = args;
  const dimensionValues = f.dimension_values ?? {};
  return [
    productIds ? `products ${productIds.join(', ')}` : 'every product',
    statuses ? `${f.test_statuses ? '' : 'executed '}tests (${statuses.join(', ')})` : 'tests of any status',
    f.testing_types ? `testing types ${f.testing_types.join(', ')}` : null,
    f.bug_statuses ? `bug statuses ${f.bug_statuses.join(', ')}` : null,
    f.severities ? `severities ${f.severities.join(', ')}` : null,
    f.platforms ? `platforms ${f.platforms.join(', ')}` : null,
    ...Object.entries(dimensionValues).map(([key, values]) => `${key} ${values.join(' or ')}`),
    from || to ? `ended ${periodLabel(from, to)}` : null,
    limitedIds ? `the ${limitedIds.length} most recent tests` : null,
  ].filter((s): s is string => Boolean(s));
}

/** query_metrics: any metrics grouped by up to three dimensions, over fresh data. */
export function createQueryMetricsOperations(ctx: ServiceContext) {
  const { reader, settings } = ctx;
  const { analytics, requireProducts, freshen } = createAnalyticsShared(ctx);

  async function queryMetrics(
    input: QueryMetricsInput,
    options: AnalyticsOptions = {},
  ): Promise<QueryMetricsOutput> {
    const startedAt = performance.now();
    const progress = (step: number, message: string) =>
      options.onProgress?.({ progress: step, total: 3, message });
    const query = resolveQuery(input);
    const { dimensions, metrics, sortBy, sortOrder } = query;

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
    const result = await analytics().runMetricQuery({ dimensions, metrics, scope, sortBy, sortOrder, limit });
    const data = shapeRows(result, query);
    const capped = result.totalRows > data.length;
    if (capped)
      warnings.push(
        `Showing ${data.length} of ${result.totalRows} rows; raise limit (at most ${MAX_ROWS}) or narrow the query with filters or dates`,
      );

    progress(3, 'Done');
    const filterText = describeFilters({ filters: f, productIds, statuses, from, to, limitedIds });
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

  return { queryMetrics };
}
