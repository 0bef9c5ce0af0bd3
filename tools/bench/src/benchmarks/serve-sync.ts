import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { callTool } from '../mcp.js';
import { childEnv, currentBin, currentNodeFlags } from '../process.js';
import { formatTable, round, writeResult } from '../results.js';
import { startBenchSandbox, type Scale } from '../sandbox.js';
import { summarize, type LatencySummary } from '../stats.js';

/**
 * `serve-sync`: `serve --transport stdio` on an EMPTY mirror, as a new user's MCP client starts it, with
 * its own sync (ADR 0012). Measures the time from the start of the process to the first non-empty
 * `list_tests` answer, then the latency of light tools while the first sync runs in the sync process,
 * next to the same calls once it has finished (idle). Over stdio, as Claude Desktop runs it.
 */

export interface ServeSyncBenchOptions {
  readonly scale: Scale;
  /** Sandbox latency per request (ms), so the first sync lasts as it would against TestIO. */
  readonly latencyMs: number;
  /** Calls per tool in the idle phase. */
  readonly calls: number;
}

interface Diagnostics {
  readonly sync: { readonly running: boolean; readonly last_sync_status: string | null };
}

export async function runServeSyncBenchmark(options: ServeSyncBenchOptions): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'testio-bench-serve-sync-'));
  const sandbox = await startBenchSandbox({
    scale: options.scale,
    ...(options.latencyMs > 0 ? { latencyMs: options.latencyMs } : {}),
  });
  const truth = sandbox.truth();
  const product = [...truth.products].sort((a, b) => b.tests - a.tests)[0];
  if (!product) throw new Error('the sandbox has no products');
  const env = childEnv({
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: join(dir, 'mirror.db'),
    LOG_LEVEL: 'warn',
  });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...currentNodeFlags(), currentBin(), 'serve', '--transport', 'stdio'],
    env: env as Record<string, string>,
    cwd: dir,
    stderr: 'ignore',
  });
  const client = new Client({ name: 'testio-bench-serve-sync', version: '1.0.0' });
  console.error(
    `serve-sync benchmark: scale ${options.scale}, sandbox latency ${options.latencyMs} ms, empty mirror, product ${product.id} (${product.tests} tests)`,
  );
  try {
    const started = performance.now();
    await client.connect(transport);
    const connectedMs = performance.now() - started;
    const first = await callTool(client, 'list_tests', { product_id: product.id, per_page: 10 });
    const firstAnswerMs = performance.now() - started;
    const firstCount = (first.structured as { pagination?: { total_count?: number } }).pagination
      ?.total_count;
    console.error(
      `first list_tests after ${round(firstAnswerMs / 1000, 1)} s: ${firstCount} tests (truth ${product.tests})`,
    );

    const testIds = ((first.structured as { tests?: Array<{ test_id: number }> }).tests ?? []).map(
      (t) => t.test_id,
    );
    // Light calls on data the mirror has (list_products would read ahead the products the sync has not
    // reached: its first answer is the e2e test's business, first-sync.e2e.test.ts).
    const calls: Array<[string, Record<string, unknown>]> = [
      ['list_tests', { product_id: product.id, per_page: 25 }],
      ['get_product_summary', { product_id: product.id }],
      ['list_bugs', { test_ids: testIds.slice(0, 5) }],
      ['search', { query: 'login' }],
    ];
    const samples = new Map<string, { during: number[]; idle: number[] }>(
      calls.map(([name]) => [name, { during: [], idle: [] }]),
    );
    const round_ = async (phase: 'during' | 'idle') => {
      for (const [name, args] of calls) {
        const start = performance.now();
        await callTool(client, name, args);
        samples.get(name)?.[phase].push(performance.now() - start);
      }
    };
    const diagnostics = async (): Promise<Diagnostics> =>
      (await callTool(client, 'get_server_diagnostics', {})).structured as Diagnostics;

    // During: rounds of calls for as long as the first sync runs.
    let rounds = 0;
    let syncSeconds = 0;
    for (;;) {
      const d = await diagnostics();
      if (!d.sync.running && d.sync.last_sync_status !== null) {
        syncSeconds = (performance.now() - started) / 1000;
        break;
      }
      await round_('during');
      rounds++;
    }
    for (let i = 0; i < options.calls; i++) await round_('idle');

    const rows: Array<{ tool: string; phase: string; s: LatencySummary | null }> = [];
    for (const [name] of calls) {
      const entry = samples.get(name);
      rows.push({
        tool: name,
        phase: 'during sync',
        s: entry?.during.length ? summarize(entry.during) : null,
      });
      rows.push({ tool: name, phase: 'idle', s: entry?.idle.length ? summarize(entry.idle) : null });
    }
    console.log(
      formatTable(
        ['tool', 'phase', 'calls', 'p50 ms', 'p95 ms', 'max ms'],
        rows.map((r) => [r.tool, r.phase, r.s?.count, r.s?.p50, r.s?.p95, r.s?.max]),
      ),
    );
    console.log(
      `\nconnected after ${round(connectedMs / 1000, 2)} s; first non-empty list_tests after ${round(firstAnswerMs / 1000, 2)} s (${firstCount} of ${product.tests} tests); first sync finished after about ${round(syncSeconds, 1)} s`,
    );
    const figures = {
      product: product.id,
      productTests: product.tests,
      connectedSeconds: round(connectedMs / 1000, 2),
      firstListTestsSeconds: round(firstAnswerMs / 1000, 2),
      firstListTestsCount: firstCount ?? null,
      firstSyncSeconds: round(syncSeconds, 1),
      roundsDuringSync: rounds,
      latency: rows.map((r) => ({ tool: r.tool, phase: r.phase, ...(r.s ?? {}) })),
    };
    const file = writeResult({
      benchmark: 'serve-sync',
      scale: options.scale,
      options: { ...options },
      figures,
    });
    console.error(`results: ${file}`);
    return figures;
  } finally {
    await client.close().catch(() => undefined);
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
