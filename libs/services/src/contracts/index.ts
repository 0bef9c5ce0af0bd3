import * as a from './analytics.js';
import * as d from './discovery.js';
import * as m from './management.js';
import * as s from './summaries.js';

export * from './common.js';
export * from './discovery.js';
export * from './summaries.js';
export * from './management.js';
export * from './analytics.js';

/**
 * Every operation's input and output schema under its tool name, and the `Services` method that runs
 * it. Surfaces parse arguments with `input` (see `parseInput`) and pass the parsed value to the method.
 */
export const OPERATION_CONTRACTS = {
  list_products: {
    method: 'listProducts',
    input: d.listProductsInputSchema,
    output: d.listProductsOutputSchema,
  },
  list_tests: { method: 'listTests', input: d.listTestsInputSchema, output: d.listTestsOutputSchema },
  list_features: {
    method: 'listFeatures',
    input: d.listFeaturesInputSchema,
    output: d.listFeaturesOutputSchema,
  },
  list_users: { method: 'listUsers', input: d.listUsersInputSchema, output: d.listUsersOutputSchema },
  list_bugs: { method: 'listBugs', input: d.listBugsInputSchema, output: d.listBugsOutputSchema },
  get_test_summary: {
    method: 'getTestSummary',
    input: s.getTestSummaryInputSchema,
    output: s.getTestSummaryOutputSchema,
  },
  get_product_summary: {
    method: 'getProductSummary',
    input: s.getProductSummaryInputSchema,
    output: s.getProductSummaryOutputSchema,
  },
  get_feature_summary: {
    method: 'getFeatureSummary',
    input: s.getFeatureSummaryInputSchema,
    output: s.getFeatureSummaryOutputSchema,
  },
  get_user_summary: {
    method: 'getUserSummary',
    input: s.getUserSummaryInputSchema,
    output: s.getUserSummaryOutputSchema,
  },
  get_bug_summary: {
    method: 'getBugSummary',
    input: s.getBugSummaryInputSchema,
    output: s.getBugSummaryOutputSchema,
  },
  search: { method: 'search', input: m.searchInputSchema, output: m.searchOutputSchema },
  sync_data: { method: 'syncData', input: m.syncDataInputSchema, output: m.syncDataOutputSchema },
  get_server_diagnostics: {
    method: 'getServerDiagnostics',
    input: m.getServerDiagnosticsInputSchema,
    output: m.getServerDiagnosticsOutputSchema,
  },
  get_problematic_tests: {
    method: 'getProblematicTests',
    input: m.getProblematicTestsInputSchema,
    output: m.getProblematicTestsOutputSchema,
  },
  query_metrics: {
    method: 'queryMetrics',
    input: a.queryMetricsInputSchema,
    output: a.queryMetricsOutputSchema,
  },
  get_analytics_capabilities: {
    method: 'getAnalyticsCapabilities',
    input: a.getAnalyticsCapabilitiesInputSchema,
    output: a.getAnalyticsCapabilitiesOutputSchema,
  },
  generate_quality_report: {
    method: 'generateQualityReport',
    input: a.generateQualityReportInputSchema,
    output: a.generateQualityReportOutputSchema,
  },
} as const;
export type OperationName = keyof typeof OPERATION_CONTRACTS;
