import { generateQualityReportInputSchema, generateQualityReportOutputSchema } from '@testio-mcp/services';
import type { ToolDefinition } from './define-tool.js';

export { generateQualityReportOutputSchema };

const description = [
  'Product quality report for one or several products (default: all): tests and bugs in the period (test end date; default all time) and statuses (default executed tests), with acceptance, auto-acceptance, rejection and review rates and their health (healthy / warning / critical) against the configured playbook thresholds.',
  'Returns the summary, the same figures per product and per test (the newest max_tests), top rejection reasons, bugs by severity and platform, a monthly trend, and the whole report as Markdown ready to hand to a customer.',
  "output_file ('acme/q2-quality') also writes the full report (Markdown, JSON, and a CSV with one row per test) under the server's export directory and returns the paths and sizes; existing files are kept unless overwrite is true.",
  'Sends progress notifications when the client asks. For custom groupings use query_metrics; both give the same numbers for the same products and period.',
].join(' ');

const definition = {
  name: 'generate_quality_report',
  title: 'Product quality report',
  description,
  toolset: 'analytics',
  inputSchema: generateQualityReportInputSchema,
  outputSchema: generateQualityReportOutputSchema,
  // Reads only, except that output_file writes new files in the export directory.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  untrustedContent: true,
  examples: [
    {
      description: 'Quality of products 598 and 599 over the last quarter',
      arguments: { product_ids: [598, 599], start_date: 'last quarter', end_date: 'today' },
    },
    {
      description: 'A report on every product, exported for the customer',
      arguments: { output_file: 'portfolio/2025-q2', max_tests: 10 },
    },
  ],
  handler: (input, ctx) =>
    ctx.services.generateQualityReport(input, { onProgress: (p) => void ctx.reportProgress(p) }),
} satisfies ToolDefinition<typeof generateQualityReportInputSchema, typeof generateQualityReportOutputSchema>;

export default definition;

/** The same tool under the name the reference's prompts and docs use. */
export const getProductQualityReport: ToolDefinition<
  typeof generateQualityReportInputSchema,
  typeof generateQualityReportOutputSchema
> = {
  ...definition,
  name: 'get_product_quality_report',
  aliasOf: 'generate_quality_report',
  title: 'Product quality report (alias of generate_quality_report)',
  description: `Alias of generate_quality_report (the name older prompts and docs use); same parameters and answer. ${description}`,
};
