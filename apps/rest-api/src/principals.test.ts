import {
  createAuditTrail,
  createAuthenticator,
  createJwtVerifier,
  createRateLimits,
  rateLimitConfig,
  issueApiKey,
  oauthConfigFrom,
  withOAuth,
} from '@testio-mcp/composition';
import { startTestIssuer, type TestIssuer } from '@testio-mcp/composition/testing';
import type { Logger } from '@testio-mcp/domain';
import { createAuditStore, createPrincipalStore, type PrincipalStore } from '@testio-mcp/persistence';
import { createTestDatabase, type TestDatabase } from '@testio-mcp/persistence/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './__fixtures__/fakes.js';

/**
 * Principals on the REST API (ADR 0022): keys from a real database, each role's allowed and refused
 * requests, and the RFC 9728 challenge and document.
 */

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quiet,
};
let db: TestDatabase;
let store: PrincipalStore;
let now = new Date('2026-12-08T10:00:00Z');
const clock = { now: () => now };
const keys: Record<'viewer' | 'operator' | 'admin' | 'expiring' | 'revoked', string> = {
  viewer: '',
  operator: '',
  admin: '',
  expiring: '',
  revoked: '',
};

beforeAll(() => {
  db = createTestDatabase();
  store = createPrincipalStore(db.sqlite);
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    keys[role] = issueApiKey(store, { tenant: 'default', role, name: role }, clock).key;
  }
  keys.expiring = issueApiKey(
    store,
    { tenant: 'default', role: 'admin', name: 'x', expires: '1h' },
    clock,
  ).key;
  const revoked = issueApiKey(store, { tenant: 'default', role: 'admin', name: 'r' }, clock);
  store.revokeApiKey(revoked.id, now);
  keys.revoked = revoked.key;
});
afterAll(async () => {
  await db.cleanup();
});

function app(basePath = '') {
  const authenticator = createAuthenticator({ staticKeys: [], store, servedTenants: ['default'], clock });
  return buildApp({ basePath }, { authenticator });
}

describe('REST principals', () => {
  it('answers 401 with the RFC 9728 challenge, and serves the metadata document without a key', async () => {
    const { app: served, logger } = app('/team');
    const missing = await request(served)
      .get('/team/api/products')
      .set('Host', 'testio.example.com')
      .expect(401);
    expect(missing.headers['www-authenticate']).toBe(
      'Bearer resource_metadata="http://testio.example.com/team/.well-known/oauth-protected-resource"',
    );
    const doc = await request(served)
      .get('/team/.well-known/oauth-protected-resource')
      .set('Host', 'testio.example.com')
      .expect(200);
    expect(doc.body).toMatchObject({
      resource: 'http://testio.example.com/team/mcp',
      authorization_servers: [],
      bearer_methods_supported: ['header'],
      scopes_supported: expect.arrayContaining(['testio:read']),
    });
    await request(served).get('/team/api/products').set('Authorization', 'Bearer tmcp_nothing').expect(401);
    expect(JSON.stringify(logger.lines)).not.toContain(keys.viewer);
  });

  it('lets a viewer read (GET, the analytics query and its chart) and refuses it a sync with 403', async () => {
    const { app: served } = app();
    await request(served).get('/api/products').set('Authorization', `Bearer ${keys.viewer}`).expect(200);
    const refused = await request(served)
      .post('/api/sync')
      .set('X-API-Key', keys.viewer)
      .send({})
      .expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(refused.body.error.message).toContain('needs the operator role');
    expect(refused.body.error.hint).toContain('--role operator');
    const query = await request(served)
      .post('/api/analytics/query')
      .set('X-API-Key', keys.viewer)
      .send({ metrics: ['bug_count'], dimensions: ['product'] });
    expect(query.status).not.toBe(403);
    expect(query.status).not.toBe(401);
    const chart = await request(served)
      .post('/api/analytics/chart')
      .set('X-API-Key', keys.viewer)
      .send({ metrics: ['bug_count'], dimensions: ['product'], format: 'svg' });
    expect(chart.status).not.toBe(403);
    expect(chart.status).not.toBe(401);
  });

  it('lets an operator and an admin start a sync', async () => {
    const { app: served } = app();
    await request(served).post('/api/sync').set('X-API-Key', keys.operator).send({}).expect(202);
    const { app: other } = app();
    await request(other).post('/api/sync').set('Authorization', `Bearer ${keys.admin}`).send({}).expect(202);
  });

  it('refuses revoked and expired keys, and a key with one character changed', async () => {
    const { app: served } = app();
    const revoked = await request(served).get('/api/products').set('X-API-Key', keys.revoked).expect(401);
    expect(revoked.body.error.message).toContain('revoked');
    await request(served).get('/api/products').set('X-API-Key', keys.expiring).expect(200);
    now = new Date(now.getTime() + 3_600_001);
    const expired = await request(served).get('/api/products').set('X-API-Key', keys.expiring).expect(401);
    expect(expired.body.error.message).toContain('expired');
    const altered = `${keys.viewer.slice(0, -2)}${keys.viewer.endsWith('AA') ? 'BB' : 'AA'}`;
    await request(served).get('/api/products').set('X-API-Key', altered).expect(401);
  });
});

describe('REST with OAuth access tokens (ADR 0025)', () => {
  const AUDIENCE = 'https://testio.example.com/mcp';
  const realClock = { now: () => new Date() };
  let idp: TestIssuer;
  beforeAll(async () => {
    idp = await startTestIssuer(AUDIENCE);
  });
  afterAll(async () => {
    await idp.close();
  });

  function oauthApp() {
    const config = oauthConfigFrom({ TESTIO_OAUTH_ISSUER: idp.issuer, TESTIO_OAUTH_AUDIENCE: AUDIENCE });
    if (!config) throw new Error('OAuth is configured');
    const keysOnly = createAuthenticator({ staticKeys: [], store, servedTenants: ['default'], clock });
    const authenticator = withOAuth(keysOnly, createJwtVerifier(config, { clock: realClock }), ['default']);
    return buildApp({}, { authenticator });
  }

  it('lets a viewer token read and refuses it a sync with 403; an operator token starts one', async () => {
    const { app: served } = oauthApp();
    const viewer = await idp.sign({ testio_tenant: 'default', scope: 'testio:read' });
    await request(served).get('/api/products').set('Authorization', `Bearer ${viewer}`).expect(200);
    const refused = await request(served)
      .post('/api/sync')
      .set('Authorization', `Bearer ${viewer}`)
      .send({})
      .expect(403);
    expect(refused.body.error.message).toContain('oauth:user-1 is a viewer');
    const operator = await idp.sign({ testio_tenant: 'default', testio_role: 'operator' });
    await request(served).post('/api/sync').set('Authorization', `Bearer ${operator}`).send({}).expect(202);
    // API keys keep working beside tokens.
    await request(served).get('/api/products').set('X-API-Key', keys.viewer).expect(200);
  });

  it('refuses bad tokens with 401 and the challenge, and names the issuer in the metadata document', async () => {
    const { app: served, logger } = oauthApp();
    const claims = { testio_tenant: 'default', scope: 'testio:admin' };
    const past = Math.floor(Date.now() / 1000) - 3600;
    for (const token of [
      await idp.sign({ ...claims, exp: past }),
      await idp.sign({ ...claims, nbf: past + 7200 }),
      await idp.sign({ ...claims, aud: 'https://other.example.com' }),
      await idp.sign({ ...claims, iss: 'https://evil.example.com' }),
      await idp.signWithUnpublishedKey(claims),
      idp.unsigned(claims),
      await idp.hmacWithPublicKey(claims),
    ]) {
      const res = await request(served)
        .get('/api/products')
        .set('Authorization', `Bearer ${token}`)
        .expect(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer resource_metadata=/);
      expect(JSON.stringify(logger.lines)).not.toContain(token);
    }
    await request(served).get('/api/products').expect(401);
    const doc = await request(served).get('/.well-known/oauth-protected-resource').expect(200);
    expect(doc.body.authorization_servers).toEqual([idp.issuer]);
  });
});

describe('REST audit trail and per-principal limits (ADR 0025)', () => {
  it('records each API request with the principal id, and limits each principal by its role', async () => {
    const audit = createAuditTrail({
      store: createAuditStore(db.sqlite),
      clock,
      logger: quiet,
      retentionDays: 90,
    });
    const rateLimits = createRateLimits(
      rateLimitConfig(
        { TESTIO_RATE_LIMIT_VIEWER: 2, TESTIO_RATE_LIMIT_OPERATOR: 5 },
        { points: 0, windowSeconds: 60 },
      ),
    );
    const authenticator = createAuthenticator({ staticKeys: [], store, servedTenants: ['default'], clock });
    const { app: served } = buildApp({}, { authenticator, rateLimits, audit });
    await request(served).get('/api/products').set('X-API-Key', keys.viewer).expect(200);
    await request(served).get('/api/products/1').set('X-API-Key', keys.viewer);
    const limited = await request(served).get('/api/products').set('X-API-Key', keys.viewer).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.error.hint).toMatch(/^Retry after \d+ s$/);
    // Another principal has its own budget; /health is not audited.
    await request(served).get('/api/products').set('X-API-Key', keys.operator).expect(200);
    await request(served).get('/health').set('X-API-Key', keys.operator).expect(200);
    await request(served).get('/api/products').expect(401);
    audit.flush();
    const viewerId = keys.viewer.split('_')[1] ?? '';
    const rows = createAuditStore(db.sqlite).list({ limit: 10 }).reverse();
    expect(rows.map((r) => [r.principal, r.surface, r.action, r.outcome, r.status])).toEqual([
      [viewerId, 'rest', 'GET /api/products', 'ok', 200],
      [
        viewerId,
        'rest',
        expect.stringMatching(/^GET \/api\/products\//),
        expect.any(String),
        expect.any(Number),
      ],
      [viewerId, 'rest', 'GET /api/products', 'rate_limited', 429],
      [expect.stringMatching(/^[0-9a-f]{12}$/), 'rest', 'GET /api/products', 'ok', 200],
      [null, 'rest', 'GET /api/products', 'refused', 401],
    ]);
    expect(JSON.stringify(rows)).not.toContain(keys.viewer);
    audit.close();
  });
});
