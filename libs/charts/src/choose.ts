import type { ChartData, ChartDimension, ChartOptions, ChartPlan, ChartType } from './types.js';

/**
 * Which chart fits the data (docs/decisions/0020-charts.md): a time dimension draws lines (one per value
 * of a second dimension); one category draws bars sorted by value; two categories draw stacked bars for
 * counts (the stack's height is the total) and grouped bars for rates and ratios (rates do not add up);
 * a third dimension splits the chart into small multiples. The caller may force the type and the metric.
 */
export function chooseChart(data: ChartData, options: ChartOptions = {}): ChartPlan {
  const metric =
    (options.metric === undefined ? undefined : data.metrics.find((m) => m.key === options.metric)) ??
    data.metrics[0] ??
    null;
  const empty = (rationale: string): ChartPlan => ({
    type: 'empty',
    metric,
    x: null,
    series: null,
    facet: null,
    rationale,
  });
  if (metric === null) return empty('No metric to chart.');
  if (data.dimensions.length === 0) return empty('No dimension to chart.');
  if (!data.rows.some((row) => typeof row[metric.key] === 'number'))
    return empty(data.rows.length === 0 ? 'No rows to chart.' : `No ${metric.label} values to chart.`);

  const dims = [...data.dimensions];
  // The time dimension goes along the axis wherever the caller put it.
  const timeAt = dims.findIndex((d) => d.kind === 'time');
  if (timeAt > 0) dims.unshift(...dims.splice(timeAt, 1));
  const [x, series = null, facet = null] = dims as [ChartDimension, ...ChartDimension[]];
  const additive = metric.format === 'count';

  let type: ChartType;
  let rationale: string;
  if (x.kind === 'time') {
    type = 'line';
    rationale = `${x.label} is time: a line shows the trend${series ? `, one per ${series.label.toLowerCase()}` : ''}.`;
  } else if (series === null) {
    type = 'bar';
    rationale = `One ${x.label.toLowerCase()} per bar, longest first.`;
  } else if (additive) {
    type = 'stacked_bar';
    rationale = `${metric.label} adds up: bars per ${x.label.toLowerCase()}, stacked by ${series.label.toLowerCase()}.`;
  } else {
    type = 'grouped_bar';
    rationale = `${metric.label} does not add up: bars per ${x.label.toLowerCase()}, grouped by ${series.label.toLowerCase()}.`;
  }
  if (facet) rationale += ` One small chart per ${facet.label.toLowerCase()}.`;
  if (options.type !== undefined && options.type !== type) {
    rationale = `${options.type.replace('_', ' ')} as asked (the chooser would draw a ${type.replace('_', ' ')}).`;
    type = options.type;
  }
  // A bar chart of one dimension has no series; a grouped or stacked chart of one dimension is a bar chart.
  if (type === 'bar' && series !== null && facet === null)
    return { type, metric, x, series: null, facet: series, rationale };
  if ((type === 'grouped_bar' || type === 'stacked_bar') && series === null)
    return { type: 'bar', metric, x, series: null, facet, rationale };
  return { type, metric, x, series, facet, rationale };
}
