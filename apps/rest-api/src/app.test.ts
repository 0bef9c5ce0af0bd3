import {
  ConflictError,
  DatabaseBusyError,
  InvalidInputError,
  NotFoundError,
  ProductNotFoundError,
  UpstreamError,
} from '@testio-mcp/domain';
import type { SyncDataOutput } from '@testio-mcp/services';
import request from 'supertest';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  buildApp,
  diagnostics,
  fakeServices,
  HEALTHY,
  parsePrometheus,
  PRODUCTS,
  syncOutput,
} from './__fixtures__/fakes.js';
import { createSpecValidator } from './__fixtures__/openapi-validator.js';
import { loadOpenApiSpec } from './app.js';

const KEY = 'k-0123456789abcdef';
const OTHER_KEY = 'k-fedcba9876543210';
const spec = createSpecValidator(loadOpenApiSpec());

function expectErrorBody(body: unknown, code: string, requestId?: string): void {
  expect(spec.validateComponent('ErrorBody', body)).toEqual([]);
  const error = (body as { error: { code: string; request_id: string } }).error;
  expect(error.code).toBe(code);
  if (requestId) expect(error.request_id).toBe(requestId);
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
}

describe('request id', () => {
  it('generates one when absent and echoes a given one, in the header, the error body and the log', async () => {
    const { app, logger } = buildApp();
    const generated = await request(app).get('/api/products').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    const echoed = await request(app)
      .get('/api/nothing-here')
      .set('X-Request-Id', 'trace-42.abc')
      .expect(404);
    expect(echoed.headers['x-request-id']).toBe('trace-42.abc');
    expectErrorBody(echoed.body, 'not_found', 'trace-42.abc');
    expect(
      logger.lines.some((l) => l.bindings['request_id'] === 'trace-42.abc' && l.msg === 'request rejected'),
    ).toBe(true);
  });

  it('replaces an unsafe incoming id', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .get('/api/products')
      .set('X-Request-Id', 'bad id with spaces<script>')
      .expect(200);
    expect(res.headers['x-request-id']).not.toContain('script');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('API keys', () => {
  it('off on loopback without keys: requests pass', async () => {
    const { app } = buildApp();
    await request(app).get('/api/products').expect(200);
    await request(app).get('/health').expect(200);
  });

  it('required as soon as a key is configured, on loopback too (behind a local proxy every client looks local)', async () => {
    const { app } = buildApp({ apiKeys: [KEY] });
    const missing = await request(app).get('/api/products').expect(401);
    expect(missing.headers['www-authenticate']).toMatch(
      /^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource"$/,
    );
    const wrong = await request(app)
      .get('/api/products')
      .set('X-API-Key', 'k-not-a-real-key-000')
      .expect(401);
    expectErrorBody(wrong.body, 'unauthorized');
    await request(app).get('/api/products').set('Authorization', `Bearer ${KEY}`).expect(200);
  });

  it('required: 401 without or with a wrong key; Bearer and X-API-Key both work; docs stay public', async () => {
    const { app, logger } = buildApp({ apiKeys: [KEY, OTHER_KEY] });
    const missing = await request(app).get('/api/products').expect(401);
    expectErrorBody(missing.body, 'unauthorized');
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    await request(app).get('/api/products').set('Authorization', 'Bearer k-wrong-key-0000000').expect(401);
    await request(app).get('/api/products').set('Authorization', `Basic ${KEY}`).expect(401);
    await request(app).get('/api/products').set('Authorization', `Bearer ${KEY}`).expect(200);
    await request(app).get('/api/products').set('X-API-Key', OTHER_KEY).expect(200);
    await request(app).get('/health').expect(401);
    await request(app).get('/metrics').expect(401);
    await request(app).get('/metrics').set('X-API-Key', KEY).expect(200);
    await request(app).get('/openapi.json').expect(200);
    await request(app).get('/docs/').expect(200);
    // Keys never reach a log line; a fingerprint does.
    const logged = JSON.stringify(logger.lines);
    expect(logged).not.toContain(KEY);
    expect(logged).not.toContain(OTHER_KEY);
    expect(logger.lines.some((l) => typeof l.obj === 'object' && 'key_id' in l.obj)).toBe(true);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the limit, per key, and resets with the window', async () => {
    // The limiter (rate-limiter-flexible) reads Date.now(): only Date is faked, timers and sockets stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const clock = { advance: (ms: number) => vi.setSystemTime(Date.now() + ms) };
    const { app } = buildApp({
      apiKeys: [KEY, OTHER_KEY],
      rateLimit: 2,
      rateLimitWindowSeconds: 60,
    });
    const first = await request(app).get('/api/products').set('X-API-Key', KEY).expect(200);
    expect(first.headers['ratelimit-limit']).toBe('2');
    expect(first.headers['ratelimit-remaining']).toBe('1');
    await request(app).get('/api/products').set('X-API-Key', KEY).expect(200);
    clock.advance(15_000);
    const limited = await request(app).get('/api/products').set('X-API-Key', KEY).expect(429);
    expectErrorBody(limited.body, 'rate_limited');
    expect(limited.headers['retry-after']).toBe('45');
    // Another key has its own budget.
    await request(app).get('/api/products').set('X-API-Key', OTHER_KEY).expect(200);
    clock.advance(45_000);
    await request(app).get('/api/products').set('X-API-Key', KEY).expect(200);
  });

  it('limits requests without a key per client address, honouring trust proxy', async () => {
    const { app } = buildApp({ rateLimit: 1, trustProxy: 1 });
    await request(app).get('/api/products').set('X-Forwarded-For', '203.0.113.1').expect(200);
    await request(app).get('/api/products').set('X-Forwarded-For', '203.0.113.1').expect(429);
    await request(app).get('/api/products').set('X-Forwarded-For', '203.0.113.2').expect(200);
  });

  it('without trust proxy, X-Forwarded-For is ignored', async () => {
    const { app } = buildApp({ rateLimit: 1 });
    await request(app).get('/api/products').set('X-Forwarded-For', '203.0.113.1').expect(200);
    await request(app).get('/api/products').set('X-Forwarded-For', '203.0.113.2').expect(429);
  });
});

describe('CORS', () => {
  it('sends CORS headers only to configured origins, and answers preflights without a key', async () => {
    const { app } = buildApp({
      corsOrigins: ['https://dash.example.com'],
      apiKeys: [KEY],
    });
    const allowed = await request(app)
      .get('/api/products')
      .set('Origin', 'https://dash.example.com')
      .set('X-API-Key', KEY)
      .expect(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://dash.example.com');
    expect(allowed.headers['access-control-expose-headers']).toContain('X-Request-Id');
    const other = await request(app)
      .get('/api/products')
      .set('Origin', 'https://evil.example.com')
      .set('X-API-Key', KEY)
      .expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(app)
      .options('/api/products')
      .set('Origin', 'https://dash.example.com')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
  });

  it('sends no CORS headers at all when no origin is configured', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/api/products').set('Origin', 'https://dash.example.com').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('errors', () => {
  it('maps domain errors to 400/404/409/502/503 with code, message, hint and request id', async () => {
    const cases: Array<[Error, number, string]> = [
      [new ProductNotFoundError(99999), 404, 'not_found'],
      [new ConflictError({ message: 'busy' }), 409, 'conflict'],
      [new DatabaseBusyError({ message: 'The local database is busy' }), 503, 'database_busy'],
      [new InvalidInputError({ message: 'bad', field: 'x' }), 400, 'invalid_input'],
      [
        new UpstreamError({
          message: 'TestIO said 500',
          status: 500,
          operation: { method: 'GET', path: 'products/1' },
        }),
        503,
        'upstream_unavailable',
      ],
      [
        new UpstreamError({
          message: 'TestIO said 404',
          status: 404,
          operation: { method: 'GET', path: 'products/1' },
        }),
        502,
        'upstream_error',
      ],
      [
        new UpstreamError({
          message: 'bad token',
          status: 401,
          operation: { method: 'GET', path: 'products/1' },
        }),
        502,
        'upstream_unauthorized',
      ],
    ];
    for (const [error, status, code] of cases) {
      const { app } = buildApp(
        {},
        { services: fakeServices({ getProductSummary: () => Promise.reject(error) }) },
      );
      const res = await request(app).get('/api/products/99999/summary').expect(status);
      expectErrorBody(res.body, code, res.headers['x-request-id'] as string);
      expect(res.body.error.message).toBe(error.message);
    }
  });

  it('gives REST hints on not-found errors', async () => {
    const { app } = buildApp(
      {},
      { services: fakeServices({ getProductSummary: () => Promise.reject(new ProductNotFoundError(5)) }) },
    );
    const res = await request(app).get('/api/products/5/summary').expect(404);
    expect(res.body.error.hint).toBe('Use GET /api/products to see available products');
  });

  it('passes Retry-After of a rate-limited upstream on', async () => {
    const error = new UpstreamError({
      message: 'slow down',
      status: 429,
      retryAfterSeconds: 30,
      operation: { method: 'GET', path: 'x' },
    });
    const { app } = buildApp(
      {},
      { services: fakeServices({ getProductSummary: () => Promise.reject(error) }) },
    );
    const res = await request(app).get('/api/products/5/summary').expect(503);
    expectErrorBody(res.body, 'upstream_rate_limited');
    expect(res.headers['retry-after']).toBe('30');
  });

  it('hides unexpected errors behind a 500 without message or stack, and logs them', async () => {
    const boom = new Error('SQLITE_CORRUPT: secret driver detail');
    const { app, logger } = buildApp(
      {},
      { services: fakeServices({ getProductSummary: () => Promise.reject(boom) }) },
    );
    const res = await request(app).get('/api/products/5/summary').expect(500);
    expectErrorBody(res.body, 'internal_error');
    expect(JSON.stringify(res.body)).not.toContain('SQLITE');
    expect(logger.lines.some((l) => l.level === 'error' && l.msg === 'unexpected error')).toBe(true);
  });

  it('422 lists every field that does not match the documented types and ranges', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/api/products?per_page=500&page=0&sort_by=nope').expect(422);
    expectErrorBody(res.body, 'validation_failed');
    const fields = (res.body.error.fields as Array<{ field: string; in: string }>)
      .map((f) => `${f.in}:${f.field}`)
      .sort();
    expect(fields).toEqual(['query:page', 'query:per_page', 'query:sort_by']);
    const path = await request(app).get('/api/products/abc/summary').expect(422);
    expect(path.body.error.fields).toEqual([expect.objectContaining({ field: 'product_id', in: 'path' })]);
  });

  it('400 lists the fields the services reject (values the schema types cannot express)', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/api/products?product_type=website,spaceship').expect(400);
    expectErrorBody(res.body, 'invalid_input');
    expect(res.body.error.fields).toEqual([
      { field: 'product_type', message: expect.stringContaining("'spaceship'") },
    ]);
  });

  it('rejects unknown body properties, malformed JSON and oversized bodies', async () => {
    const { app } = buildApp({ bodyLimit: '1kb' });
    const extra = await request(app).post('/api/sync').send({ since: 'all', force: true }).expect(422);
    expectErrorBody(extra.body, 'validation_failed');
    expect(extra.body.error.fields[0]).toMatchObject({ in: 'body' });
    const malformed = await request(app)
      .post('/api/sync')
      .set('Content-Type', 'application/json')
      .send('{"since": ')
      .expect(400);
    expectErrorBody(malformed.body, 'invalid_json');
    const big = await request(app)
      .post('/api/sync')
      .send({ since: 'x'.repeat(5000) })
      .expect(413);
    expectErrorBody(big.body, 'payload_too_large');
  });

  it('answers a path that is not valid percent-encoding with a 400, not a 500', async () => {
    const { app } = buildApp();
    for (const path of ['/api/products/%zz/summary', '/api/products/%/tests', '/api/sync/%E0%A4%A']) {
      const res = await request(app).get(path).expect(400);
      expectErrorBody(res.body, 'invalid_input');
    }
  });

  it('answers unknown routes with a 404 error body', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/api/unknown').expect(404);
    expectErrorBody(res.body, 'not_found');
  });
});

describe('base path', () => {
  it('mounts everything under the base path, and the spec names it as the server', async () => {
    const { app } = buildApp({ basePath: '/testio' });
    await request(app).get('/testio/api/products').expect(200);
    await request(app).get('/api/products').expect(404);
    const openapi = await request(app).get('/testio/openapi.json').expect(200);
    expect(openapi.body.servers).toEqual([{ url: '/testio', description: 'This server' }]);
    await request(app).get('/testio/docs/').expect(200);
    await request(app).get('/testio/health').expect(200);
  });
});

describe('/health', () => {
  it('is ok when the database answers and the last sync is recent', async () => {
    const { app } = buildApp({ staleAfterSeconds: 7200 });
    const res = await request(app).get('/health').expect(200);
    expect(spec.validateResponse('/health', 'get', 200, res.body)).toEqual([]);
    expect(res.body).toMatchObject({
      status: 'ok',
      version: '9.9.9',
      database: { reachable: true },
      sync: { last_sync_age_seconds: 3600 },
      problems: [],
    });
  });

  it('is degraded (200) when the data is stale, unhealthy (503) when the database is gone', async () => {
    const stale = buildApp({ staleAfterSeconds: 60 });
    const degraded = await request(stale.app).get('/health').expect(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.problems[0]).toMatch(/3600 s old/);

    const gone = buildApp(
      {},
      {
        health: async () => ({
          database: {
            engine: 'sqlite',
            reachable: false,
            error: 'The SQLite mirror does not answer queries',
          },
          sync: null,
        }),
      },
    );
    const res = await request(gone.app).get('/health').expect(503);
    expect(spec.validateResponse('/health', 'get', 503, res.body)).toEqual([]);
    expect(res.body).toMatchObject({ status: 'unhealthy', database: { reachable: false }, sync: null });
  });
});

describe('/metrics', () => {
  it('is valid Prometheus text with request counts and latency per route template', async () => {
    const { app } = buildApp();
    await request(app).get('/api/products').expect(200);
    await request(app).get('/api/products/abc/summary').expect(422);
    await request(app).get('/api/nowhere').expect(404);
    const res = await request(app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const samples = parsePrometheus(res.text);
    const requests = samples.filter((s) => s.name === 'testio_http_requests_total');
    expect(requests).toContainEqual({
      name: 'testio_http_requests_total',
      labels: { method: 'GET', route: '/api/products', status: '200' },
      value: 1,
    });
    expect(requests).toContainEqual({
      name: 'testio_http_requests_total',
      labels: { method: 'GET', route: '/api/products/:product_id/summary', status: '422' },
      value: 1,
    });
    expect(requests).toContainEqual({
      name: 'testio_http_requests_total',
      labels: { method: 'GET', route: 'unmatched', status: '404' },
      value: 1,
    });
    expect(
      samples.some(
        (s) =>
          s.name === 'testio_http_request_duration_seconds_bucket' && s.labels['route'] === '/api/products',
      ),
    ).toBe(true);
    expect(samples).toContainEqual({ name: 'testio_database_up', labels: {}, value: 1 });
    expect(samples).toContainEqual({
      name: 'testio_sync_last_success_age_seconds',
      labels: {},
      value: HEALTHY.sync?.last_success_age_seconds,
    });
    expect(samples).toContainEqual({
      name: 'testio_sync_last_run_duration_seconds',
      labels: { status: 'success' },
      value: 12,
    });
  });
});

describe('sync jobs', () => {
  it('POST /api/sync answers 202 with a job, 409 while it runs, and GET /api/sync/{id} follows it', async () => {
    let finish: (value: SyncDataOutput) => void = () => undefined;
    const services = fakeServices({
      syncData: () =>
        new Promise<SyncDataOutput>((resolve) => {
          finish = resolve;
        }),
    });
    const { app, syncJobs, metrics } = buildApp({}, { services });
    const started = await request(app)
      .post('/api/sync')
      .send({ product_ids: '598', since: 'all' })
      .expect(202);
    expect(spec.validateResponse('/api/sync', 'post', 202, started.body)).toEqual([]);
    expect(started.body).toMatchObject({
      id: 'sync-job1',
      state: 'running',
      request: { product_ids: [598], since: 'all' },
      href: '/api/sync/sync-job1',
    });
    expect(started.headers['location']).toBe('/api/sync/sync-job1');

    const conflict = await request(app).post('/api/sync').send({}).expect(409);
    expectErrorBody(conflict.body, 'conflict');

    const running = await request(app).get('/api/sync/sync-job1').expect(200);
    expect(running.body.state).toBe('running');

    finish(syncOutput({ product_ids: [598], mode: 'force' }));
    await syncJobs.wait('sync-job1');
    const done = await request(app).get('/api/sync/sync-job1').expect(200);
    expect(spec.validateResponse('/api/sync/{id}', 'get', 200, done.body)).toEqual([]);
    expect(done.body).toMatchObject({ state: 'completed', result: { run_id: 7, status: 'success' } });
    const samples = parsePrometheus(await metrics.registry.metrics());
    expect(samples).toContainEqual({
      name: 'testio_sync_runs_total',
      labels: { status: 'success', trigger: 'rest' },
      value: 1,
    });
  });

  it('409 when another process holds the sync lease; a failed start becomes a failed job', async () => {
    const busy = buildApp(
      {},
      { services: fakeServices({ getServerDiagnostics: async () => diagnostics(true) }) },
    );
    expectErrorBody((await request(busy.app).post('/api/sync').send({}).expect(409)).body, 'conflict');

    const failing = buildApp(
      {},
      {
        services: fakeServices({
          syncData: () => Promise.reject(new ConflictError({ message: 'lease taken' })),
        }),
      },
    );
    const job = await request(failing.app).post('/api/sync').expect(202);
    await failing.syncJobs.wait(job.body.id);
    const res = await request(failing.app).get(`/api/sync/${job.body.id}`).expect(200);
    expect(res.body).toMatchObject({ state: 'failed', error: { code: 'conflict', message: 'lease taken' } });
  });

  it('400 for invalid sync arguments, 404 for unknown jobs', async () => {
    const { app } = buildApp();
    expectErrorBody(
      (await request(app).post('/api/sync').send({ product_ids: 'abc' }).expect(400)).body,
      'invalid_input',
    );
    expectErrorBody((await request(app).get('/api/sync/sync-nope').expect(404)).body, 'not_found');
  });

  it('history lists the recorded runs', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/api/sync/history?limit=3').expect(200);
    expect(spec.validateResponse('/api/sync/history', 'get', 200, res.body)).toEqual([]);
    expect(res.body).toMatchObject({ runs: [], count: 0 });
  });
});

describe('docs', () => {
  it('serves the OpenAPI document and a Swagger UI whose assets are local', async () => {
    const { app } = buildApp();
    const openapi = await request(app).get('/openapi.json').expect(200);
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(openapi.body.info.version).toBe('9.9.9');
    const redirect = await request(app).get('/docs');
    expect([200, 301, 302]).toContain(redirect.status);
    const html = await request(app).get('/docs/').expect(200);
    expect(html.text).toContain('swagger-ui');
    expect(html.text).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
    const assets = [...html.text.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) await request(app).get(`/docs/${asset}`).expect(200);
    const init = await request(app).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('/api/products/{product_id}/summary');
  });
});

describe('not found vs product list', () => {
  it('returns the service answer unchanged', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/api/products').expect(200);
    expect(res.body).toEqual(PRODUCTS);
    expect(spec.validateResponse('/api/products', 'get', 200, res.body)).toEqual([]);
  });

  it('NotFoundError of any entity is a 404', async () => {
    const { app } = buildApp(
      {},
      { services: fakeServices({ getBugSummary: () => Promise.reject(new NotFoundError('bug', 3)) }) },
    );
    expectErrorBody((await request(app).get('/api/bugs/3/summary').expect(404)).body, 'not_found');
  });
});
