import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startSandbox, type GroundTruth, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, type Launched } from './__fixtures__/processes.js';

/**
 * Every MCP data tool has a REST twin that returns the same numbers for the same input. Both servers run
 * as the processes users start, on one mirror synced from the sandbox.
 */

let sandbox: RunningSandbox;
let dir: string;
let mcp: Launched;
let api: Launched;
let client: Client;
let apiUrl: string;
let truth: GroundTruth;

/**
 * Fields that say when or how long ago, not what: they differ between two calls by nature. A product's
 * `last_synced` is one: each server refreshes the product list on demand once it is 60 s old, so when the
 * 60 s pass between the REST call and the MCP call (a loaded machine, a slow start after the sync) the
 * second server refreshes it and answers a later time than the first did.
 */
const VOLATILE =
  /^(active_since|age_seconds|uptime_seconds|.*_relative|latency_ms|query_time_ms|data_as_of|last_synced)$/;

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !VOLATILE.test(k))
        .map(([k, v]) => [k, stable(v)]),
    );
  }
  return value;
}

async function viaMcp(name: string, args: Record<string, unknown>): Promise<unknown> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent;
}

async function viaRest(pathAndQuery: string, body?: unknown): Promise<unknown> {
  const res = await fetch(
    `${apiUrl}${pathAndQuery}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  expect(res.status, `${pathAndQuery}: ${await res.clone().text()}`).toBe(200);
  return res.json();
}

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    seed: 7,
    scale: 'small',
    anchor: new Date('2025-06-01T00:00:00Z'),
  });
  truth = sandbox.truth({ perTest: true });
  dir = mkdtempSync(path.join(tmpdir(), 'testio-parity-'));
  const env = {
    ...process.env,
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
    TESTIO_HTTP_PORT: '0',
    TESTIO_REST_PORT: '0',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
  };
  const sync = launch(['sync', '--force'], env);
  expect(await sync.exited).toBe(0);
  mcp = launch(['serve', '--transport', 'http'], { ...env, LOG_LEVEL: 'info' });
  api = launch(['api'], env);
  const [, mcpUrl] = await mcp.waitFor(/MCP server ready at (http:\/\/\S+?\/mcp)\b/);
  [, apiUrl = ''] = await api.waitFor(/TestIO REST API\s+(http:\/\/\S+?\/api)\b/);
  client = new Client({ name: 'parity', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl ?? '')));
}, 180_000);

afterAll(async () => {
  await client?.close();
  await Promise.all([mcp?.stop(), api?.stop()]);
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('MCP and REST give the same numbers', () => {
  it('covers every MCP tool: a REST twin, or a stated reason why not', async () => {
    const { tools } = await client.listTools();
    const twins = new Set([
      'list_products',
      'list_tests',
      'list_features',
      'list_users',
      'list_bugs',
      'get_test_summary',
      'get_product_summary',
      'get_feature_summary',
      'get_user_summary',
      'get_bug_summary',
      'search',
      'get_server_diagnostics',
      'get_problematic_tests',
      'generate_quality_report',
      'get_product_quality_report',
      'query_metrics',
      'get_analytics_capabilities',
    ]);
    // sync_data runs a sync and answers when it is done; REST starts it as a job (POST /api/sync, 202) and
    // reports the same result at GET /api/sync/{id}, so the two are compared by the REST suite instead.
    const asynchronous = new Set(['sync_data']);
    const uncovered = tools.map((t) => t.name).filter((n) => !twins.has(n) && !asynchronous.has(n));
    expect(uncovered).toEqual([]);
  });

  it('discovery lists', async () => {
    const product = truth.products.reduce((a, b) => (b.tests > a.tests ? b : a));
    const tests = (truth.tests ?? [])
      .filter((t) => t.productId === product.id && t.bugs > 0)
      .slice(0, 3)
      .map((t) => t.id);
    const pairs: Array<[string, Record<string, unknown>, string]> = [
      ['list_products', {}, '/products'],
      [
        'list_products',
        { sort_by: 'title', sort_order: 'desc', per_page: 2, page: 2 },
        '/products?sort_by=title&sort_order=desc&per_page=2&page=2',
      ],
      ['list_tests', { product_id: product.id }, `/products/${product.id}/tests`],
      [
        'list_tests',
        { product_id: product.id, statuses: 'archived', per_page: 5, page: 3 },
        `/products/${product.id}/tests?statuses=archived&per_page=5&page=3`,
      ],
      ['list_features', { product_id: product.id }, `/products/${product.id}/features`],
      // The anchored account is over a year old: widen the activity window so the lists are not empty.
      ['list_users', { days: 3650 }, '/users?days=3650'],
      [
        'list_users',
        { user_type: 'tester', per_page: 10, days: 3650 },
        '/users?user_type=tester&per_page=10&days=3650',
      ],
      ['list_bugs', { test_ids: tests }, `/bugs?test_ids=${tests.join(',')}`],
      [
        'list_bugs',
        { test_ids: tests, severity: 'critical' },
        `/bugs?test_ids=${tests.join(',')}&severity=critical`,
      ],
    ];
    for (const [tool, args, rest] of pairs) {
      expect(stable(await viaRest(rest)), `${tool} ${JSON.stringify(args)}`).toEqual(
        stable(await viaMcp(tool, args)),
      );
    }
    const listed = (await viaMcp('list_tests', { product_id: product.id })) as {
      pagination: { total_count: number };
    };
    expect(listed.pagination.total_count).toBe(product.tests);
    const users = (await viaMcp('list_users', { days: 3650 })) as { pagination: { total_count: number } };
    expect(users.pagination.total_count).toBeGreaterThan(0);
  });

  it('summaries', async () => {
    const busiest = (truth.tests ?? []).reduce((a, b) => (b.bugs > a.bugs ? b : a));
    const product = truth.products[0];
    const bugs = (await viaMcp('list_bugs', { test_ids: [busiest.id], per_page: 1 })) as {
      bugs: Array<{ id: number }>;
    };
    const features = (await viaMcp('list_features', { product_id: busiest.productId, per_page: 1 })) as {
      features: Array<{ id: number }>;
    };
    const users = (await viaMcp('list_users', { per_page: 1, days: 3650 })) as {
      users: Array<{ id: number }>;
    };
    expect(users.users).toHaveLength(1);
    const bugId = bugs.bugs[0]?.id;
    const featureId = features.features[0]?.id;
    const userId = users.users[0]?.id;
    const pairs: Array<[string, Record<string, unknown>, string]> = [
      ['get_test_summary', { test_id: busiest.id }, `/tests/${busiest.id}/summary`],
      ['get_product_summary', { product_id: product?.id }, `/products/${product?.id}/summary`],
      ['get_feature_summary', { feature_id: featureId }, `/features/${featureId}/summary`],
      ['get_user_summary', { user_id: userId }, `/users/${userId}/summary`],
      ['get_bug_summary', { bug_id: bugId }, `/bugs/${bugId}/summary`],
    ];
    for (const [tool, args, rest] of pairs) {
      expect(stable(await viaRest(rest)), `${tool} ${JSON.stringify(args)}`).toEqual(
        stable(await viaMcp(tool, args)),
      );
    }
    const summary = (await viaMcp('get_test_summary', { test_id: busiest.id })) as {
      bugs: { total_count: number };
    };
    expect(summary.bugs.total_count).toBe(busiest.bugs);
  });

  it('search, diagnostics and problematic tests', async () => {
    const pairs: Array<[string, Record<string, unknown>, string]> = [
      ['search', { query: 'checkout' }, '/search?query=checkout'],
      [
        'search',
        { query: 'login', entities: 'bug,test', limit: 5 },
        '/search?query=login&entities=bug,test&limit=5',
      ],
      ['get_problematic_tests', {}, '/sync/problematic'],
    ];
    for (const [tool, args, rest] of pairs) {
      expect(stable(await viaRest(rest)), `${tool} ${JSON.stringify(args)}`).toEqual(
        stable(await viaMcp(tool, args)),
      );
    }
    const viaTool = (await viaMcp('get_server_diagnostics', {})) as { database: Record<string, unknown> };
    const viaHttp = (await viaRest('/diagnostics')) as { database: Record<string, unknown> };
    // The counts of the mirror; sizes and the sync block move with the WAL and the clock.
    const counts = (d: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(d).filter(([k]) => k.endsWith('_count')));
    expect(counts(viaHttp.database)).toEqual(counts(viaTool.database));
    expect(viaTool.database['test_count']).toBe(truth.totals.tests);
  });

  it('analytics: metrics, capabilities and the quality report', async () => {
    const product = truth.products.reduce((a, b) => (b.tests > a.tests ? b : a));
    expect(stable(await viaRest('/analytics/capabilities'))).toEqual(
      stable(await viaMcp('get_analytics_capabilities', {})),
    );

    const query = {
      metrics: ['test_count', 'bug_count', 'rejection_rate'],
      dimensions: ['product'],
      filters: { test_statuses: 'all' },
    };
    const metrics = await viaMcp('query_metrics', query);
    expect(stable(await viaRest('/analytics/query', query))).toEqual(stable(metrics));
    const rows = (metrics as { data: Array<Record<string, unknown>> }).data;
    const row = rows.find((r) => r['product_id'] === product.id);
    expect(row?.['test_count']).toBe(product.tests);
    expect(row?.['bug_count']).toBe(product.bugs);

    const report = (await viaMcp('generate_quality_report', { product_ids: [product.id] })) as Record<
      string,
      unknown
    >;
    const viaHttp = (await viaRest(`/quality-report?product_ids=${product.id}`)) as Record<string, unknown>;
    // REST adds the per-test rows (`test_data`) to the same answer.
    const { test_data: testData, ...restOfHttp } = viaHttp;
    expect(Array.isArray(testData)).toBe(true);
    expect(stable(restOfHttp)).toEqual(stable(report));
    expect(stable(await viaMcp('get_product_quality_report', { product_ids: [product.id] }))).toEqual(
      stable(report),
    );
  });
});
