/** The public API: only what other projects import (tests inside the lib import from the file itself). */
export { createServices } from './create-services.js';
export { type Services } from './types.js';
export { type AcceptanceRates } from './rates.js';
export { type Health } from './analytics/health.js';
export { computeFreshness, type Freshness } from './freshness.js';
export { parseInput, paginationSchema, type Pagination, timestamp } from './contracts/common.js';
export {
  listProductsInputSchema,
  listProductsOutputSchema,
  type ListProductsOutput,
  listTestsInputSchema,
  type ListTestsInput,
  listTestsOutputSchema,
  listFeaturesInputSchema,
  listFeaturesOutputSchema,
  listUsersInputSchema,
  listUsersOutputSchema,
  listBugsInputSchema,
  listBugsOutputSchema,
} from './contracts/discovery.js';
export {
  getTestSummaryInputSchema,
  getTestSummaryOutputSchema,
  getProductSummaryInputSchema,
  getProductSummaryOutputSchema,
  getFeatureSummaryInputSchema,
  getFeatureSummaryOutputSchema,
  getUserSummaryInputSchema,
  getUserSummaryOutputSchema,
  getBugSummaryInputSchema,
  getBugSummaryOutputSchema,
} from './contracts/summaries.js';
export {
  SEARCH_ENTITY_TYPES,
  searchInputSchema,
  searchOutputSchema,
  syncDataInputSchema,
  type SyncDataInput,
  syncDataOutputSchema,
  type SyncDataOutput,
  getServerDiagnosticsInputSchema,
  syncEventSchema,
  getServerDiagnosticsOutputSchema,
  type GetServerDiagnosticsOutput,
  getSyncHistoryInputSchema,
  getProblematicTestsInputSchema,
  getProblematicTestsOutputSchema,
} from './contracts/management.js';
export { type ThresholdsOutput, getThresholdsOutputSchema } from './contracts/thresholds.js';
export {
  type MetricFilters,
  queryMetricsInputSchema,
  queryMetricsOutputSchema,
} from './contracts/query-metrics.js';
export {
  getAnalyticsCapabilitiesInputSchema,
  getAnalyticsCapabilitiesOutputSchema,
} from './contracts/capabilities.js';
export {
  generateQualityReportInputSchema,
  reportTestSchema,
  generateQualityReportOutputSchema,
  type ReportTest,
  qualityReportWithTestsOutputSchema,
} from './contracts/quality-report.js';
