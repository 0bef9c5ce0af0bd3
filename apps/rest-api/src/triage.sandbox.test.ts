import { mkdtempSync, rmSync } from 'node:fs';
import { sqliteOf } from '@testio-mcp/composition/testing';
import os from 'node:os';
import path from 'node:path';
import { issueApiKey } from '@testio-mcp/composition';
import { createAuditStore, createPrincipalStore } from '@testio-mcp/persistence';
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
import { readOnlySpec } from './http/read-only.js';

/**
 * The REST twins of the triage tools (ADR 0032) on the real stack: the sandbox over HTTP, a synced
 * SQLite mirror, the app as `testio-mcp api` builds it with TESTIO_ENABLE_WRITES=true and API keys.
 */

const ANCHOR = new Date('2025-06-01T00:00:00Z');
const validator = createSpecValidator(loadOpenApiSpec());

let sandbox: RunningSandbox;
let dir: string;
let container: RestContainer;
let app: ReturnType<typeof createApp>;
let closedApp: ReturnType<typeof createApp>;
const keys = { operator: '', viewer: '' };
let open: number[] = [];

async function upstreamBug(id: number): Promise<{ status: string; known: boolean }> {
  const res = await fetch(`${sandbox.baseUrl}/bugs/${id}`, {
    headers: { Authorization: `Token ${sandbox.token}` },
  });
  return ((await res.json()) as { bug: { status: string; known: boolean } }).bug;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small', anchor: ANCHOR });
  dir = mkdtempSync(path.join(os.tmpdir(), 'rest-triage-'));
  const env = {
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
    TESTIO_REST_RATE_LIMIT: '0',
    TESTIO_RATE_LIMIT_OPERATOR: '0',
    TESTIO_RATE_LIMIT_VIEWER: '0',
    LOG_LEVEL: 'error',
  };
  const settings = parseRestApiSettings({ ...env, TESTIO_ENABLE_WRITES: 'true' });
  container = await createRestContainer({
    settings,
    runtime: resolveRestRuntime(settings),
    logger: createCaptureLogger(),
  });
  const sync = await container.engine.run({ mode: 'force', trigger: 'manual_cli' });
  expect(sync.status).toBe('success');
  const store = createPrincipalStore(sqliteOf(container.database));
  keys.operator = issueApiKey(
    store,
    { tenant: 'default', role: 'operator', name: 'rest op' },
    container.clock,
  ).key;
  keys.viewer = issueApiKey(
    store,
    { tenant: 'default', role: 'viewer', name: 'rest viewer' },
    container.clock,
  ).key;
  app = createApp(container.appDeps(appOptionsFromSettings(settings, '0.1.0')));
  closedApp = createApp(container.appDeps(appOptionsFromSettings(parseRestApiSettings(env), '0.1.0')));
  const truth = sandbox.truth({ perTest: true });
  const tests = (truth.tests ?? []).filter((t) => (t.bugsByStatus['forwarded'] ?? 0) > 0).slice(0, 15);
  const res = await fetch(
    `${sandbox.baseUrl}/bugs?filter_test_cycle_ids=${tests.map((t) => t.id).join(',')}`,
    {
      headers: { Authorization: `Token ${sandbox.token}` },
    },
  );
  open = ((await res.json()) as { bugs: Array<{ id: number; status: string }> }).bugs
    .filter((b) => b.status === 'forwarded')
    .map((b) => b.id);
}, 120_000);

afterAll(async () => {
  await container?.close();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

describe('REST bug triage', () => {
  it('is off unless TESTIO_ENABLE_WRITES, and documented in the OpenAPI document (not in a read-only one)', async () => {
    const bug = open[0];
    const res = await request(closedApp).post(`/api/bugs/${bug}/accept`).set(auth(keys.operator));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('writes_disabled');
    expect(validator.validateComponent('ErrorBody', res.body)).toEqual([]);
    const spec = loadOpenApiSpec() as { paths: Record<string, unknown> };
    for (const route of ['accept', 'reject', 'mark_known', 'mark_fixed'])
      expect(Object.keys(spec.paths)).toContain(`/api/bugs/{bug_id}/${route}`);
    expect(Object.keys(spec.paths)).toContain('/api/bugs/triage');
    const readOnly = readOnlySpec(loadOpenApiSpec()) as { paths: Record<string, unknown> };
    expect(Object.keys(readOnly.paths).filter((p) => /accept|reject|mark_|triage/.test(p))).toEqual([]);
  });

  it('previews with the token header, writes with it, and the mirror and the audit trail show the change', async () => {
    const bug = open[1];
    const preview = await request(app)
      .post(`/api/bugs/${bug}/reject`)
      .set(auth(keys.operator))
      .send({ reason: 'irrelevant' });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({
      status: 'confirmation_required',
      bugs: [{ outcome: 'would_change' }],
    });
    const token = preview.headers['x-confirmation-token'];
    expect(token).toBe(preview.body.confirmation_token);
    expect((await upstreamBug(bug ?? 0)).status).toBe('forwarded');

    const wrong = await request(app)
      .post(`/api/bugs/${open[2]}/reject`)
      .set({ ...auth(keys.operator), 'X-Confirmation-Token': token })
      .send({ reason: 'irrelevant' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/does not match this request/);

    const done = await request(app)
      .post(`/api/bugs/${bug}/reject`)
      .set({ ...auth(keys.operator), 'X-Confirmation-Token': token })
      .send({ reason: 'irrelevant' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({
      status: 'done',
      bugs: [{ outcome: 'applied', after: { status: 'rejected' } }],
    });
    expect((await upstreamBug(bug ?? 0)).status).toBe('rejected');
    const summary = await request(app).get(`/api/bugs/${bug}/summary`).set(auth(keys.operator)).expect(200);
    expect(summary.body).toMatchObject({ status: 'rejected', rejection_reason: 'irrelevant' });

    const again = await request(app)
      .post(`/api/bugs/${bug}/reject`)
      .set(auth(keys.operator))
      .send({ reason: 'irrelevant' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already rejected/);

    container.audit.flush();
    const rows = createAuditStore(sqliteOf(container.database)).list({ limit: 50 });
    expect(rows).toContainEqual(
      expect.objectContaining({
        surface: 'rest',
        action: `POST /api/bugs reject bug ${bug}: forwarded → rejected`,
        outcome: 'ok',
        status: 200,
      }),
    );
  });

  it('refuses a viewer, and triages several bugs with one confirmation', async () => {
    const viewer = await request(app).post(`/api/bugs/${open[3]}/accept`).set(auth(keys.viewer));
    expect(viewer.status).toBe(403);
    const ids = [open[3], open[4]];
    const preview = await request(app)
      .post('/api/bugs/triage')
      .set(auth(keys.operator))
      .send({ action: 'mark_known', bug_ids: ids });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const done = await request(app)
      .post('/api/bugs/triage')
      .set({ ...auth(keys.operator), 'X-Confirmation-Token': preview.headers['x-confirmation-token'] })
      .send({ action: 'mark_known', bug_ids: ids });
    expect(done.body.bugs.map((b: { outcome: string }) => b.outcome)).toEqual(['applied', 'applied']);
    for (const id of ids) expect((await upstreamBug(id ?? 0)).known).toBe(true);
  });
});
