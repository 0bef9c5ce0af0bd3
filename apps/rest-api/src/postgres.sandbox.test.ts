import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueApiKey } from '@testio-mcp/composition';
import { isDomainError } from '@testio-mcp/domain';
import { createEmptyPgDatabase } from '@testio-mcp/persistence/testing';
import { createCaptureLogger } from '@testio-mcp/sync/testing';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, DEFAULT_APP_OPTIONS } from './app.js';
import { parseRestApiSettings } from './config.js';
import { createRestContainer, resolveRestRuntime, type RestContainer } from './container.js';

/**
 * TESTIO_DATABASE_URL (ADR 0034) on the real app: two REST instances on one fresh PostgreSQL database and
 * one on a SQLite file, all over the same sandbox account. The PostgreSQL instances answer what the SQLite
 * one answers; a key revoked through one instance's admin route stops working on the other; /health names
 * the engine and turns 503 when the database goes away; a bad or unreachable URL stops the start with a
 * three-part error that never shows the password.
 */

const ANCHOR = new Date('2025-06-01T00:00:00Z');
/** How long a revocation may take to reach another instance: NOTIFY, or at worst the 5 s reload. */
const PROPAGATION_BOUND_MS = 6_000;

let sandbox: RunningSandbox;
let dir: string;
let database: { url: string; drop(): Promise<void> };
const containers: RestContainer[] = [];
let clock: { now(): Date };

async function open(env: Record<string, string>): Promise<RestContainer> {
  const settings = parseRestApiSettings({
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
    TESTIO_EXPORT_DIR: path.join(dir, 'exports'),
    ...env,
  });
  const container = await createRestContainer({
    settings,
    runtime: resolveRestRuntime(settings),
    logger: createCaptureLogger(),
    clock,
  });
  containers.push(container);
  return container;
}

const appOf = (container: RestContainer) =>
  createApp(container.appDeps({ ...DEFAULT_APP_OPTIONS, rateLimit: 0 }));

/** Polls `probe` until it returns true or `ms` passed; the time it took. */
async function within(ms: number, probe: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let sqlite: RestContainer;
let first: RestContainer;
let second: RestContainer;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small', anchor: ANCHOR });
  dir = mkdtempSync(path.join(os.tmpdir(), 'rest-api-pg-'));
  const offset = new Date(sandbox.truth().now).getTime() - Date.now();
  clock = { now: () => new Date(Date.now() + offset) };
  database = await createEmptyPgDatabase({ migrated: true });
  sqlite = await open({});
  first = await open({ TESTIO_DATABASE_URL: database.url });
  second = await open({ TESTIO_DATABASE_URL: database.url });
  for (const container of [sqlite, first]) {
    const run = await container.engine.run({ mode: 'force', trigger: 'manual_cli' });
    expect({ status: run.status, errors: run.errors }).toEqual({ status: 'success', errors: [] });
  }
}, 240_000);

afterAll(async () => {
  for (const container of containers) await container.close().catch(() => undefined);
  await database?.drop();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * A response body without what differs between two syncs of the same account (when each ran, timings)
 * and between the engines by design: a search hit's `score` is FTS5's bm25 on SQLite and ts_rank on
 * PostgreSQL (ADR 0030); the hits and their order are the contract.
 */
function comparable(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body), (key, value: unknown) =>
    key === 'query_time_ms' || key === 'data_as_of' || key === 'score' || /synced/.test(key)
      ? undefined
      : value,
  );
}

describe('the REST API on PostgreSQL (TESTIO_DATABASE_URL)', () => {
  it('answers what the same API on the SQLite file answers, from either instance', async () => {
    expect(first.database.engine).toBe('postgresql');
    expect(sqlite.database.engine).toBe('sqlite');
    const truth = sandbox.truth({ perTest: true });
    const product = truth.products[0];
    expect(product).toBeDefined();
    const word = product?.name.split(/\s+/).find((w) => w.length >= 3) ?? 'test';
    const gets = [
      '/api/products',
      `/api/products/${product?.id}/tests`,
      `/api/products/${product?.id}/features`,
      `/api/search?query=${encodeURIComponent(word)}&limit=20`,
      `/api/bugs?test_ids=${truth.tests?.[0]?.id}`,
      `/api/tests/${truth.tests?.[0]?.id}/summary`,
    ];
    const apps = { sqlite: appOf(sqlite), first: appOf(first), second: appOf(second) };
    for (const url of gets) {
      const expected = await request(apps.sqlite).get(url);
      expect(expected.status, `${url}: ${expected.text}`).toBe(200);
      for (const app of [apps.first, apps.second]) {
        const res = await request(app).get(url);
        expect(res.status, url).toBe(200);
        expect(comparable(res.body), url).toEqual(comparable(expected.body));
      }
    }
    const query = {
      dimensions: ['product', 'month'],
      metrics: ['test_count', 'bug_count', 'rejection_rate'],
      filters: { test_statuses: 'all' },
    };
    const expected = await request(apps.sqlite).post('/api/analytics/query').send(query).expect(200);
    const answered = await request(apps.second).post('/api/analytics/query').send(query).expect(200);
    expect(comparable(answered.body)).toEqual(comparable(expected.body));
    expect((expected.body as { data: unknown[] }).data.length).toBeGreaterThan(0);
  });

  it('/health names the engine of each instance, never the URL', async () => {
    const pg = await request(appOf(first)).get('/health');
    expect(pg.status).toBe(200);
    expect(pg.body.database).toEqual({ engine: 'postgresql', reachable: true });
    expect(pg.text).not.toContain(database.url);
    const file = await request(appOf(sqlite)).get('/health');
    expect(file.body.database).toEqual({ engine: 'sqlite', reachable: true });
  });

  it('a key revoked through one instance stops working on the other', async () => {
    // The first admin key, as `testio-mcp keys create` makes it, through the first instance's store.
    const admin = issueApiKey(
      first.database.principals,
      { tenant: 'default', role: 'admin', name: 'ops' },
      clock,
    );
    await first.database.principalsSettled();
    const appA = appOf(first);
    const appB = appOf(second);
    const created = await request(appA)
      .post('/api/admin/keys')
      .set('Authorization', `Bearer ${admin.key}`)
      .send({ tenant: 'default', role: 'viewer', name: 'dashboard' })
      .expect(201);
    const viewer = created.body as { id: string; key: string };
    const asViewer = () => request(appB).get('/api/products').set('Authorization', `Bearer ${viewer.key}`);
    expect(await within(PROPAGATION_BOUND_MS, async () => (await asViewer()).status === 200)).toBe(true);

    await request(appA)
      .delete(`/api/admin/keys/${viewer.id}`)
      .set('Authorization', `Bearer ${admin.key}`)
      .expect(204);
    expect(await within(PROPAGATION_BOUND_MS, async () => (await asViewer()).status === 401)).toBe(true);
    // The admin key itself still works on both.
    await request(appB).get('/api/admin/keys').set('Authorization', `Bearer ${admin.key}`).expect(200);
  });

  it('/health answers 503 on an instance whose database is gone, so a proxy takes it out', async () => {
    const doomed = await createEmptyPgDatabase({ migrated: true });
    const instance = await open({ TESTIO_DATABASE_URL: doomed.url });
    const app = appOf(instance);
    await request(app).get('/health').expect(200);
    await doomed.drop();
    const res = await request(app).get('/health');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      status: 'unhealthy',
      database: { engine: 'postgresql', reachable: false },
    });
    expect(res.body.problems).toEqual(['The PostgreSQL database does not answer queries']);
  });

  it('refuses a URL that is not PostgreSQL, and one it cannot reach, without showing the password', async () => {
    const secret = 'hunter2-s3cret';
    const attempts = [
      `mysql://app:${secret}@127.0.0.1/mirror`,
      // Port 1 on loopback: nothing listens there.
      `postgresql://app:${secret}@127.0.0.1:1/mirror`,
    ];
    for (const url of attempts) {
      const error = await open({ TESTIO_DATABASE_URL: url }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isDomainError(error), url).toBe(true);
      const text = JSON.stringify({ ...(error as object), message: (error as Error).message });
      expect(text).not.toContain(secret);
      expect(text).toContain('TESTIO_DATABASE_URL');
      expect((error as { hint?: string }).hint).toBeTruthy();
      expect((error as { reason?: string }).reason).toBeTruthy();
    }
  });
});
