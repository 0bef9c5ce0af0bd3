/** The public API: only what other projects import (tests inside the lib import from the file itself). */
export { createServices } from './create-services.js';
export { type Services } from './types.js';
export { type AcceptanceRates } from './rates.js';
export { type Health } from './analytics/health.js';
export { computeFreshness, type Freshness } from './freshness.js';
// The contracts are the API of Services: every operation's input and output schema and type. They are
// public as a whole, so a new operation's schemas need no line here (CONTRIBUTING: adding a tool).
export * from './contracts/index.js';
export { chartMetrics, metricsChartData } from './analytics/chart.js';
export { renderReportCharts, type RenderedReportChart } from './analytics/report-charts.js';
export type { ChartFormat, RenderedChart } from '@testio-mcp/charts';
export type { TriageActor, TriageOptions, TriageWriteEvent } from './operations/triage.js';
export { type TriageDeps } from './context.js';
