import { randomBytes } from 'node:crypto';
import { sqliteOf } from '@testio-mcp/composition/testing';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  addTenant,
  createAuthenticator,
  createCustomerTokens,
  customerTokenSlug,
  issueApiKey,
  openTenantMirror,
  storedTenants,
} from '@testio-mcp/composition';
import { createPrincipalStore, type PrincipalStore } from '@testio-mcp/persistence';
import { createCaptureLogger } from '@testio-mcp/sync/testing';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, DEFAULT_APP_OPTIONS, loadOpenApiSpec } from './app.js';
import { parseRestApiSettings } from './config.js';
import { createRestContainer, resolveRestRuntime, type RestContainer } from './container.js';

/**
 * Two tenants behind one REST API (ADR 0024): `default` synced from a sandbox with seed 7, the stored
 * tenant `beta` from one with seed 11, into one mirror. With each tenant's key, every documented
 * endpoint answers from that tenant's data only, and an id of the other tenant answers exactly like an
 * id that does not exist (same status, same body but for the id and the request id).
 */

const ANCHOR = new Date('2025-06-01T00:00:00Z');
const MASTER_KEY = randomBytes(32);
const MISSING_ID = 987_654_321;
const openapi = loadOpenApiSpec() as {
  paths: Record<
    string,
    Record<string, { parameters?: Array<{ name: string; in: string; required?: boolean }> }>
  >;
};

interface TenantData {
  key: string;
  productNames: Set<string>;
  ids: Record<'product' | 'test' | 'bug' | 'feature' | 'user', number[]>;
}

let sandboxA: RunningSandbox;
let sandboxB: RunningSandbox;
let dir: string;
let container: RestContainer;
let app: ReturnType<typeof createApp>;
let store: PrincipalStore;
let clock: { now(): Date };
const tenants = {} as Record<'a' | 'b', TenantData>;

function idsOf(customerId: number): TenantData['ids'] {
  const column = (table: string): number[] =>
    (
      sqliteOf(container.database)
        .prepare(`SELECT id FROM ${table} WHERE customer_id = ? ORDER BY id`)
        .all(customerId) as Array<{ id: number }>
    ).map((r) => r.id);
  return {
    product: column('products'),
    test: column('tests'),
    bug: column('bugs'),
    feature: column('features'),
    user: column('users'),
  };
}

beforeAll(async () => {
  sandboxA = await startSandbox({ port: 0, seed: 7, scale: 'small', anchor: ANCHOR });
  sandboxB = await startSandbox({
    port: 0,
    seed: 11,
    scale: 'small',
    anchor: ANCHOR,
    token: 'beta-token-0123456789',
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'rest-api-tenants-'));
  const env = {
    TESTIO_CUSTOMER_API_TOKEN: sandboxA.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandboxA.baseUrl,
    TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
    TESTIO_EXPORT_DIR: path.join(dir, 'exports'),
    TESTIO_MASTER_KEY: MASTER_KEY.toString('hex'),
    TESTIO_ACCEPT_CUSTOMER_TOKENS: 'true',
    LOG_LEVEL: 'error',
  };
  const settings = parseRestApiSettings(env);
  const offset = new Date(sandboxA.truth().now).getTime() - Date.now();
  clock = { now: () => new Date(Date.now() + offset) };
  const logger = createCaptureLogger();
  container = await createRestContainer({ settings, runtime: resolveRestRuntime(settings), logger, clock });
  expect((await container.engine.run({ mode: 'force', trigger: 'manual_cli' })).status).toBe('success');

  store = createPrincipalStore(sqliteOf(container.database));
  const beta = addTenant(
    store,
    { slug: 'beta', token: sandboxB.token, baseUrl: sandboxB.baseUrl },
    MASTER_KEY,
    clock,
    [container.runtime.customerId],
  );
  const row = store.findTenant('beta');
  if (!row) throw new Error('tenant beta was not stored');
  const mirrorB = openTenantMirror({
    settings,
    base: container.runtime,
    tenant: row,
    masterKey: MASTER_KEY,
    database: container.database,
    logger,
    role: 'rest-tenants-test',
    clock,
  });
  try {
    expect((await mirrorB.engine.run({ mode: 'force', trigger: 'manual_cli' })).status).toBe('success');
  } finally {
    mirrorB.close();
  }
  const key = (tenant: string) => issueApiKey(store, { tenant, role: 'admin', name: tenant }, clock).key;
  tenants.a = {
    key: key('default'),
    productNames: new Set(sandboxA.truth().products.map((p) => p.name)),
    ids: idsOf(container.runtime.customerId),
  };
  tenants.b = {
    key: key('beta'),
    productNames: new Set(sandboxB.truth().products.map((p) => p.name)),
    ids: idsOf(beta.customer_id),
  };
  app = createApp(container.appDeps({ ...DEFAULT_APP_OPTIONS, rateLimit: 0 }));
}, 180_000);

afterAll(async () => {
  await container?.close();
  await sandboxA?.close();
  await sandboxB?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The path parameters that name one entity of the tenant, and the query parameters some GETs require. */
const PATH_IDS = {
  product_id: 'product',
  test_id: 'test',
  bug_id: 'bug',
  feature_id: 'feature',
  user_id: 'user',
} as const;

function urlFor(template: string, own: TenantData, overrides: Record<string, number> = {}): string {
  const value = (name: string): number => {
    const kind = PATH_IDS[name as keyof typeof PATH_IDS];
    if (!kind) throw new Error(`no sample value for ${template}'s parameter ${name}`);
    return overrides[name] ?? (own.ids[kind][0] as number);
  };
  const pathPart = template.replace(/\{(\w+)\}/g, (_m, name: string) => String(value(name)));
  const required = (openapi.paths[template]?.['get']?.parameters ?? []).filter(
    (p) => p.in === 'query' && p.required,
  );
  const query = required.map((p) => {
    if (p.name === 'query')
      return `query=${encodeURIComponent([...own.productNames][0]?.split(/\s+/)[0] ?? 'test')}`;
    if (p.name === 'test_ids') return `test_ids=${own.ids.test[0]}`;
    return `${p.name}=${value(p.name)}`;
  });
  return query.length ? `${pathPart}?${query.join('&')}` : pathPart;
}

/** Every documented GET of the data (the job lookup is checked on its own below; the admin API in admin.sandbox.test.ts). */
const GETS = Object.entries(openapi.paths)
  .filter(
    ([template, ops]) => ops['get'] && template !== '/api/sync/{id}' && !template.startsWith('/api/admin/'),
  )
  .map(([template]) => template);

const without = (body: unknown, id: number) =>
  JSON.stringify(body)
    .replaceAll(String(id), '<id>')
    .replace(/"request_id":"[^"]*"/, '"request_id":"-"');

describe.each([
  ['default', 'a', 'b'],
  ['beta', 'b', 'a'],
] as const)('REST with a key of tenant %s', (_slug, own, other) => {
  const get = (url: string) => request(app).get(url).set('Authorization', `Bearer ${tenants[own].key}`);

  it('GET /api/products lists exactly its own products', async () => {
    const res = await get('/api/products?per_page=100').expect(200);
    const ids = (res.body as { products: Array<{ id: number }> }).products.map((p) => p.id);
    expect(ids.sort((x, y) => x - y)).toEqual(tenants[own].ids.product);
  });

  it("every documented GET answers 200, never with a name only the other tenant's products have", async () => {
    expect(GETS.length).toBeGreaterThan(15);
    const foreignNames = [...tenants[other].productNames].filter((n) => !tenants[own].productNames.has(n));
    expect(foreignNames.length).toBeGreaterThan(0);
    for (const template of GETS) {
      const res = await get(urlFor(template, tenants[own]));
      const text = JSON.stringify(res.body);
      expect(res.status, `${template}: ${text.slice(0, 300)}`).toBe(200);
      for (const name of foreignNames) expect(text, `${template} leaked '${name}'`).not.toContain(name);
    }
    for (const route of ['/api/analytics/query', '/api/analytics/chart']) {
      const res = await request(app)
        .post(route)
        .set('Authorization', `Bearer ${tenants[own].key}`)
        .send({
          metrics: ['test_count'],
          dimensions: ['product'],
          ...(route.endsWith('chart') ? { format: 'svg' } : {}),
        });
      expect(res.status, route).toBe(200);
      const text =
        typeof res.body === 'object' && Object.keys(res.body).length ? JSON.stringify(res.body) : res.text;
      for (const name of foreignNames) expect(text, `${route} leaked '${name}'`).not.toContain(name);
    }
  }, 120_000);

  it("every id in a path answers for the other tenant's id exactly as for an id that does not exist", async () => {
    let compared = 0;
    for (const template of GETS) {
      for (const [name, kind] of Object.entries(PATH_IDS)) {
        if (!template.includes(`{${name}}`) && !(name === 'product_id' && template === '/api/tests'))
          continue;
        const mine = new Set(tenants[own].ids[kind]);
        const foreign = tenants[other].ids[kind].filter((id) => !mine.has(id)).slice(0, 2);
        expect(foreign.length, `no ${kind} id only the other tenant has`).toBeGreaterThan(0);
        const missing = await get(urlFor(template, tenants[own], { [name]: MISSING_ID }));
        expect(missing.status, template).toBe(404);
        for (const id of foreign) {
          const res = await get(urlFor(template, tenants[own], { [name]: id }));
          expect(res.status, `${template} ${name}=${id}`).toBe(404);
          expect(without(res.body, id)).toEqual(without(missing.body, MISSING_ID));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(8);
  }, 120_000);
});

describe('sync jobs per tenant', () => {
  it("POST /api/sync runs the caller's tenant's sync, and its job is not found with the other tenant's key", async () => {
    const started = await request(app)
      .post('/api/sync')
      .set('Authorization', `Bearer ${tenants.b.key}`)
      .send({ product_ids: [tenants.b.ids.product[0]] })
      .expect(202);
    const job = started.body as { id: string; href: string };
    await request(app).get(job.href).set('Authorization', `Bearer ${tenants.a.key}`).expect(404);
    // The job runs in beta's job list; waiting on it there, then reading it with beta's key.
    await container.syncJobs.forTenant('beta', container.tenants.forTenant('beta')).wait(job.id);
    const body = (
      await request(app).get(job.href).set('Authorization', `Bearer ${tenants.b.key}`).expect(200)
    ).body as { state: string; result?: { status: string } };
    expect(body.state).toBe('completed');
    expect(body.result?.status).toBe('success');
    const history = await request(app)
      .get('/api/sync/history')
      .set('Authorization', `Bearer ${tenants.a.key}`)
      .expect(200);
    expect(JSON.stringify(history.body)).not.toContain('"trigger":"rest"');
  }, 120_000);
});

describe('TestIO customer tokens as bearers (TESTIO_ACCEPT_CUSTOMER_TOKENS)', () => {
  it('a token TestIO accepts is operator of its own new tenant, checked once, sealed; a refused one is 401', async () => {
    // The customer tokens of sandbox B's API, checked over HTTP by the real validator.
    const customerTokens = createCustomerTokens({
      store,
      masterKey: MASTER_KEY,
      baseUrl: sandboxB.baseUrl,
      defaultToken: sandboxA.token,
      reservedCustomerIds: [container.runtime.customerId],
      clock,
    });
    const authenticator = createAuthenticator({
      staticKeys: [],
      store,
      servedTenants: storedTenants(store, { hasMasterKey: true }),
      clock,
      customerTokens,
    });
    const served = createApp({
      ...container.appDeps({ ...DEFAULT_APP_OPTIONS, rateLimit: 0 }),
      authenticator,
    });
    const asB = (req: request.Test) => req.set('Authorization', `Bearer ${sandboxB.token}`);
    sandboxB.resetRequestLog();

    // First use: the tenant exists, and its empty mirror is read through from its own API at once.
    const first = await asB(request(served).get('/api/products?per_page=100')).expect(200);
    const bIds = sandboxB
      .truth()
      .products.map((p) => p.id)
      .sort((x, y) => x - y);
    const idsIn = (body: unknown) =>
      (body as { products: Array<{ id: number }> }).products.map((p) => p.id).sort((x, y) => x - y);
    expect(idsIn(first.body)).toEqual(bIds);
    const slug = customerTokenSlug(sandboxB.token);
    expect(store.findTenant(slug)).toBeDefined();
    // An operator: it may sync its tenant.
    const job = (await asB(request(served).post('/api/sync')).send({}).expect(202)).body as { id: string };
    await container.syncJobs.forTenant(slug, container.tenants.forTenant(slug)).wait(job.id);
    expect(idsIn((await asB(request(served).get('/api/products?per_page=100')).expect(200)).body)).toEqual(
      bIds,
    );
    // The validation is remembered: requests that need nothing from TestIO ask TestIO nothing.
    const before = sandboxB.requestLog().length;
    await asB(request(served).get('/api/thresholds')).expect(200);
    await asB(request(served).get('/api/sync/history')).expect(200);
    expect(sandboxB.requestLog()).toHaveLength(before);

    // A refused token: 401 with the challenge; nothing created.
    const tenantsBefore = store.listTenants().length;
    const refused = await request(served)
      .get('/api/products')
      .set('Authorization', 'Bearer not-a-testio-token-0123456789')
      .expect(401);
    expect(refused.headers['www-authenticate']).toContain('resource_metadata=');
    expect(store.listTenants()).toHaveLength(tenantsBefore);
    // The token is sealed: not in the database file.
    sqliteOf(container.database).pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(path.join(dir, 'mirror.db')).includes(Buffer.from(sandboxB.token))).toBe(false);
  }, 120_000);
});
