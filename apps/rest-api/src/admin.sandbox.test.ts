import { randomBytes } from 'node:crypto';
import { sqliteOf } from '@testio-mcp/composition/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueApiKey } from '@testio-mcp/composition';
import { createAuditStore, createPrincipalStore, type PrincipalStore } from '@testio-mcp/persistence';
import { createCaptureLogger, type CaptureLogger } from '@testio-mcp/sync/testing';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, DEFAULT_APP_OPTIONS } from './app.js';
import { parseRestApiSettings } from './config.js';
import { createRestContainer, resolveRestRuntime, type RestContainer } from './container.js';

/**
 * The REST admin API (issue 14) on the real app over a real mirror file: `default` synced from one
 * sandbox, a second account (another sandbox, another token) added and removed through the API. Only an
 * admin of `default` may use it; a tenant token never comes back in a response, a log line or the audit.
 */

const ANCHOR = new Date('2025-06-01T00:00:00Z');
const BETA_TOKEN = `beta-${randomBytes(12).toString('hex')}`;

let sandboxA: RunningSandbox;
let sandboxB: RunningSandbox;
let dir: string;
let container: RestContainer;
let app: ReturnType<typeof createApp>;
let store: PrincipalStore;
let logger: CaptureLogger;
let clock: { now(): Date };
const keys = { admin: '', operator: '', viewer: '', adminId: '' };
/** Every response body and header seen, to prove the token never comes back. */
const seen: string[] = [];

function send(method: 'get' | 'post' | 'delete', url: string, key: string, body?: object) {
  const req = request(app)[method](url).set('Authorization', `Bearer ${key}`);
  return (body ? req.send(body) : req).then((res) => {
    seen.push(res.text ?? '', JSON.stringify(res.headers));
    return res;
  });
}

beforeAll(async () => {
  sandboxA = await startSandbox({ port: 0, seed: 7, scale: 'small', anchor: ANCHOR });
  sandboxB = await startSandbox({ port: 0, seed: 11, scale: 'small', anchor: ANCHOR, token: BETA_TOKEN });
  dir = mkdtempSync(path.join(os.tmpdir(), 'rest-api-admin-'));
  const settings = parseRestApiSettings({
    TESTIO_CUSTOMER_API_TOKEN: sandboxA.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandboxA.baseUrl,
    TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
    TESTIO_EXPORT_DIR: path.join(dir, 'exports'),
    TESTIO_MASTER_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'debug',
  });
  const offset = new Date(sandboxA.truth().now).getTime() - Date.now();
  clock = { now: () => new Date(Date.now() + offset) };
  logger = createCaptureLogger();
  container = await createRestContainer({ settings, runtime: resolveRestRuntime(settings), logger, clock });
  expect((await container.engine.run({ mode: 'force', trigger: 'manual_cli' })).status).toBe('success');
  store = createPrincipalStore(sqliteOf(container.database));
  for (const role of ['admin', 'operator', 'viewer'] as const) {
    const issued = issueApiKey(store, { tenant: 'default', role, name: role }, clock);
    keys[role] = issued.key;
    if (role === 'admin') keys.adminId = issued.id;
  }
  app = createApp(container.appDeps({ ...DEFAULT_APP_OPTIONS, rateLimit: 0 }));
}, 180_000);

afterAll(async () => {
  await container?.close();
  await sandboxA?.close();
  await sandboxB?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ROUTES: ReadonlyArray<readonly ['get' | 'post' | 'delete', string, object?]> = [
  ['get', '/api/admin/tenants'],
  ['post', '/api/admin/tenants', { slug: 'gamma', token: 'x'.repeat(20), skip_check: true }],
  ['delete', '/api/admin/tenants/gamma'],
  ['get', '/api/admin/keys'],
  ['post', '/api/admin/keys', { tenant: 'default', role: 'admin', name: 'escalation' }],
  ['delete', '/api/admin/keys/000000000000'],
  ['get', '/api/admin/diagnostics'],
];

describe('REST admin API', () => {
  it('refuses viewers and operators every admin route with 403 naming the admin role', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      for (const [method, url, body] of ROUTES) {
        const res = await send(method, url, keys[role], body);
        expect(res.status, `${role} ${method} ${url}`).toBe(403);
        expect(res.body.error.message).toContain('needs the admin role');
        expect(res.body.error.hint).toContain('--role admin');
      }
    }
    await request(app).get('/api/admin/tenants').expect(401);
    // Nothing was done on their behalf.
    expect(store.findTenant('gamma')).toBeUndefined();
    expect(store.listApiKeys().some((k) => k.name === 'escalation')).toBe(false);
  });

  it('adds a tenant with a checked token, stores it sealed, and never shows it', async () => {
    const refused = await send('post', '/api/admin/tenants', keys.admin, {
      slug: 'beta',
      base_url: sandboxB.baseUrl,
      token: `${BETA_TOKEN}-wrong`,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe("The token for tenant 'beta' did not work");
    expect(refused.body.error.reason).toContain('TestIO refused the token');
    expect(refused.body.error.hint).toContain('skip_check');
    expect(store.findTenant('beta')).toBeUndefined();

    const added = await send('post', '/api/admin/tenants', keys.admin, {
      slug: 'beta',
      base_url: sandboxB.baseUrl,
      token: BETA_TOKEN,
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ slug: 'beta', base_url: sandboxB.baseUrl, token: 'encrypted' });
    const row = store.findTenant('beta');
    expect(row?.tokenCiphertext).toBeDefined();
    expect(row?.tokenCiphertext).not.toContain(BETA_TOKEN);

    const again = await send('post', '/api/admin/tenants', keys.admin, {
      slug: 'beta',
      token: BETA_TOKEN,
      skip_check: true,
    });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toBe("Tenant 'beta' exists already");

    const list = await send('get', '/api/admin/tenants', keys.admin);
    expect(list.status).toBe(200);
    expect(list.body.tenants.map((t: { slug: string; token: string }) => [t.slug, t.token])).toEqual([
      ['default', 'TESTIO_CUSTOMER_API_TOKEN'],
      ['beta', 'encrypted'],
    ]);
  });

  it('creates a key once, lists it without its secret, and revokes it at once', async () => {
    const created = await send('post', '/api/admin/keys', keys.admin, {
      tenant: 'beta',
      role: 'viewer',
      name: 'beta reader',
      expires: '90d',
    });
    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { id, key } = created.body as { id: string; key: string };
    expect(key).toMatch(/^tmcp_[0-9a-f]{12}_/);
    expect(created.body).toMatchObject({ tenant: 'beta', role: 'viewer', name: 'beta reader' });

    // The new key reads beta's account, which has no sync yet (default's has one).
    const history = await request(app).get('/api/sync/history').set('X-API-Key', key).expect(200);
    expect(history.body.runs).toEqual([]);

    const listed = await send('get', '/api/admin/keys', keys.admin);
    expect(listed.status).toBe(200);
    expect(listed.body.keys).toContainEqual(
      expect.objectContaining({ id, tenant: 'beta', role: 'viewer', state: 'active' }),
    );
    expect(listed.text).not.toContain(key);
    expect(listed.text).not.toContain(key.split('_')[2]);

    const bad = await send('post', '/api/admin/keys', keys.admin, {
      tenant: 'nope',
      role: 'viewer',
      name: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe("There is no tenant 'nope'");
    const badRole = await send('post', '/api/admin/keys', keys.admin, {
      tenant: 'beta',
      role: 'root',
      name: 'x',
    });
    expect(badRole.status).toBe(422);

    expect((await send('delete', `/api/admin/keys/${id}`, keys.admin)).status).toBe(204);
    await request(app).get('/api/sync/history').set('X-API-Key', key).expect(401);
    const twice = await send('delete', `/api/admin/keys/${id}`, keys.admin);
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toBe(`Key ${id} is already revoked`);
  });

  it("refuses an admin of another tenant: the admin API is the server's own account's", async () => {
    const betaAdmin = issueApiKey(store, { tenant: 'beta', role: 'admin', name: 'beta admin' }, clock).key;
    for (const [method, url, body] of ROUTES) {
      const res = await send(method, url, betaAdmin, body);
      expect(res.status, `${method} ${url}`).toBe(403);
      expect(res.body.error.message).toContain('needs an admin of tenant default');
    }
    expect(store.listApiKeys().some((k) => k.name === 'escalation')).toBe(false);
    // Its own tenant's reads still work.
    await request(app).get('/api/sync/history').set('X-API-Key', betaAdmin).expect(200);
  });

  it('shows every tenant’s mirror counts and last sync', async () => {
    const res = await send('get', '/api/admin/diagnostics', keys.admin);
    expect(res.status).toBe(200);
    type Row = {
      tenant: string;
      database: { product_count: number };
      sync: { last_sync_status: string | null };
    };
    const byTenant: Record<string, Row> = Object.fromEntries(
      (res.body.tenants as Row[]).map((t) => [t.tenant, t]),
    );
    expect(Object.keys(byTenant)).toEqual(['default', 'beta']);
    expect(byTenant['default']?.database.product_count).toBe(sandboxA.truth().products.length);
    expect(byTenant['default']?.sync.last_sync_status).toBe('success');
    // beta was never synced: its own view of the mirror, not default's.
    expect(byTenant['beta']?.sync.last_sync_status).toBeNull();
  });

  it('removes a tenant and its keys; records every admin call in the audit without a secret', async () => {
    const betaViewer = issueApiKey(store, { tenant: 'beta', role: 'viewer', name: 'v' }, clock).key;
    expect((await send('delete', '/api/admin/tenants/beta', keys.admin)).status).toBe(204);
    await request(app).get('/api/sync/history').set('X-API-Key', betaViewer).expect(401);
    const missing = await send('delete', '/api/admin/tenants/beta', keys.admin);
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe("There is no tenant 'beta'");
    const list = await send('get', '/api/admin/tenants', keys.admin);
    expect(list.body.tenants.map((t: { slug: string }) => t.slug)).toEqual(['default']);

    container.audit.flush();
    const rows = createAuditStore(sqliteOf(container.database)).list({ limit: 1000 });
    const mine = rows.filter((r) => r.principal === keys.adminId).map((r) => `${r.action} ${r.status}`);
    expect(mine).toEqual(
      expect.arrayContaining([
        'POST /api/admin/tenants 201',
        'POST /api/admin/tenants 400',
        'GET /api/admin/tenants 200',
        'POST /api/admin/keys 201',
        'DELETE /api/admin/keys/:id 204',
        'GET /api/admin/diagnostics 200',
        'DELETE /api/admin/tenants/:slug 204',
      ]),
    );
    expect(
      rows.filter((r) => r.action.includes('/api/admin/') && r.outcome === 'refused').length,
    ).toBeGreaterThan(10);

    // The token never came back: not in a response, a header, a log line or the audit.
    const everything = [...seen, JSON.stringify(logger.lines), JSON.stringify(rows)].join('\n');
    expect(everything).not.toContain(BETA_TOKEN);
    expect(everything).not.toContain('x'.repeat(20));
  });
});
