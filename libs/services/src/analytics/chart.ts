import type {
  ChartData,
  ChartDimension,
  ChartFormat,
  ChartMetric,
  ChartOptions,
  RenderedChart,
} from '@testio-mcp/charts';
import {
  BUG_SEVERITIES,
  InvalidInputError,
  BUG_STATUSES,
  TESTING_TYPES,
  type MetricDimension,
  type MetricKey,
} from '@testio-mcp/domain';
import type { QueryMetricsOutput } from '../contracts/query-metrics.js';
import { DIMENSION_INFO } from './registry.js';

/** How each metric reads on an axis: its name and unit (rates as %, bugs_per_test as a plain ratio). */
export const METRIC_AXES: Record<MetricKey, Omit<ChartMetric, 'key'>> = {
  test_count: { label: 'Tests', format: 'count', unit: 'count' },
  bug_count: { label: 'Bugs', format: 'count', unit: 'count' },
  bug_severity_score: { label: 'Bug severity score', format: 'count', unit: 'weighted points' },
  features_tested: { label: 'Features tested', format: 'count', unit: 'count' },
  active_testers: { label: 'Active testers', format: 'count', unit: 'count' },
  bugs_per_test: { label: 'Bugs per test', format: 'ratio', unit: 'bugs / test' },
  tests_created: { label: 'Tests created', format: 'count', unit: 'count' },
  tests_submitted: { label: 'Tests submitted', format: 'count', unit: 'count' },
  overall_acceptance_rate: { label: 'Acceptance rate', format: 'percent' },
  rejection_rate: { label: 'Rejection rate', format: 'percent' },
  review_rate: { label: 'Review rate', format: 'percent' },
  active_acceptance_rate: { label: 'Active acceptance rate', format: 'percent' },
  auto_acceptance_rate: { label: 'Auto acceptance rate', format: 'percent' },
};

const DIMENSION_LABELS: Record<MetricDimension, string> = {
  feature: 'Feature',
  product: 'Product',
  platform: 'Platform',
  tester: 'Tester',
  customer: 'Customer',
  severity: 'Severity',
  status: 'Bug status',
  testing_type: 'Testing type',
  month: 'Month',
  week: 'Week',
  quarter: 'Quarter',
  rejection_reason: 'Rejection reason',
  test_environment: 'Test environment',
  known_bug: 'Known bug',
};

/** Dimensions whose values have an order of their own, kept in legends and stacks. */
const NATURAL_ORDER: Partial<Record<MetricDimension, readonly string[]>> = {
  severity: BUG_SEVERITIES,
  status: BUG_STATUSES,
  testing_type: TESTING_TYPES,
};

const isKnown = <K extends string>(table: Record<K, unknown>, key: string): key is K => key in table;

export function chartDimension(key: MetricDimension): ChartDimension {
  const order = NATURAL_ORDER[key];
  return {
    key,
    label: DIMENSION_LABELS[key],
    kind: DIMENSION_INFO[key].kind,
    ...(DIMENSION_INFO[key].hasId ? { idKey: `${key}_id` } : {}),
    ...(order ? { order } : {}),
  };
}

export const chartMetric = (key: MetricKey): ChartMetric => ({ key, ...METRIC_AXES[key] });

const day = (iso: string | null): string | null => (iso === null ? null : iso.slice(0, 10));

/** "Tests ended 2025-01-01 to 2025-06-30 · products 598, 599": what the numbers cover. */
function subtitleOf(result: QueryMetricsOutput): string | undefined {
  const parts: string[] = [];
  const start = day(result.period.start);
  const end = day(result.period.end);
  if (start && end) parts.push(`Tests ended ${start} to ${end}`);
  else if (start) parts.push(`Tests ended from ${start}`);
  else if (end) parts.push(`Tests ended up to ${end}`);
  const products = result.filters_applied.product_ids;
  if (products && products.length > 0)
    parts.push(`product${products.length === 1 ? '' : 's'}: ${products.slice(0, 5).join(', ')}`);
  const severities = result.filters_applied.severities;
  if (severities && severities.length > 0) parts.push(`severities: ${severities.join(', ')}`);
  if (result.capped) parts.push(`first ${result.returned_rows} of ${result.total_rows} groups`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** A `query_metrics` answer as the chart library's table. */
export function metricsChartData(result: QueryMetricsOutput, title?: string): ChartData {
  const subtitle = subtitleOf(result);
  return {
    dimensions: result.dimensions
      .filter((d) => isKnown(DIMENSION_INFO, d))
      .map((d) => chartDimension(d as MetricDimension)),
    metrics: result.metrics.filter((m) => isKnown(METRIC_AXES, m)).map((m) => chartMetric(m as MetricKey)),
    rows: result.data,
    ...(title ? { title } : {}),
    ...(subtitle ? { subtitle } : {}),
  };
}

/** Draws a `query_metrics` answer; `options.metric` must be one of the metrics it computed. */
export async function chartMetrics(
  result: QueryMetricsOutput,
  format: ChartFormat,
  options: ChartOptions & { title?: string } = {},
): Promise<RenderedChart> {
  if (options.metric !== undefined && !result.metrics.includes(options.metric)) {
    throw new InvalidInputError({
      field: 'chart_metric',
      message: `chart_metric '${options.metric.slice(0, 60)}' is not among the metrics queried (${result.metrics.join(', ')})`,
      reason: 'The chart draws one of the metrics the query computed.',
      hint: `Pick one of ${result.metrics.join(', ')}, or add '${options.metric.slice(0, 60)}' to metrics.`,
    });
  }
  // Loaded on the first chart: vega and resvg stay out of the servers' start-up.
  const { renderChart } = await import('@testio-mcp/charts');
  return renderChart(metricsChartData(result, options.title), format, options);
}
