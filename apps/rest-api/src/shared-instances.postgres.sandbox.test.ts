import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEmptyPgDatabase } from '@testio-mcp/persistence/testing';
import { createCaptureLogger } from '@testio-mcp/sync/testing';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, DEFAULT_APP_OPTIONS } from './app.js';
import { parseRestApiSettings } from './config.js';
import { createRestContainer, resolveRestRuntime, type RestContainer } from './container.js';

/**
 * Two REST API instances, each its own container, on one PostgreSQL database (TESTIO_DATABASE_URL) over
 * the sandbox (ADR 0035): a sync started through instance A is followed to its end through instance B,
 * and the two spend one rate budget.
 */

let sandbox: RunningSandbox;
let dir: string;
let database: Awaited<ReturnType<typeof createEmptyPgDatabase>>;
const containers: RestContainer[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 5, scale: 'small' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'rest-api-pg-instances-'));
  database = await createEmptyPgDatabase();
}, 120_000);

afterAll(async () => {
  await Promise.all(containers.map((c) => c.close()));
  await database?.drop();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function instance(rateLimit: number) {
  const settings = parseRestApiSettings({
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DATABASE_URL: database.url,
    TESTIO_DB_PATH: path.join(dir, 'unused.db'),
    TESTIO_EXPORT_DIR: path.join(dir, 'exports'),
    TESTIO_REST_RATE_LIMIT: String(rateLimit),
    LOG_LEVEL: 'error',
  });
  const container = await createRestContainer({
    settings,
    runtime: resolveRestRuntime(settings),
    logger: createCaptureLogger(),
  });
  containers.push(container);
  const app = createApp(container.appDeps({ ...DEFAULT_APP_OPTIONS, rateLimit, rateLimitWindowSeconds: 60 }));
  return { container, app };
}

describe('two REST instances on one PostgreSQL database', () => {
  it('a sync started on A is followed to its end on B', async () => {
    const a = await instance(0);
    const b = await instance(0);
    expect(a.container.database.engine).toBe('postgresql');
    const started = await request(a.app).post('/api/sync').send({}).expect(202);
    const id = started.body.id as string;
    expect((await request(b.app).get(`/api/sync/${id}`).expect(200)).body).toMatchObject({
      id,
      request: { product_ids: null, since: null },
    });
    await a.container.syncJobs.wait(id);
    // B answers exactly what A answers about the finished job: state, progress, the run's outcome.
    const onA = await request(a.app).get(`/api/sync/${id}`).expect(200);
    const onB = await request(b.app).get(`/api/sync/${id}`).expect(200);
    expect(onB.body).toEqual(onA.body);
    expect(onB.body).toMatchObject({ state: 'completed', result: { run_id: expect.any(Number) } });
    expect(onB.body.result.products_synced).toBe(sandbox.truth().products.length);
  }, 180_000);

  it('two instances spend one rate budget', async () => {
    const a = await instance(4);
    const b = await instance(4);
    const statuses: number[] = [];
    for (const app of [a.app, b.app, a.app, b.app, a.app, b.app]) {
      statuses.push((await request(app).get('/api/products')).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
