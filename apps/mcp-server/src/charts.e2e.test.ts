import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { inspectPng, parseSvg, svgMarks, svgTextsOf } from '@testio-mcp/charts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectThreePartError, structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { createServer } from './server.js';
import { generateQualityReportOutputSchema } from './tools/generate-quality-report.js';
import { queryMetricsOutputSchema } from './tools/query-metrics.js';
import { createHttpApp, listen, type RunningHttpServer } from './transports/http.js';

/**
 * query_metrics' and generate_quality_report's charts through the SDK client, over stdio (a spawned `testio-mcp serve`) and Streamable
 * HTTP, against a mirror synced from the sandbox: the image decodes, is drawn, shows the rows it was
 * given, and its text alternative names the extremes.
 */

const BIN = path.resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');

let stack: McpStack;
let http: RunningHttpServer;
let exportDir: string;
const clients: Record<'stdio' | 'http', Client> = {} as Record<'stdio' | 'http', Client>;

beforeAll(async () => {
  exportDir = mkdtempSync(path.join(tmpdir(), 'mcp-chart-exports-'));
  stack = await startMcpStack({ TESTIO_EXPORT_DIR: exportDir });
  const { container, log } = stack;
  http = await listen(
    createHttpApp({
      createServer: () => createServer({ services: container.services, logger: log.logger }),
      logger: log.logger,
      bindHost: '127.0.0.1',
      allowedOrigins: [],
      health: () => container.health(),
    }),
    '127.0.0.1',
    0,
  );
  clients.http = new Client({ name: 'vitest-http', version: '1.0.0' });
  await clients.http.connect(new StreamableHTTPClientTransport(new URL(http.url)));
  clients.stdio = new Client({ name: 'vitest-stdio', version: '1.0.0' });
  await clients.stdio.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'serve', '--transport', 'stdio'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', ...stack.env },
      cwd: path.dirname(stack.env.TESTIO_DB_PATH ?? ''),
      stderr: 'ignore',
    }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(clients).map((c) => c.close()));
  await http?.close();
  await stack?.close();
  rmSync(exportDir, { recursive: true, force: true });
});

const imageOf = (result: CallToolResult) => {
  const image = result.content.find((c) => c.type === 'image');
  if (image?.type !== 'image') throw new Error('no image content');
  return image;
};
const textsOf = (result: CallToolResult): string[] =>
  result.content.flatMap((c) => (c.type === 'text' ? [c.text] : []));

describe.each(['stdio', 'http'] as const)('query_metrics with a chart, over %s', (transport) => {
  it('a PNG of a monthly trend beside the rows, with a text alternative naming the extremes', async () => {
    const result = (await clients[transport].callTool({
      name: 'query_metrics',
      arguments: { dimensions: 'month', metrics: 'rejection_rate,bug_count', chart: 'png' },
    })) as CallToolResult;
    const data = queryMetricsOutputSchema.parse(structuredOf(result));
    expect(data.data.length).toBeGreaterThan(1);
    const image = imageOf(result);
    expect(image.mimeType).toBe('image/png');
    const png = inspectPng(Buffer.from(image.data, 'base64'));
    expect([png.width, png.height]).toEqual([800, 450]);
    expect(png.variance).toBeGreaterThan(50);
    const alt = textsOf(result).find((t) => t.includes('Chart (png)')) ?? '';
    const rates = data.data.flatMap((r) => (typeof r['rejection_rate'] === 'number' ? [r] : []));
    const top = rates.reduce((a, b) =>
      (b['rejection_rate'] as number) > (a['rejection_rate'] as number) ? b : a,
    );
    expect(alt).toContain('Line chart "Rejection rate by month"');
    expect(alt).toContain(`(${String(top['month'])})`);
  });

  it('an SVG of bugs per severity: one bar per row, labelled with the severities', async () => {
    const result = (await clients[transport].callTool({
      name: 'query_metrics',
      arguments: { dimensions: ['severity'], metrics: ['bug_count'], chart: 'svg' },
    })) as CallToolResult;
    const data = queryMetricsOutputSchema.parse(structuredOf(result));
    const image = imageOf(result);
    expect(image.mimeType).toBe('image/svg+xml');
    const doc = parseSvg(Buffer.from(image.data, 'base64').toString('utf8'));
    expect(svgMarks(doc, 'rect')).toHaveLength(data.data.length);
    const labels = svgTextsOf(doc, 'axis-label');
    for (const row of data.data) expect(labels).toContain(String(row['severity'] ?? '(none)'));
  });
});

describe('query_metrics chart options', () => {
  it('draws the metric and chart type asked for, and returns no image by default', async () => {
    const plain = (await clients.http.callTool({
      name: 'query_metrics',
      arguments: { dimensions: 'month', metrics: 'bug_count' },
    })) as CallToolResult;
    expect(plain.content.map((c) => c.type)).toEqual(['text']);
    const forced = (await clients.http.callTool({
      name: 'query_metrics',
      arguments: {
        dimensions: 'month',
        metrics: 'rejection_rate,bug_count',
        chart: 'svg',
        chart_type: 'bar',
        chart_metric: 'bug_count',
      },
    })) as CallToolResult;
    const doc = parseSvg(Buffer.from(imageOf(forced).data, 'base64').toString('utf8'));
    expect(svgTextsOf(doc, 'axis-title')).toContain('Bugs (count)');
    expect(svgMarks(doc, 'rect').length).toBe(
      queryMetricsOutputSchema.parse(structuredOf(forced)).data.length,
    );
  });

  it('refuses a chart_metric the query did not compute, saying which it may be', async () => {
    const result = await clients.http.callTool({
      name: 'query_metrics',
      arguments: { dimensions: 'month', metrics: 'bug_count', chart: 'png', chart_metric: 'review_rate' },
    });
    expect(expectThreePartError(result)).toMatch(/chart_metric 'review_rate'.*bug_count/);
  });
});

describe.each(['stdio', 'http'] as const)('generate_quality_report with charts, over %s', (transport) => {
  it('returns each report chart as a drawn 800x450 PNG followed by its text alternative', async () => {
    const result = (await clients[transport].callTool({
      name: 'generate_quality_report',
      arguments: { charts: true, max_tests: 0 },
    })) as CallToolResult;
    const report = generateQualityReportOutputSchema.parse(structuredOf(result));
    expect(report.products.length).toBeGreaterThan(1);
    const types = result.content.map((c) => c.type);
    // The JSON, then image + text alternative per chart: trends of tests, of bugs and of rates, severities,
    // review outcomes, rejection reasons, and with several products bugs and rates per product; then a
    // link to each product's testio:// resource.
    expect(types).toEqual([
      'text',
      ...Array<string[]>(8).fill(['image', 'text']).flat(),
      ...report.products.map(() => 'resource_link'),
    ]);
    for (const block of result.content.filter((c) => c.type === 'image')) {
      const png = inspectPng(Buffer.from(block.data, 'base64'));
      expect([png.width, png.height]).toEqual([800, 450]);
      expect(png.variance).toBeGreaterThan(50);
    }
    const alts = textsOf(result).slice(1).join('\n');
    expect(alts).toContain('Line chart "Tests by month"');
    expect(alts).toContain('Line chart "Bugs by month"');
    expect(alts).toContain('Line chart "Acceptance, rejection and review rates by month"');
    expect(alts).toContain('Stacked bar chart "Bugs by product and severity"');
    const severities = Object.entries(report.summary.bugs_by_severity).sort((a, b) => b[1] - a[1]);
    const [topSeverity, topCount] = severities[0] ?? ['', 0];
    expect(alts).toContain(`Highest: ${topCount.toLocaleString('en-US')} (${topSeverity})`);
    const reason = report.top_rejection_reasons[0];
    if (reason) expect(alts).toContain(`Highest: ${reason.bugs}`);
  });

  it('writes the charts beside the exported report and links the HTML, the Markdown and each chart', async () => {
    const result = (await clients[transport].callTool({
      name: 'generate_quality_report',
      arguments: { output_file: `${transport}/q4-quality`, max_tests: 0 },
    })) as CallToolResult;
    const report = generateQualityReportOutputSchema.parse(structuredOf(result));
    const files = report.export?.files ?? [];
    const pngs = files.filter((f) => f.format === 'png');
    expect(files.map((f) => f.format).slice(0, 4)).toEqual(['markdown', 'json', 'csv', 'html']);
    expect(pngs.map((f) => f.chart?.name)).toEqual([
      'trend-tests',
      'trend-bugs',
      'trend-rates',
      'bugs-by-severity',
      'bugs-by-status',
      'rejection-reasons',
      'products-bugs-by-severity',
      'products-rates',
    ]);
    const allLinks = result.content.flatMap((c) => (c.type === 'resource_link' ? [c] : []));
    expect(allLinks.filter((l) => l.uri.startsWith('testio://')).map((l) => l.uri)).toEqual(
      report.products.map((p) => `testio://products/${p.id}`),
    );
    const links = allLinks.filter((l) => l.uri.startsWith('file:'));
    expect(links.map((l) => l.mimeType)).toEqual([
      'text/markdown',
      'text/html',
      ...pngs.map(() => 'image/png'),
    ]);
    for (const link of links) expect(existsSync(fileURLToPath(link.uri))).toBe(true);
    const md = readFileSync(files[0]?.path ?? '', 'utf8');
    for (const png of pngs) {
      expect(md).toContain(`](${path.basename(png.path)})`);
      const facts = inspectPng(readFileSync(png.path));
      expect([facts.width, facts.height]).toEqual([800, 450]);
      expect(facts.variance).toBeGreaterThan(50);
    }
    const html = readFileSync(files[3]?.path ?? '', 'utf8');
    expect(html.match(/<svg[\s>]/g)).toHaveLength(pngs.length);
    // Self-contained: nothing fetched from anywhere (the SVG namespace is a name, not a fetch).
    expect(html).not.toMatch(
      /<script|<link|@import|(?:src|href)\s*=\s*["']?(?:https?:)?\/\/|url\(\s*["']?https?:/i,
    );
  });
});
