import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCaptureLogger } from '@testio-mcp/sync/testing';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecValidator } from './__fixtures__/openapi-validator.js';
import { createApp, loadOpenApiSpec } from './app.js';
import { parseRestApiSettings } from './config.js';
import {
  appOptionsFromSettings,
  createRestContainer,
  resolveRestRuntime,
  type RestContainer,
} from './container.js';

/**
 * `TESTIO_READ_ONLY=true` on the real stack (ADR 0028): the sandbox over HTTP → a sync into a temp SQLite
 * file (the background sync, which read-only keeps) → the app built from the settings as `testio-mcp api`
 * builds it. Writes answer 403 `read_only`; reads answer as usual; the OpenAPI document leaves the
 * writes out.
 */

const ANCHOR = new Date('2025-06-01T00:00:00Z');
const validator = createSpecValidator(loadOpenApiSpec());

let sandbox: RunningSandbox;
let dir: string;
let exportDir: string;
let container: RestContainer;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small', anchor: ANCHOR });
  dir = mkdtempSync(path.join(os.tmpdir(), 'rest-read-only-'));
  exportDir = path.join(dir, 'exports');
  const settings = parseRestApiSettings({
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
    TESTIO_EXPORT_DIR: exportDir,
    TESTIO_READ_ONLY: 'true',
    TESTIO_REST_RATE_LIMIT: '0',
    LOG_LEVEL: 'error',
  });
  container = await createRestContainer({
    settings,
    runtime: resolveRestRuntime(settings),
    logger: createCaptureLogger(),
  });
  const sync = await container.engine.run({ mode: 'force', trigger: 'manual_cli' });
  expect(sync.status).toBe('success');
  app = createApp(container.appDeps(appOptionsFromSettings(settings, '0.1.0')));
});

afterAll(async () => {
  await container?.close();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function expectReadOnlyRefusal(res: request.Response, what: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(validator.validateComponent('ErrorBody', res.body)).toEqual([]);
  const error = (res.body as { error: { code: string; message: string; hint: string } }).error;
  expect(error.code).toBe('read_only');
  expect(error.message).toContain(`${what} is not available: this server is read-only`);
  expect(error.message).toContain('--read-only (TESTIO_READ_ONLY=true)');
  expect(error.hint).toMatch(/without --read-only/);
}

describe('a read-only REST API', () => {
  it('refuses POST /api/sync with the read-only error and starts no sync', async () => {
    const before = await request(app).get('/api/sync/history').expect(200);
    expectReadOnlyRefusal(await request(app).post('/api/sync').send({}), 'POST /api/sync');
    const after = await request(app).get('/api/sync/history').expect(200);
    // The same runs (started_at_relative moves with the clock, so compare the ids).
    const runIds = (body: unknown) => JSON.stringify(body).match(/"run_id":\d+/g);
    expect(runIds(after.body)).toEqual(runIds(before.body));
  });

  it('answers the quality report but refuses its export and writes no file', async () => {
    const report = await request(app).get('/api/quality-report?statuses=all&max_tests=2').expect(200);
    expect((report.body as { summary: { total_tests: number } }).summary.total_tests).toBeGreaterThan(0);
    expectReadOnlyRefusal(
      await request(app).get('/api/quality-report?output_file=acme/q2'),
      'GET /api/quality-report with output_file',
    );
    expect(existsSync(exportDir) ? readdirSync(exportDir) : []).toEqual([]);
  });

  it('keeps every read: products, sync history, diagnostics', async () => {
    const products = await request(app).get('/api/products').expect(200);
    expect((products.body as { products: unknown[] }).products.length).toBeGreaterThan(0);
    await request(app).get('/api/diagnostics').expect(200);
  });

  it('publishes an OpenAPI document without the writes', async () => {
    const res = await request(app).get('/openapi.json').expect(200);
    const served = res.body as {
      info: { description?: string };
      paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>>;
    };
    expect(served.paths['/api/sync']?.['post']).toBeUndefined();
    expect(served.paths['/api/sync/history']?.['get']).toBeDefined();
    expect(served.paths['/api/analytics/query']?.['post']).toBeDefined();
    const report = served.paths['/api/quality-report']?.['get'];
    expect(report?.parameters?.map((p) => p.name)).not.toContain('output_file');
    expect(report?.parameters?.map((p) => p.name)).not.toContain('overwrite');
    expect(report?.parameters?.map((p) => p.name)).toContain('product_ids');
    expect(served.info.description).toMatch(/read-only/);
  });
});
