import { valueFormat, type PreparedChart } from './spec.js';
import type { ChartMetric } from './types.js';

/** A value as the chart's axis prints it: 12%, 1.25, 1,204. */
export function formatValue(metric: ChartMetric, value: number): string {
  const format = valueFormat(metric, true);
  if (format.endsWith('%')) return `${(value * 100).toFixed(1).replace(/\.0$/, '')}%`;
  if (format === '.2~f') return String(Math.round(value * 100) / 100);
  return Math.round(value).toLocaleString('en-US');
}

/**
 * The chart's text alternative, for people who cannot see it and for models given the image without
 * looking: what it draws, over what, and the largest and smallest values (with the first and last of a
 * trend).
 */
export function describeChart(chart: PreparedChart): string {
  const { plan, points, title } = chart;
  const { metric, x } = plan;
  if (plan.type === 'empty' || metric === null || x === null)
    return `Chart "${title}": nothing to chart. ${plan.rationale}`;
  const kind = {
    line: 'Line chart',
    bar: 'Bar chart',
    grouped_bar: 'Grouped bar chart',
    stacked_bar: 'Stacked bar chart',
  }[plan.type];
  const where = (p: (typeof points)[number]): string =>
    [p.x, p.s, p.f].filter((part): part is string => part !== null).join(', ');
  const sorted = [...points].sort((a, b) => b.v - a.v);
  const top = sorted[0];
  const bottom = sorted.at(-1);
  const parts = [
    `${kind} "${title}" of ${metric.label.toLowerCase()} by ${x.label.toLowerCase()}` +
      `${plan.series ? `, one ${plan.type === 'line' ? 'line' : 'colour'} per ${plan.series.label.toLowerCase()}` : ''}` +
      `${plan.facet ? `, one panel per ${plan.facet.label.toLowerCase()}` : ''}: ${points.length} value${points.length === 1 ? '' : 's'}.`,
  ];
  if (top && bottom) {
    parts.push(`Highest: ${formatValue(metric, top.v)} (${where(top)}).`);
    if (points.length > 1) parts.push(`Lowest: ${formatValue(metric, bottom.v)} (${where(bottom)}).`);
  }
  if (plan.type === 'line' && plan.series === null && points.length > 1) {
    const first = points[0];
    const last = points.at(-1);
    if (first && last)
      parts.push(
        `From ${formatValue(metric, first.v)} in ${first.x} to ${formatValue(metric, last.v)} in ${last.x}.`,
      );
  }
  if (chart.subtitle.length > 0) parts.push(chart.subtitle.join(' '));
  return parts.join(' ');
}
