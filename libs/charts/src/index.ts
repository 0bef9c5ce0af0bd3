/**
 * Charts drawn on the server, without a browser: a table (dimensions, metrics, rows) becomes a Vega-Lite
 * spec chosen from the data, then SVG (vega) and PNG (resvg), text set in a font shipped with this package.
 * docs/decisions/0020-charts.md says why this stack and how the chart is chosen.
 */
export { chooseChart } from './choose.js';
export { FONT_FAMILY, FONT_FILE } from './font.js';
export {
  CHART_FORMATS,
  renderChart,
  specToSvg,
  svgToPng,
  type ChartFormat,
  type RenderedChart,
} from './render.js';
export {
  axisTitle,
  MAX_CATEGORIES,
  MAX_FACETS,
  MAX_SERIES,
  prepareChart,
  type PreparedChart,
} from './spec.js';
export { describeChart, formatValue } from './summary.js';
export {
  CHART_THEMES,
  CHART_TYPES,
  type Cell,
  type ChartData,
  type ChartDimension,
  type ChartMetric,
  type ChartOptions,
  type ChartPlan,
  type ChartTheme,
  type ChartType,
  type Row,
} from './types.js';
