import { pathToFileURL } from 'node:url';
import type { ContentBlock } from '@modelcontextprotocol/server';
import {
  generateQualityReportInputSchema,
  generateQualityReportOutputSchema,
  renderReportCharts,
  type GenerateQualityReportInput,
  type GenerateQualityReportOutput,
} from '@testio-mcp/services';
import { entityLink } from '../resources/entities.js';
import type { ToolDefinition } from './define-tool.js';

export { generateQualityReportOutputSchema };

const sentences = [
  'Product quality report for one or several products (default: all): tests and bugs in the period (test end date; default all time) and statuses (default executed tests), with acceptance, auto-acceptance, rejection and review rates and their health (healthy / warning / critical) against the configured playbook thresholds.',
  'Returns the summary, the same figures per product and per test (the newest max_tests), top rejection reasons, bugs by severity and platform, a monthly trend, and the whole report as Markdown ready to hand to a customer.',
  'charts: true adds the charts (monthly trend, severities, review outcomes, rejection reasons, products) as PNG images.',
  "output_file ('acme/q2-quality') also writes the full report (Markdown, JSON, a CSV with one row per test, HTML with the charts, a PNG per chart) under the server's export directory and links the files; existing files are kept unless overwrite is true.",
  'Sends progress notifications when the client asks. For custom groupings use query_metrics; both give the same numbers for the same products and period.',
];
const description = sentences.join(' ');
/** Under --read-only: the same report without the export (ADR 0028). */
const readOnlyDescription = sentences.filter((s) => !s.startsWith('output_file')).join(' ');

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
  readOnly: { without: ['output_file', 'overwrite'], description: readOnlyDescription },
  // A report over every product of a large account takes a while.
  runsAsTask: true,
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
    ctx.services.generateQualityReport(input, {
      signal: ctx.signal,
      onProgress: (p) => void ctx.reportProgress(p),
    }),
  attachments: reportAttachments,
} satisfies ToolDefinition<typeof generateQualityReportInputSchema, typeof generateQualityReportOutputSchema>;

export default definition;

const MIME_TYPES: Record<string, string> = {
  markdown: 'text/markdown',
  json: 'application/json',
  csv: 'text/csv',
  html: 'text/html',
  png: 'image/png',
};

/**
 * The charts as images, each followed by its text alternative (`charts: true`), and links to the files
 * an export wrote: many clients hand images to the model without showing them, so the person gets the
 * files (the HTML report, the Markdown, each chart) to open.
 */
async function reportAttachments(
  output: GenerateQualityReportOutput,
  input: GenerateQualityReportInput,
): Promise<ContentBlock[]> {
  const blocks: ContentBlock[] = [];
  if (input.charts) {
    for (const chart of await renderReportCharts(output, { png: true })) {
      if (!chart.png) continue;
      blocks.push(
        { type: 'image', data: chart.png.toString('base64'), mimeType: 'image/png' },
        { type: 'text', text: `Chart (png): ${chart.description}` },
      );
    }
  }
  for (const file of output.export?.files ?? []) {
    if (file.format === 'json' || file.format === 'csv') continue;
    const name = file.path.split(/[\\/]/).at(-1) ?? file.path;
    blocks.push({
      type: 'resource_link',
      uri: pathToFileURL(file.path).href,
      name,
      title: file.chart ? `Chart: ${file.chart.title}` : `Quality report (${file.format})`,
      mimeType: MIME_TYPES[file.format] ?? 'application/octet-stream',
      ...(file.chart ? { description: file.chart.description } : {}),
      size: file.size_bytes,
    });
  }
  // A link per product of a focused report; a report over the whole account would list dozens.
  if (output.products.length <= 10) {
    blocks.push(...output.products.map((product) => entityLink('product', product.id)));
  }
  return blocks;
}

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
  readOnly: {
    without: ['output_file', 'overwrite'],
    description: `Alias of generate_quality_report (the name older prompts and docs use); same parameters and answer. ${readOnlyDescription}`,
  },
};
