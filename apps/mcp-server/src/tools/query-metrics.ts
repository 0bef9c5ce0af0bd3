import { chartMetrics, queryMetricsOutputSchema, queryMetricsToolInputSchema } from '@testio-mcp/services';
import { defineTool } from './define-tool.js';

export { queryMetricsOutputSchema };

export default defineTool({
  name: 'query_metrics',
  title: 'Query metrics (pivot table)',
  description: [
    'Ad-hoc analytics over the mirror: pick 1-3 dimensions to group by and one or more metrics to compute, with filters and a date range on the test end date. Returns one row per group, sorted, with total_rows and a warning when capped.',
    'Dimensions: feature, product, platform, tester, customer, severity, status (bug status), testing_type, month, week, quarter, rejection_reason, test_environment, known_bug.',
    'Metrics: test_count, bug_count, bug_severity_score, features_tested, active_testers, bugs_per_test, tests_created, tests_submitted, overall_acceptance_rate, rejection_rate, review_rate, active_acceptance_rate, auto_acceptance_rate (rates are fractions 0-1, null without bugs).',
    "Filters: product_ids, test_statuses (default executed tests), bug_statuses, severities, testing_types, platforms; or the reference's names: product_id, status (test status), and any dimension key (feature, tester, customer, severity, platform, testing_type, month, week, quarter, rejection_reason, test_environment, known_bug, product) with a value or list, whether or not that dimension is grouped by.",

    'Answers carry a visualization_hint (chart type, axes, series) and query_time_ms. Dates: docs/dates.md. Call get_analytics_capabilities for descriptions; use generate_quality_report for a ready-made report.',
  ].join(' '),
  toolset: 'analytics',
  inputSchema: queryMetricsToolInputSchema,
  outputSchema: queryMetricsOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  untrustedContent: true,
  examples: [
    {
      description: 'The most fragile features of product 598: bugs per test',
      arguments: {
        dimensions: ['feature'],
        metrics: ['bugs_per_test', 'bug_count'],
        filters: { product_ids: [598] },
        limit: 10,
      },
    },
    {
      description: 'Monthly rejection and review rates over the last 6 months',
      arguments: {
        dimensions: 'month',
        metrics: 'bug_count,rejection_rate,review_rate',
        start_date: '6 months ago',
        chart: 'png',
      },
    },
    {
      description: "Bugs per feature of one severity, with the reference's filter names",
      arguments: {
        dimensions: ['feature'],
        metrics: ['bug_count'],
        filters: { product_id: 598, severity: 'critical', month: '2025-01' },
      },
    },
    {
      description: 'Critical and high bugs per platform and severity',
      arguments: {
        dimensions: ['platform', 'severity'],
        metrics: ['bug_count'],
        filters: { severities: 'critical,high' },
      },
    },
  ],
  handler: (input, ctx) =>
    ctx.services.queryMetrics(input, { onProgress: (p) => void ctx.reportProgress(p) }),
  async attachments(output, input) {
    if (input.chart === 'none') return [];
    const chart = await chartMetrics(output, input.chart, {
      ...(input.chart_type ? { type: input.chart_type } : {}),
      ...(input.chart_metric ? { metric: input.chart_metric } : {}),
    });
    return [
      { type: 'image', data: chart.body.toString('base64'), mimeType: chart.mimeType },
      { type: 'text', text: `Chart (${chart.format}): ${chart.description}` },
    ];
  },
});
