// Writes the example charts of docs/analytics.md (docs/images/charts/*.png) from the sandbox (seed 7,
// small): `npx tsx tools/bench/scripts/render-example-charts.ts` (root script `npm run docs:charts`).
// Each chart is what a client gets: `testio-mcp serve --transport http` on the bench's synced mirror,
// query_metrics with `chart: "png"` through the SDK client (the dark one through REST's renderer options,
// which MCP does not offer, is made by POST /api/analytics/chart on the same server). The quality report's
// charts (report-*.png) are the files generate_quality_report's export writes, and report-example.html its
// HTML page (kept out of git: docs/images/charts/.gitignore), for looking at in a browser.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectMcp } from '../src/mcp.js';
import { copyMirror, ensureMirror } from '../src/mirror.js';
import { productEnv, startMcpHttp } from '../src/process.js';
import { startBenchSandbox } from '../src/sandbox.js';

const OUT = path.resolve(import.meta.dirname, '../../../docs/images/charts');

const EXAMPLES: { file: string; query: Record<string, unknown> }[] = [
  { file: 'rejection-rate-by-month', query: { dimensions: 'month', metrics: 'rejection_rate,bug_count' } },
  { file: 'bugs-by-feature', query: { dimensions: 'feature', metrics: 'bug_count', limit: 1000 } },
  { file: 'bugs-by-platform-and-severity', query: { dimensions: 'platform,severity', metrics: 'bug_count' } },
  {
    file: 'rejection-rate-by-product-and-severity',
    query: {
      dimensions: 'product,severity',
      metrics: 'rejection_rate',
      filters: { severity: 'critical,high,low' },
    },
  },
  {
    file: 'bugs-by-month-and-product',
    query: { dimensions: 'month,product', metrics: 'bug_count', limit: 1000 },
  },
  {
    file: 'bugs-by-severity-status-product',
    query: { dimensions: 'severity,status,product', metrics: 'bug_count', limit: 1000 },
  },
];

interface ExportedFile {
  readonly path: string;
  readonly format: string;
  readonly chart: { readonly name: string; readonly description: string } | null;
}

const mirror = await ensureMirror('small');
const dir = mkdtempSync(path.join(tmpdir(), 'testio-charts-'));
const sandbox = await startBenchSandbox({ scale: 'small' });
const env = productEnv(sandbox, copyMirror(mirror, dir), {
  // info: startMcpHttp waits for the server's ready line.
  LOG_LEVEL: 'info',
  CACHE_TTL_SECONDS: '86400',
  TESTIO_API_MODE: 'hybrid',
  TESTIO_EXPORT_DIR: path.join(dir, 'exports'),
});
const server = await startMcpHttp(env, dir);
const client = await connectMcp(server.url);
try {
  mkdirSync(OUT, { recursive: true });
  for (const { file, query } of EXAMPLES) {
    const result = (await client.callTool({
      name: 'query_metrics',
      arguments: { ...query, chart: 'png' },
    })) as CallToolResult;
    const image = result.content.find((c) => c.type === 'image');
    // The text alternative, without the untrusted-data fence around it.
    const alt = result.content
      .flatMap((c) => (c.type === 'text' ? c.text.split('\n') : []))
      .find((line) => line.startsWith('Chart ('));
    if (result.isError || image?.type !== 'image') throw new Error(`${file}: no chart in the answer`);
    writeFileSync(path.join(OUT, `${file}.png`), Buffer.from(image.data, 'base64'));
    process.stderr.write(`${file}.png: ${alt ?? ''}\n`);
  }
  // The dark background, from the REST endpoint served beside MCP on the same port.
  const response = await fetch(new URL('/api/analytics/chart', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dimensions: 'feature', metrics: 'bug_count', limit: 1000, theme: 'dark' }),
  });
  if (response.status !== 200) throw new Error(`POST /api/analytics/chart: ${response.status}`);
  writeFileSync(path.join(OUT, 'bugs-by-feature-dark.png'), Buffer.from(await response.arrayBuffer()));
  process.stderr.write('bugs-by-feature-dark.png (REST, theme dark)\n');

  // The quality report of every product, exported: its chart files and its HTML page.
  const report = (await client.callTool({
    name: 'generate_quality_report',
    arguments: { output_file: 'report', max_tests: 10, overwrite: true },
  })) as CallToolResult;
  const exported = (report.structuredContent as { export?: { files: ExportedFile[] } } | undefined)?.export;
  if (report.isError || !exported) throw new Error('generate_quality_report: no export in the answer');
  for (const file of exported.files) {
    if (file.format === 'png' && file.chart) {
      copyFileSync(file.path, path.join(OUT, `report-${file.chart.name}.png`));
      process.stderr.write(`report-${file.chart.name}.png: ${file.chart.description}\n`);
    } else if (file.format === 'html') {
      copyFileSync(file.path, path.join(OUT, 'report-example.html'));
    }
  }
} finally {
  await client.close();
  await server.proc.stop();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
