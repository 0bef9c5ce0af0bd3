import type { MetricDimension, MetricKey } from '@testio-mcp/domain';
import { DIMENSION_INFO, METRIC_INFO } from './registry.js';

/**
 * The reference's `visualization_hint`: which chart fits a query's answer, chosen from the kinds of its
 * dimensions (time, categorical, entity), the kinds of its metrics (count, rate) and how many rows and
 * series came back. The thresholds are the reference's.
 */

export const PIE_MAX_CATEGORIES = 7;
export const BAR_MAX_ROWS = 15;
export const MULTI_LINE_MAX_SERIES = 8;

export type ChartType =
  'line' | 'multi_line' | 'pie' | 'horizontal_bar' | 'grouped_bar' | 'stacked_bar' | 'table';

export interface VisualizationHint {
  chart_type: ChartType;
  x_axis: string | null;
  y_axis: string[];
  y_axis_secondary: string[];
  series_by: string | null;
  included_series: string[] | null;
  dropped_series_count: number;
  rationale: string;
  confidence: 'high' | 'medium' | 'low';
  alternatives: ChartType[];
  metric_types: Record<string, 'count' | 'rate'>;
}

type Row = Readonly<Record<string, string | number | null>>;

const label = (value: string | number | null | undefined): string =>
  value === null || value === undefined ? '(none)' : String(value);

/** Series of `dimension` in the rows, largest first by the first metric's total (ties by name). */
function seriesOf(rows: readonly Row[], dimension: string, metric: string | undefined): string[] {
  const totals = new Map<string, number>();
  for (const row of rows) {
    const key = label(row[dimension]);
    const value = metric === undefined ? 0 : row[metric];
    totals.set(key, (totals.get(key) ?? 0) + (typeof value === 'number' ? value : 0));
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
}

export function visualizationHint(
  dimensions: readonly MetricDimension[],
  metrics: readonly MetricKey[],
  rows: readonly Row[],
): VisualizationHint {
  const metricTypes = Object.fromEntries(metrics.map((m) => [m, METRIC_INFO[m].kind])) as Record<
    string,
    'count' | 'rate'
  >;
  const counts = metrics.filter((m) => METRIC_INFO[m].kind === 'count');
  const rates = metrics.filter((m) => METRIC_INFO[m].kind === 'rate');
  const mixed = counts.length > 0 && rates.length > 0;
  const base = {
    y_axis: mixed ? counts : [...metrics],
    y_axis_secondary: mixed ? rates : [],
    series_by: null as string | null,
    included_series: null as string[] | null,
    dropped_series_count: 0,
    metric_types: metricTypes,
  };
  const hint = (
    chart_type: ChartType,
    x_axis: string | null,
    rationale: string,
    confidence: VisualizationHint['confidence'],
    alternatives: ChartType[],
    extra: Partial<typeof base> = {},
  ): VisualizationHint => ({
    ...base,
    ...extra,
    chart_type,
    x_axis,
    rationale: mixed ? `${rationale} Rates go on a secondary axis next to the counts.` : rationale,
    confidence,
    alternatives,
  });

  if (rows.length === 0) return hint('table', null, 'No rows to chart.', 'low', []);
  const kinds = dimensions.map((d) => DIMENSION_INFO[d].kind);
  const [first, second] = dimensions;
  if (first === undefined) return hint('table', null, 'No dimension to chart.', 'low', []);

  if (dimensions.length === 1) {
    if (kinds[0] === 'time') {
      return hint('line', first, `${first} is a time dimension: a line shows the trend.`, 'high', [
        'horizontal_bar',
        'table',
      ]);
    }
    if (kinds[0] === 'categorical') {
      return rows.length <= PIE_MAX_CATEGORIES && metrics.length === 1 && counts.length === 1
        ? hint('pie', first, `${rows.length} categories of one count: a pie shows the shares.`, 'high', [
            'horizontal_bar',
            'table',
          ])
        : hint('horizontal_bar', first, `${rows.length} categories: bars compare them.`, 'high', ['table']);
    }
    return rows.length <= BAR_MAX_ROWS
      ? hint('horizontal_bar', first, `${rows.length} ${first} values: bars rank them.`, 'high', ['table'])
      : hint(
          'table',
          first,
          `${rows.length} ${first} values are too many for bars (at most ${BAR_MAX_ROWS}).`,
          'medium',
          ['horizontal_bar'],
        );
  }

  if (dimensions.length === 2 && second !== undefined) {
    const timeAt = kinds.indexOf('time');
    if (timeAt >= 0) {
      const x = dimensions[timeAt] as string;
      const seriesDim = dimensions[1 - timeAt] as string;
      const series = seriesOf(rows, seriesDim, metrics[0]);
      if (series.length <= MULTI_LINE_MAX_SERIES) {
        return hint(
          'multi_line',
          x,
          `A trend over ${x}, one line per ${seriesDim} (${series.length}).`,
          'high',
          ['stacked_bar', 'table'],
          { series_by: seriesDim, included_series: series },
        );
      }
      return hint(
        'table',
        x,
        `${series.length} ${seriesDim} series are too many lines (at most ${MULTI_LINE_MAX_SERIES}); a multi_line of the largest ${MULTI_LINE_MAX_SERIES} leaves ${series.length - MULTI_LINE_MAX_SERIES} out.`,
        'medium',
        ['multi_line'],
        {
          series_by: seriesDim,
          included_series: series.slice(0, MULTI_LINE_MAX_SERIES),
          dropped_series_count: series.length - MULTI_LINE_MAX_SERIES,
        },
      );
    }
    const [k0, k1] = kinds;
    if (k0 === 'entity' && k1 === 'entity') {
      return hint(
        'table',
        first,
        `Two entity dimensions (${first}, ${second}) read best as a table.`,
        'high',
        [],
      );
    }
    if (k0 === 'categorical' && k1 === 'entity') {
      const series = seriesOf(rows, second, metrics[0]);
      return series.length <= MULTI_LINE_MAX_SERIES
        ? hint(
            'grouped_bar',
            first,
            `Bars per ${first}, grouped by ${second} (${series.length}).`,
            'high',
            ['stacked_bar', 'table'],
            { series_by: second, included_series: series },
          )
        : hint(
            'table',
            first,
            `${series.length} ${second} groups are too many for grouped bars (at most ${MULTI_LINE_MAX_SERIES}).`,
            'medium',
            ['grouped_bar'],
          );
    }
    // categorical + categorical, or entity + categorical.
    return rows.length <= BAR_MAX_ROWS
      ? hint(
          'stacked_bar',
          first,
          `Bars per ${first}, stacked by ${second}.`,
          'high',
          ['grouped_bar', 'table'],
          { series_by: second, included_series: seriesOf(rows, second, metrics[0]) },
        )
      : hint(
          'table',
          first,
          `${rows.length} rows are too many for stacked bars (at most ${BAR_MAX_ROWS}).`,
          'medium',
          ['stacked_bar'],
        );
  }
  return hint(
    'table',
    first,
    `${dimensions.length} dimensions read best as a table (or a pivot).`,
    'high',
    [],
  );
}
