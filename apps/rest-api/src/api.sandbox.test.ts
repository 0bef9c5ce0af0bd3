import { mkdtempSync, rmSync } from 'node:fs';
import { sqliteOf } from '@testio-mcp/composition/testing';
import os from 'node:os';
import path from 'node:path';
import { issueApiKey } from '@testio-mcp/composition';
import type { Clock } from '@testio-mcp/domain';
import { createPrincipalStore } from '@testio-mcp/persistence';
import {
  getBugSummaryInputSchema,
  getFeatureSummaryInputSchema,
  getProductSummaryInputSchema,
  getServerDiagnosticsInputSchema,
  getTestSummaryInputSchema,
  generateQualityReportInputSchema,
  getUserSummaryInputSchema,
  listBugsInputSchema,
  listFeaturesInputSchema,
  listProductsInputSchema,
  listTestsInputSchema,
  listUsersInputSchema,
  parseInput,
  queryMetricsInputSchema,
  searchInputSchema,
} from '@testio-mcp/services';
import { inspectPng, parseSvg, svgMarks, svgTextsOf } from '@testio-mcp/charts/testing';
import { createCaptureLogger } from '@testio-mcp/sync/testing';
import { startSandbox, type GroundTruth, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheus } from './__fixtures__/fakes.js';
import { createSpecValidator } from './__fixtures__/openapi-validator.js';
import { createApp, DEFAULT_APP_OPTIONS, loadOpenApiSpec, type AppOptions } from './app.js';
import { parseRestApiSettings } from './config.js';
import { createRestContainer, resolveRestRuntime, type RestContainer } from './container.js';

/**
 * The real app over the real stack: the TestIO sandbox over HTTP → the client → one force sync into a
 * temp SQLite file → the services → `createApp` (built by the production composition root). Every
 * endpoint's happy path is checked against the generated OpenAPI document, against the services'
 * own answer for the same input, and where it says something countable, against the sandbox's truth.
 */

const ANCHOR = new Date('2025-06-01T00:00:00Z');
const openapi = loadOpenApiSpec() as { paths: Record<string, Record<string, unknown>> };
const validator = createSpecValidator(openapi);
const covered = new Set<string>();

let sandbox: RunningSandbox;
let dir: string;
let container: RestContainer;
let app: ReturnType<typeof createApp>;
let truth: GroundTruth;
let clock: Clock;

function options(overrides: Partial<AppOptions> = {}): AppOptions {
  return { ...DEFAULT_APP_OPTIONS, version: '0.1.0', rateLimit: 0, ...overrides };
}

function envFor(dbPath: string): Record<string, string> {
  return {
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: dbPath,
    TESTIO_EXPORT_DIR: path.join(path.dirname(dbPath), 'exports'),
    // For the admin API's tenants (their tokens are sealed under it).
    TESTIO_MASTER_KEY: '11'.repeat(32),
    LOG_LEVEL: 'error',
  };
}

/** GET a documented endpoint, expect `status`, and validate the body against the spec. */
async function call(
  method: 'get' | 'post',
  template: string,
  url: string,
  status = 200,
  body?: object,
): Promise<Record<string, unknown>> {
  const req =
    method === 'get'
      ? request(app).get(url)
      : request(app)
          .post(url)
          .send(body ?? {});
  const res = await req;
  expect(res.status, `${method.toUpperCase()} ${url}: ${JSON.stringify(res.body).slice(0, 500)}`).toBe(
    status,
  );
  expect(
    validator.validateResponse(template, method, status, res.body),
    `${method.toUpperCase()} ${url}`,
  ).toEqual([]);
  covered.add(`${method} ${template}`);
  return res.body as Record<string, unknown>;
}

/** A supertest parser that keeps an image body as bytes. */
function bytes(res: request.Response, done: (error: Error | null, body: unknown) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}`);
  return value;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small', anchor: ANCHOR });
  dir = mkdtempSync(path.join(os.tmpdir(), 'rest-api-'));
  const settings = parseRestApiSettings(envFor(path.join(dir, 'mirror.db')));
  const offset = new Date(sandbox.truth().now).getTime() - Date.now();
  clock = { now: () => new Date(Date.now() + offset) };
  container = await createRestContainer({
    settings,
    runtime: resolveRestRuntime(settings),
    logger: createCaptureLogger(),
    clock,
  });
  const sync = await container.engine.run({ mode: 'force', trigger: 'manual_cli' });
  expect(sync.status).toBe('success');
  app = createApp(container.appDeps(options()));
  truth = sandbox.truth({ perTest: true });
});

afterAll(async () => {
  await container?.close();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('discovery endpoints on a synced sandbox', () => {
  it('every list answers a page past the end with an empty page that names the last page', async () => {
    const product = must(
      [...truth.products].sort((a, b) => b.tests - a.tests)[0],
      'the product with the most tests',
    );
    const test = must(
      (truth.tests ?? []).find((t) => t.productId === product.id && t.bugs > 0),
      'a test with bugs',
    );
    const lists: Array<[string, string, (page: string) => string]> = [
      ['/api/products', 'products', (q) => `/api/products?${q}`],
      ['/api/products/{product_id}/tests', 'tests', (q) => `/api/products/${product.id}/tests?${q}`],
      ['/api/tests', 'tests', (q) => `/api/tests?product_id=${product.id}&${q}`],
      ['/api/products/{product_id}/features', 'features', (q) => `/api/products/${product.id}/features?${q}`],
      [
        '/api/products/{product_id}/user_stories',
        'user_stories',
        (q) => `/api/products/${product.id}/user_stories?${q}`,
      ],
      ['/api/users', 'users', (q) => `/api/users?days=36500&${q}`],
      ['/api/bugs', 'bugs', (q) => `/api/bugs?test_ids=${test.id}&${q}`],
    ];
    for (const [template, items, url] of lists) {
      const first = await call('get', template, url('per_page=2'));
      const total = (first['pagination'] as { total_count: number }).total_count;
      expect(total, template).toBeGreaterThan(0);
      const body = await call('get', template, url('page=5000&per_page=2'));
      expect(body[items], template).toEqual([]);
      expect(body['pagination'], template).toMatchObject({
        page: 5000,
        end_index: -1,
        has_more: false,
        total_count: total,
      });
      expect((body['pagination'] as { hint: string }).hint, template).toContain(
        `the last page with per_page=2 is ${Math.ceil(total / 2)}`,
      );
    }
  });

  it('GET /api/products: every product with its true test and feature counts', async () => {
    const body = await call('get', '/api/products', '/api/products?per_page=100');
    expect(body).toEqual(
      await container.services.listProducts(parseInput(listProductsInputSchema, { per_page: 100 })),
    );
    expect(body['total_count']).toBe(truth.totals.products);
    for (const product of body['products'] as Array<{
      id: number;
      test_count: number;
      feature_count: number;
    }>) {
      const expected = must(
        truth.products.find((p) => p.id === product.id),
        `truth of product ${product.id}`,
      );
      expect(product.test_count).toBe(expected.tests);
      expect(product.feature_count).toBe(expected.features);
    }
    const filtered = await call(
      'get',
      '/api/products',
      '/api/products?product_type=website&product_type=mobile_app_ios,streaming_app&sort_by=title&sort_order=desc&page=1&per_page=2',
    );
    expect(filtered).toEqual(
      await container.services.listProducts(
        parseInput(listProductsInputSchema, {
          product_type: ['website', 'mobile_app_ios', 'streaming_app'],
          sort_by: 'title',
          sort_order: 'desc',
          per_page: 2,
        }),
      ),
    );
  });

  it('GET /api/products/{id}/summary, /tests, /features, /user_stories and /api/tests', async () => {
    const product = must([...truth.products].sort((a, b) => b.tests - a.tests)[0], 'a product');
    const summary = await call(
      'get',
      '/api/products/{product_id}/summary',
      `/api/products/${product.id}/summary`,
    );
    expect(summary).toEqual(
      await container.services.getProductSummary(
        parseInput(getProductSummaryInputSchema, { product_id: product.id }),
      ),
    );
    expect(summary['test_count']).toBe(product.tests);
    expect(summary['tests_by_status']).toEqual(product.testsByStatus);

    const tests = await call(
      'get',
      '/api/products/{product_id}/tests',
      `/api/products/${product.id}/tests?per_page=5&statuses=archived,locked`,
    );
    expect(tests).toEqual(
      await container.services.listTests(
        parseInput(listTestsInputSchema, {
          product_id: product.id,
          per_page: 5,
          statuses: ['archived', 'locked'],
        }),
      ),
    );
    expect((tests['pagination'] as { total_count: number }).total_count).toBe(
      (product.testsByStatus['archived'] ?? 0) + (product.testsByStatus['locked'] ?? 0),
    );
    const viaQuery = await call(
      'get',
      '/api/tests',
      `/api/tests?product_id=${product.id}&per_page=5&statuses=archived&statuses=locked`,
    );
    expect(viaQuery).toEqual(tests);

    const features = await call(
      'get',
      '/api/products/{product_id}/features',
      `/api/products/${product.id}/features?per_page=200`,
    );
    expect(features).toEqual(
      await container.services.listFeatures(
        parseInput(listFeaturesInputSchema, { product_id: product.id, per_page: 200 }),
      ),
    );
    expect((features['pagination'] as { total_count: number }).total_count).toBe(product.features);

    const stories = await call(
      'get',
      '/api/products/{product_id}/user_stories',
      `/api/products/${product.id}/user_stories?per_page=200`,
    );
    const featureList = features['features'] as Array<{ id: number; user_story_count: number }>;
    const expectedStories = featureList.reduce((n, f) => n + Math.min(f.user_story_count, 50), 0);
    expect(stories['total']).toBe(expectedStories);
    const withStories = must(
      featureList.find((f) => f.user_story_count > 0),
      'a feature with user stories',
    );
    const oneFeature = await call(
      'get',
      '/api/products/{product_id}/user_stories',
      `/api/products/${product.id}/user_stories?feature_id=${withStories.id}`,
    );
    expect(oneFeature['total']).toBe(Math.min(withStories.user_story_count, 50));
  });

  it('GET /api/tests/{id}/summary, /api/bugs and /api/bugs/{id}/summary agree with the truth', async () => {
    const test = must([...(truth.tests ?? [])].sort((a, b) => b.bugs - a.bugs)[0], 'a test with bugs');
    const summary = await call('get', '/api/tests/{test_id}/summary', `/api/tests/${test.id}/summary`);
    expect(summary).toEqual(
      await container.services.getTestSummary(parseInput(getTestSummaryInputSchema, { test_id: test.id })),
    );
    expect((summary['bugs'] as { total_count: number }).total_count).toBe(test.bugs);

    const bugs = await call(
      'get',
      '/api/bugs',
      `/api/bugs?test_ids=${test.id}&per_page=200&sort_by=severity`,
    );
    expect(bugs).toEqual(
      await container.services.listBugs(
        parseInput(listBugsInputSchema, { test_ids: [test.id], per_page: 200, sort_by: 'severity' }),
      ),
    );
    expect((bugs['pagination'] as { total_count: number }).total_count).toBe(test.bugs);
    const byStatus = (bugs['bugs'] as Array<{ status: string }>).reduce<Record<string, number>>(
      (acc, b) => ({ ...acc, [b.status]: (acc[b.status] ?? 0) + 1 }),
      {},
    );
    expect(byStatus).toEqual(Object.fromEntries(Object.entries(test.bugsByStatus).filter(([, n]) => n > 0)));

    const bug = must((bugs['bugs'] as Array<{ id: number }>)[0], 'a bug');
    const bugSummary = await call('get', '/api/bugs/{bug_id}/summary', `/api/bugs/${bug.id}/summary`);
    expect(bugSummary).toEqual(
      await container.services.getBugSummary(parseInput(getBugSummaryInputSchema, { bug_id: bug.id })),
    );
    expect((bugSummary['test'] as { id: number }).id).toBe(test.id);
  });

  it('GET /api/features/{id}/summary, /api/users and /api/users/{id}/summary', async () => {
    const product = must(truth.products[0], 'a product');
    const features = await container.services.listFeatures(
      parseInput(listFeaturesInputSchema, { product_id: product.id }),
    );
    const feature = must(features.features[0], 'a feature');
    const summary = await call(
      'get',
      '/api/features/{feature_id}/summary',
      `/api/features/${feature.id}/summary`,
    );
    expect(summary).toEqual(
      await container.services.getFeatureSummary(
        parseInput(getFeatureSummaryInputSchema, { feature_id: feature.id }),
      ),
    );
    expect(summary['test_count']).toBe(feature.test_count);

    const users = await call(
      'get',
      '/api/users',
      '/api/users?days=36500&per_page=200&sort_by=last_activity&sort_order=desc',
    );
    const direct = await container.services.listUsers(
      parseInput(listUsersInputSchema, {
        days: 36500,
        per_page: 200,
        sort_by: 'last_activity',
        sort_order: 'desc',
      }),
    );
    // `filter.active_since` is "now minus days", to the millisecond of each call.
    expect(users).toEqual({ ...direct, filter: { ...direct.filter, active_since: expect.any(String) } });
    const list = users['users'] as Array<{ id: number; user_type: string }>;
    expect(list.length).toBeGreaterThan(0);
    const testers = await call('get', '/api/users', '/api/users?user_type=tester&days=36500');
    expect((testers['users'] as Array<{ roles: string[] }>).every((u) => u.roles.includes('tester'))).toBe(
      true,
    );

    const user = must(list[0], 'a user');
    const userSummary = await call('get', '/api/users/{user_id}/summary', `/api/users/${user.id}/summary`);
    expect(userSummary).toEqual(
      await container.services.getUserSummary(parseInput(getUserSummaryInputSchema, { user_id: user.id })),
    );
  });

  it('GET /api/search', async () => {
    const product = must(truth.products[0], 'a product');
    const word = must(
      product.name.split(/\s+/).find((w) => w.length >= 3),
      'a word of the product name',
    );
    const body = await call(
      'get',
      '/api/search',
      `/api/search?query=${encodeURIComponent(word)}&entities=product,test&limit=10`,
    );
    expect(body).toEqual(
      await container.services.search(
        parseInput(searchInputSchema, { query: word, entities: ['product', 'test'], limit: 10 }),
      ),
    );
    expect(
      (body['results'] as Array<{ entity_type: string; entity_id: number }>).some(
        (r) => r.entity_type === 'product' && r.entity_id === product.id,
      ),
    ).toBe(true);
  });
});

describe('operations endpoints on a synced sandbox', () => {
  it('GET /api/diagnostics', async () => {
    const body = await call(
      'get',
      '/api/diagnostics',
      '/api/diagnostics?include_sync_events=true&sync_event_limit=3&check_api=false',
    );
    const direct = await container.services.getServerDiagnostics(
      parseInput(getServerDiagnosticsInputSchema, {
        include_sync_events: true,
        sync_event_limit: 3,
        check_api: false,
      }),
    );
    expect(body['database']).toEqual(direct.database);
    expect((body['database'] as { test_count: number }).test_count).toBe(truth.totals.tests);
    expect((body['database'] as { bug_count: number }).bug_count).toBe(truth.totals.bugs);
    const probed = await call('get', '/api/diagnostics', '/api/diagnostics');
    expect(probed['api']).toMatchObject({
      checked: true,
      connected: true,
      product_count: truth.totals.products,
    });
  });

  it('GET /api/sync/problematic and /api/sync/history', async () => {
    const problematic = await call(
      'get',
      '/api/sync/problematic',
      '/api/sync/problematic?include_resolved=true',
    );
    expect(problematic['count']).toBe(0);
    const history = await call('get', '/api/sync/history', '/api/sync/history?limit=5');
    expect((history['runs'] as Array<{ status: string; mode: string }>)[0]).toMatchObject({
      status: 'success',
      mode: 'force',
    });
  });

  it('POST /api/sync runs a sync in the background; GET /api/sync/{id} reports its outcome', async () => {
    const job = await call('post', '/api/sync', '/api/sync', 202, {
      since: 'all',
      product_ids: [must(truth.products[0], 'a product').id],
    });
    expect(job['state']).toBe('running');
    await container.syncJobs.wait(job['id'] as string);
    const done = await call('get', '/api/sync/{id}', `/api/sync/${job['id'] as string}`);
    expect(done).toMatchObject({ state: 'completed', result: { status: 'success', mode: 'force' } });
    const history = await call('get', '/api/sync/history', '/api/sync/history?limit=1');
    const [latest] = history['runs'] as Array<{ run_id: number; trigger: string }>;
    expect(latest?.run_id).toBe((done['result'] as { run_id: number }).run_id);
    // Recorded as started over REST, not as an MCP sync.
    expect(latest?.trigger).toBe('rest');
  });

  it('409 while another process holds the sync lease', async () => {
    const stores = container.database.stores.syncState;
    const acquired = await stores.acquireLease('sync-worker:1@elsewhere', 60_000, clock.now());
    expect(acquired.acquired).toBe(true);
    try {
      const res = await request(app).post('/api/sync').send({}).expect(409);
      expect(res.body.error.code).toBe('conflict');
      const health = await call('get', '/health', '/health');
      expect(health['sync']).toMatchObject({ running: true, lease_holder: 'sync-worker:1@elsewhere' });
    } finally {
      await stores.releaseLease('sync-worker:1@elsewhere');
    }
  });

  it('GET /health is ok after a sync; /metrics is parseable and counts upstream calls and cache decisions', async () => {
    const health = await call('get', '/health', '/health');
    expect(health).toMatchObject({
      status: 'ok',
      database: { reachable: true },
      sync: { last_run_status: 'success' },
    });
    const res = await request(app).get('/metrics').expect(200);
    const samples = parsePrometheus(res.text);
    const value = (name: string) => samples.filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);
    expect(value('testio_upstream_requests_total')).toBeGreaterThan(0);
    expect(value('testio_cache_lookups_total')).toBeGreaterThan(0);
    expect(value('testio_database_up')).toBe(1);
    expect(
      samples.some(
        (s) =>
          s.name === 'testio_http_requests_total' &&
          s.labels['route'] === '/api/products/:product_id/summary',
      ),
    ).toBe(true);
    expect(samples.some((s) => s.name === 'testio_sync_runs_total' && s.labels['trigger'] === 'rest')).toBe(
      true,
    );
  });

  it('GET /health answers 503 once the database is gone', async () => {
    const settings = parseRestApiSettings(envFor(container.runtime.databasePath));
    const second = await createRestContainer({
      settings,
      runtime: resolveRestRuntime(settings),
      logger: createCaptureLogger(),
      clock,
    });
    const secondApp = createApp(second.appDeps(options()));
    try {
      await request(secondApp).get('/health').expect(200);
      await second.database.close();
      const res = await request(secondApp).get('/health').expect(503);
      expect(validator.validateResponse('/health', 'get', 503, res.body)).toEqual([]);
      expect(res.body).toMatchObject({ status: 'unhealthy', database: { reachable: false } });
      const metrics = parsePrometheus((await request(secondApp).get('/metrics').expect(200)).text);
      expect(metrics).toContainEqual({ name: 'testio_database_up', labels: {}, value: 0 });
    } finally {
      await second.close();
    }
  });
});

describe('analytics endpoints on a synced sandbox', () => {
  it('GET /api/quality-report: the MCP answer plus test_data, with the true counts', async () => {
    const product = must([...truth.products].sort((a, b) => b.bugs - a.bugs)[0], 'a product');
    const body = await call(
      'get',
      '/api/quality-report',
      `/api/quality-report?product_ids=${product.id}&statuses=all&max_tests=5`,
    );
    const input = parseInput(generateQualityReportInputSchema, {
      product_ids: [product.id],
      statuses: ['all'],
      max_tests: 5,
    });
    expect(body).toEqual(await container.services.getQualityReportWithTests(input));
    const { test_data: testData, ...mcp } = body as {
      test_data: Array<{ test_id: number; bugs_count: number }>;
    } & Record<string, unknown>;
    expect(mcp).toEqual(await container.services.generateQualityReport(input));
    expect(body['summary']).toMatchObject({ total_tests: product.tests, total_bugs: product.bugs });
    expect(testData).toHaveLength(product.tests);
    for (const t of testData)
      expect(t.bugs_count, `test ${t.test_id}`).toBe(truth.tests?.find((x) => x.id === t.test_id)?.bugs);

    const exported = await call(
      'get',
      '/api/quality-report',
      `/api/quality-report?product_ids=${product.id}&output_file=rest/report&max_tests=0`,
    );
    // Markdown, JSON, CSV, HTML and a PNG per chart of a one-product report.
    expect((exported['export'] as { files: { format: string }[] }).files.map((f) => f.format)).toEqual([
      'markdown',
      'json',
      'csv',
      'html',
      ...Array<string>(6).fill('png'),
    ]);
    const refused = await request(app)
      .get(`/api/quality-report?product_ids=${product.id}&output_file=../escape`)
      .expect(400);
    expect(refused.body.error).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('climbs out of the export directory'),
    });
    const again = await request(app)
      .get(`/api/quality-report?product_ids=${product.id}&output_file=rest/report`)
      .expect(400);
    expect(again.body.error.message).toMatch(/already exists/);
  });

  it('POST /api/analytics/query: the same rows as query_metrics, true totals, and errors listing valid names', async () => {
    const query = {
      dimensions: ['product'],
      metrics: ['test_count', 'bug_count', 'rejection_rate'],
      filters: { test_statuses: 'all' },
    };
    const body = await call('post', '/api/analytics/query', '/api/analytics/query', 200, query);
    expect(body).toEqual({
      ...(await container.services.queryMetrics(parseInput(queryMetricsInputSchema, query))),
      query_time_ms: expect.any(Number),
    });
    expect(body['visualization_hint']).toMatchObject({
      x_axis: 'product',
      y_axis: ['test_count', 'bug_count'],
    });
    // The reference's filter names, a dimension filter on a dimension not grouped by.
    const product = must(truth.products[0], 'a product');
    const theirs = await call('post', '/api/analytics/query', '/api/analytics/query', 200, {
      dimensions: ['month'],
      metrics: ['bug_count'],
      filters: { product_id: product.id, status: ['archived', 'locked'], severity: 'high', known_bug: false },
    });
    const ours = await container.services.queryMetrics(
      parseInput(queryMetricsInputSchema, {
        dimensions: ['month'],
        metrics: ['bug_count'],
        filters: {
          product_ids: [product.id],
          test_statuses: 'archived,locked',
          severities: 'high',
          known_bug: 'false',
        },
      }),
    );
    expect(theirs['data']).toEqual(ours.data);
    expect(theirs['filters_applied']).toEqual(ours.filters_applied);
    const unknownFilter = await request(app)
      .post('/api/analytics/query')
      .send({ dimensions: 'product', metrics: 'bug_count', filters: { colour: 'red' } });
    expect(unknownFilter.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(unknownFilter.body)).toMatch(/colour/);
    for (const p of truth.products) {
      expect(
        (body['data'] as Array<Record<string, unknown>>).find((r) => r['product_id'] === p.id),
      ).toMatchObject({ test_count: p.tests, bug_count: p.bugs });
    }
    const bad = await request(app)
      .post('/api/analytics/query')
      .send({ dimensions: 'product', metrics: 'acceptance_rate' })
      .expect(400);
    expect(bad.body.error).toMatchObject({
      code: 'invalid_input',
      message: "Unknown metric 'acceptance_rate'",
    });
    expect(bad.body.error.reason).toContain('Valid metrics: test_count, bug_count');
    await request(app)
      .post('/api/analytics/query')
      .send({ dimensions: 'product', metrics: 'bug_count', colour: 'red' })
      .expect(422);
  });

  it('POST /api/analytics/chart: a PNG or an SVG of the same rows, documented with both image types', async () => {
    const query = { dimensions: ['severity'], metrics: ['bug_count', 'rejection_rate'] };
    const rows = (await container.services.queryMetrics(parseInput(queryMetricsInputSchema, query))).data;
    const png = await request(app)
      .post('/api/analytics/chart')
      .send({ ...query, theme: 'dark' })
      .buffer(true)
      .parse(bytes)
      .expect(200);
    expect(png.headers['content-type']).toBe('image/png');
    const facts = inspectPng(png.body as Buffer);
    expect([facts.width, facts.height]).toEqual([800, 450]);
    expect(facts.variance).toBeGreaterThan(50);
    expect(decodeURIComponent(String(png.headers['x-chart-description']))).toMatch(
      /^Bar chart "Bugs by severity".*Highest: /,
    );

    const svg = await request(app)
      .post('/api/analytics/chart')
      .send({ ...query, format: 'svg', chart_metric: 'rejection_rate' })
      .buffer(true)
      .parse(bytes)
      .expect(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const doc = parseSvg((svg.body as Buffer).toString('utf8'));
    const drawn = rows.filter((r) => typeof r['rejection_rate'] === 'number');
    expect(svgMarks(doc, 'rect')).toHaveLength(drawn.length);
    expect(svgTextsOf(doc, 'axis-title')).toContain('Rejection rate (%)');
    covered.add('post /api/analytics/chart');

    const bad = await request(app)
      .post('/api/analytics/chart')
      .send({ ...query, chart_metric: 'review_rate' })
      .expect(400);
    expect(bad.headers['content-type']).toMatch(/json/);
    expect(bad.body.error.message).toMatch(/chart_metric 'review_rate'/);
    await request(app)
      .post('/api/analytics/chart')
      .send({ ...query, format: 'gif' })
      .expect(422);

    const operation = openapi.paths['/api/analytics/chart']?.['post'] as {
      responses: Record<string, { content: Record<string, unknown> }>;
      requestBody: unknown;
    };
    expect(operation.responses['200']?.content).toMatchObject({
      'image/png': { schema: { type: 'string', format: 'binary' } },
      'image/svg+xml': {
        schema: { type: 'string', format: 'binary' },
        example: expect.stringMatching(/^<svg/),
      },
    });
  });

  it('GET /api/quality-report?format=html: one self-contained page with the charts inline, documented', async () => {
    const product = must(truth.products[0], 'a product');
    const page = await request(app)
      .get(`/api/quality-report?product_ids=${product.id}&format=html&max_tests=3`)
      .buffer(true)
      .parse(bytes)
      .expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = (page.body as Buffer).toString('utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`<h1>Quality report: ${product.name}</h1>`);
    // The charts of one product: trends of tests, bugs and rates, severities, review outcomes, rejection reasons.
    expect(html.match(/<figure role="img"/g)).toHaveLength(6);
    expect(html).not.toMatch(/<script|<link|@import|(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    const json = await request(app)
      .get(`/api/quality-report?product_ids=${product.id}&max_tests=0`)
      .expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    await request(app).get(`/api/quality-report?product_ids=${product.id}&format=pdf`).expect(422);

    const operation = openapi.paths['/api/quality-report']?.['get'] as {
      responses: Record<string, { content: Record<string, unknown> }>;
      parameters: { name: string; schema: unknown }[];
    };
    expect(operation.responses['200']?.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/QualityReportResponse' } },
      'text/html': { schema: { type: 'string' }, example: expect.stringMatching(/^<!DOCTYPE html>/) },
    });
    expect(operation.parameters.find((p) => p.name === 'format')?.schema).toEqual({
      type: 'string',
      enum: ['json', 'html'],
    });
  });

  it('GET /api/analytics/capabilities and /api/thresholds', async () => {
    const caps = await call('get', '/api/analytics/capabilities', '/api/analytics/capabilities');
    expect(caps).toEqual(await container.services.getAnalyticsCapabilities({}));
    expect((caps['dimensions'] as unknown[]).length).toBe(14);
    expect((caps['metrics'] as unknown[]).length).toBe(13);
    const thresholds = await call('get', '/api/thresholds', '/api/thresholds');
    expect(thresholds).toEqual({
      rejection_rate: { warning: 0.2, critical: 0.35, direction: 'above' },
      auto_acceptance_rate: { warning: 0.2, critical: 0.4, direction: 'above' },
      review_rate: { warning: 0.8, critical: 0.6, direction: 'below' },
    });
  });
});

describe('admin endpoints (open on loopback without keys, as every route)', () => {
  it('adds a tenant, lists tenants and keys, shows every tenant, issues a key, removes both', async () => {
    const added = await call('post', '/api/admin/tenants', '/api/admin/tenants', 201, {
      slug: 'second',
      base_url: sandbox.baseUrl,
      token: sandbox.token,
    });
    expect(added).toMatchObject({ slug: 'second', token: 'encrypted' });
    const tenants = await call('get', '/api/admin/tenants', '/api/admin/tenants');
    expect((tenants['tenants'] as Array<{ slug: string }>).map((t) => t.slug)).toEqual(['default', 'second']);
    expect(await call('get', '/api/admin/keys', '/api/admin/keys')).toEqual({ keys: [] });
    const diagnostics = await call('get', '/api/admin/diagnostics', '/api/admin/diagnostics');
    expect((diagnostics['tenants'] as Array<{ tenant: string }>).map((t) => t.tenant)).toEqual([
      'default',
      'second',
    ]);
    const key = await call('post', '/api/admin/keys', '/api/admin/keys', 201, {
      tenant: 'default',
      role: 'admin',
      name: 'api test',
    });
    // The first key closes the open server; 204s carry no body to validate.
    await request(app).get('/api/admin/keys').expect(401);
    const auth = `Bearer ${String(key['key'])}`;
    await request(app).delete('/api/admin/tenants/second').set('Authorization', auth).expect(204);
    covered.add('delete /api/admin/tenants/{slug}');
    await request(app)
      .delete(`/api/admin/keys/${String(key['id'])}`)
      .set('Authorization', auth)
      .expect(204);
    covered.add('delete /api/admin/keys/{id}');
    // No usable key left: open again.
    await request(app).get('/api/admin/tenants').expect(200);
  });
});

describe('errors and auth on the real app', () => {
  it('404, 400 and 422 with the documented error body', async () => {
    const notFound = await request(app).get('/api/products/999999/summary').expect(404);
    expect(
      validator.validateResponse('/api/products/{product_id}/summary', 'get', 404, notFound.body),
    ).toEqual([]);
    expect(notFound.body.error).toMatchObject({
      code: 'not_found',
      message: "Product ID '999999' not found",
    });

    const invalid = await request(app)
      .get(`/api/products/${must(truth.products[0], 'a product').id}/tests?statuses=running,flying`)
      .expect(400);
    expect(invalid.body.error.fields).toEqual([
      { field: 'statuses', message: expect.stringContaining("'flying'") },
    ]);

    const noIds = await request(app).get('/api/bugs').expect(422);
    expect(noIds.body.error.fields).toEqual([expect.objectContaining({ field: 'test_ids', in: 'query' })]);

    const badDate = await request(app).get('/api/search?query=login&start_date=2025').expect(400);
    expect(badDate.body.error.code).toBe('invalid_input');
  });

  it('requires a key once one exists in the database, and serves the same answer with one', async () => {
    const open = (await request(app).get('/api/products').expect(200)).body as unknown;
    const store = createPrincipalStore(sqliteOf(container.database));
    const viewer = issueApiKey(
      store,
      { tenant: 'default', role: 'viewer', name: 'sandbox test' },
      container.clock,
    );
    try {
      await request(app).get('/api/products').expect(401);
      const ok = await request(app)
        .get('/api/products')
        .set('Authorization', `Bearer ${viewer.key}`)
        .expect(200);
      expect(ok.body).toEqual(open);
      await request(app).post('/api/sync').set('X-API-Key', viewer.key).send({}).expect(403);
    } finally {
      store.revokeApiKey(viewer.id, new Date());
    }
    await request(app).get('/api/products').expect(200);
  });

  it('every documented operation was exercised with a validated happy path', () => {
    const documented = Object.entries(openapi.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m} ${p}`),
    );
    // The bug triage routes write to TestIO and are off here; triage.sandbox.test.ts exercises them.
    const triage = /^post \/api\/bugs\/(\{bug_id\}\/|triage)/;
    expect(documented.filter((op) => !covered.has(op) && !triage.test(op))).toEqual([]);
  });
});
