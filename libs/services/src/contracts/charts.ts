import type { ChartTheme, ChartType } from '@testio-mcp/charts';
import { z } from 'zod';
import { enumInput } from './common.js';
import { queryMetricsInputSchema, queryMetricsOutputSchema } from './query-metrics.js';

// ---------------------------------------------------------------------------------------------------
// Charts of query_metrics answers (MCP `chart`, REST POST /api/analytics/chart)
// ---------------------------------------------------------------------------------------------------

// The charts' vocabulary, written out: a value import of @testio-mcp/charts would load vega on every
// server's start (services load it on the first chart). The types keep both lists complete and exact.
const CHART_TYPES = ['line', 'bar', 'grouped_bar', 'stacked_bar'] as const satisfies readonly ChartType[];
const CHART_THEMES = ['light', 'dark'] as const satisfies readonly ChartTheme[];
type Complete<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : never;
const _allTypes: Complete<ChartType, (typeof CHART_TYPES)[number]> = true;
const _allThemes: Complete<ChartTheme, (typeof CHART_THEMES)[number]> = true;

/** The parameters that steer a chart; each description is short, since tools/list carries them. */
export const chartOptionsShape = {
  chart_type: enumInput(CHART_TYPES, 'Overrides the chosen chart.').optional(),
  chart_metric: z
    .string()
    .trim()
    .toLowerCase()
    .max(60)
    .optional()
    .describe('The metric to draw (default: the first).'),
};

/** query_metrics' MCP input: the query, plus whether to draw it. */
export const queryMetricsToolInputSchema = queryMetricsInputSchema.extend({
  chart: enumInput(
    ['none', 'png', 'svg'] as const,
    'Also return a chart of the rows as an image, with a text summary.',
  ).default('none'),
  ...chartOptionsShape,
});
export type QueryMetricsToolInput = z.output<typeof queryMetricsToolInputSchema>;
/** The tool's JSON answer is the query's; the chart travels beside it as image content. */
export const queryMetricsToolOutputSchema = queryMetricsOutputSchema;

/**
 * POST /api/analytics/chart: the query, the image format and the chart's options. It answers an image,
 * not JSON, so it has no output schema (and is named a request, not an `<op>InputSchema`).
 */
export const metricsChartRequestSchema = queryMetricsInputSchema.extend({
  format: enumInput(['png', 'svg'] as const, 'Image format.').default('png'),
  theme: enumInput(CHART_THEMES, 'Light or dark background.').default('light'),
  ...chartOptionsShape,
});
export type MetricsChartRequest = z.output<typeof metricsChartRequestSchema>;
