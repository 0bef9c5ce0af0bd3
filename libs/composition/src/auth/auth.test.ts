import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createPrincipalStore, openSqlite, type PrincipalStore } from '@testio-mcp/persistence';
import { createTestDatabase, type TestDatabase } from '@testio-mcp/persistence/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueApiKey } from './api-keys.js';
import { createAuthenticator, credentialFromHeaders } from './authenticator.js';
import { loadMasterKey } from './master-key.js';
import { roleForRequest, roleForTool } from './policy.js';
import { storedTenants } from './served-tenants.js';
import { addTenant, assertMasterKeyForTenants, listTenants, rekeyTenants, tenantToken } from './tenants.js';

const STATIC_KEY = 'static-key-0123456789abcdef';
const TOKEN = 'tenant-token-ZX81-do-not-leak-4711';

let db: TestDatabase;
let store: PrincipalStore;
let now = new Date('2026-12-08T10:00:00Z');
const clock = { now: () => now };

beforeEach(() => {
  now = new Date('2026-12-08T10:00:00Z');
  db = createTestDatabase();
  store = createPrincipalStore(db.sqlite);
});
afterEach(async () => {
  await db.cleanup();
});

/** The three-part text a refusal shows a person. */
function userText(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { toUserText(): string }).toUserText();
  }
  throw new Error('expected a refusal');
}

const authenticator = (staticKeys: string[] = []) =>
  createAuthenticator({ staticKeys, store, servedTenants: ['default'], clock });

describe('API keys', () => {
  it('stores only a hash: the key printed once is nowhere in the database file', () => {
    const issued = issueApiKey(store, { tenant: 'default', role: 'viewer', name: 'ci' }, clock);
    expect(issued.key).toMatch(/^tmcp_[0-9a-f]{12}_/);
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = readFileSync(db.path).toString('latin1');
    expect(bytes).toContain(issued.id);
    expect(bytes).not.toContain(issued.key.slice(`tmcp_${issued.id}_`.length));
  });

  it('authenticates a key as its tenant and role, and refuses expired, revoked, altered and unknown ones', () => {
    const auth = authenticator();
    const viewer = issueApiKey(store, { tenant: 'default', role: 'viewer', name: 'a', expires: '1d' }, clock);
    expect(auth.authenticate(viewer.key)).toEqual({
      kind: 'principal',
      principal: { id: viewer.id, tenant: 'default', role: 'viewer' },
    });
    const altered = `${viewer.key.slice(0, -1)}${viewer.key.endsWith('A') ? 'B' : 'A'}`;
    expect(auth.authenticate(altered)).toMatchObject({ kind: 'refused', status: 401 });
    expect(auth.authenticate('tmcp_000000000000_nope')).toMatchObject({ kind: 'refused', status: 401 });
    now = new Date(now.getTime() + 86_400_001);
    expect(auth.authenticate(viewer.key)).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/expired/),
    });
    const op = issueApiKey(store, { tenant: 'default', role: 'operator', name: 'b' }, clock);
    expect(store.revokeApiKey(op.id, now)).toBe(true);
    expect(auth.authenticate(op.key)).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/revoked/),
    });
  });

  it('is open with no source, required as soon as a key exists, and TESTIO_API_KEYS acts as admin of default', () => {
    const auth = authenticator();
    expect(auth.authenticate(undefined)).toEqual({ kind: 'open' });
    expect(auth.authenticate('anything-at-all-here')).toMatchObject({ kind: 'refused', status: 401 });
    issueApiKey(store, { tenant: 'default', role: 'viewer', name: 'a' }, clock);
    expect(auth.authenticate(undefined)).toMatchObject({ kind: 'refused', status: 401 });
    const withStatic = authenticator([STATIC_KEY]);
    expect(withStatic.authenticate(STATIC_KEY)).toMatchObject({
      kind: 'principal',
      principal: { tenant: 'default', role: 'admin', id: expect.stringMatching(/^env:[0-9a-f]{12}$/) },
    });
  });

  it('locks at once when another process creates a key, and opens again when it is revoked or expires', () => {
    const auth = authenticator();
    expect(auth.authenticate(undefined)).toEqual({ kind: 'open' });
    expect(auth.authenticate(undefined)).toEqual({ kind: 'open' });
    // `testio-mcp keys create` and `keys revoke` run in another process: their own connection.
    const cli = openSqlite(db.path);
    try {
      const cliStore = createPrincipalStore(cli);
      const issued = issueApiKey(
        cliStore,
        { tenant: 'default', role: 'viewer', name: 'a', expires: '1d' },
        clock,
      );
      expect(auth.authenticate(undefined)).toMatchObject({ kind: 'refused', status: 401 });
      expect(auth.authenticate(undefined)).toMatchObject({ kind: 'refused', status: 401 });
      now = new Date(now.getTime() + 86_400_001);
      expect(auth.authenticate(undefined)).toEqual({ kind: 'open' });
      now = new Date('2026-12-08T10:00:00Z');
      expect(auth.authenticate(undefined)).toMatchObject({ kind: 'refused', status: 401 });
      expect(cliStore.revokeApiKey(issued.id, now)).toBe(true);
      expect(auth.authenticate(undefined)).toEqual({ kind: 'open' });
    } finally {
      cli.close();
    }
  });

  it('keeps requiring keys when the database goes away, and answers 503 for a key it cannot check', () => {
    const issued = issueApiKey(store, { tenant: 'default', role: 'viewer', name: 'a' }, clock);
    const auth = authenticator();
    db.sqlite.close();
    expect(auth.configured()).toBe(true);
    expect(auth.authenticate(undefined)).toMatchObject({ kind: 'refused', status: 401 });
    expect(auth.authenticate(issued.key)).toMatchObject({ kind: 'refused', status: 503 });
  });

  it('refuses a key of a tenant this server does not serve with 403', () => {
    const key = randomBytes(32).toString('hex');
    addTenant(store, { slug: 'acme', token: TOKEN }, Buffer.from(key, 'hex'), clock);
    const issued = issueApiKey(store, { tenant: 'acme', role: 'admin', name: 'x' }, clock);
    expect(authenticator().authenticate(issued.key)).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('serves every stored tenant, and refuses a removed one or one it cannot decrypt (ADR 0024)', () => {
    const masterKey = randomBytes(32);
    addTenant(store, { slug: 'acme', token: TOKEN }, masterKey, clock);
    const issued = issueApiKey(store, { tenant: 'acme', role: 'viewer', name: 'x' }, clock);
    const serving = (hasMasterKey: boolean) =>
      createAuthenticator({
        staticKeys: [],
        store,
        servedTenants: storedTenants(store, { hasMasterKey }),
        clock,
      });
    expect(serving(true).authenticate(issued.key)).toMatchObject({
      kind: 'principal',
      principal: { tenant: 'acme', role: 'viewer' },
    });
    expect(serving(false).authenticate(issued.key)).toMatchObject({
      kind: 'refused',
      status: 503,
      hint: expect.stringContaining('TESTIO_MASTER_KEY'),
    });
    store.removeTenant('acme', now);
    db.sqlite.prepare('UPDATE api_keys SET revoked_at = NULL').run();
    expect(serving(true).authenticate(issued.key)).toMatchObject({
      kind: 'refused',
      status: 403,
      message: expect.stringContaining("tenant 'acme', which does not exist"),
    });
  });

  it('refuses unknown roles, tenants and expiry forms with the three-part error', () => {
    expect(userText(() => issueApiKey(store, { tenant: 'default', role: 'root', name: 'a' }, clock))).toMatch(
      /viewer, operator, admin/,
    );
    expect(() => issueApiKey(store, { tenant: 'nope', role: 'viewer', name: 'a' }, clock)).toThrow(
      /no tenant 'nope'/,
    );
    expect(() =>
      issueApiKey(store, { tenant: 'default', role: 'viewer', name: 'a', expires: 'soon' }, clock),
    ).toThrow(/--expires/);
    expect(() => issueApiKey(store, { tenant: 'Not A Slug', role: 'viewer', name: 'a' }, clock)).toThrow(
      expect.objectContaining({ reason: 'Tenant slugs are lower-case letters, digits and dashes' }),
    );
    expect(() => issueApiKey(store, { tenant: 'default', role: 'viewer', name: '  ' }, clock)).toThrow(
      /name of 1 to 200 characters/,
    );
    // Hours and minutes as well as days; the unit's case does not matter.
    const hourly = issueApiKey(
      store,
      { tenant: 'default', role: 'viewer', name: 'h', expires: '12H' },
      clock,
    );
    expect(hourly.expires_at).toBe(new Date(clock.now().getTime() + 12 * 3_600_000).toISOString());
  });

  it('reads the credential from Authorization: Bearer or X-API-Key', () => {
    expect(credentialFromHeaders('Bearer abc')).toBe('abc');
    expect(credentialFromHeaders('Basic abc')).toBeUndefined();
    expect(credentialFromHeaders(undefined, 'xyz')).toBe('xyz');
  });
});

describe('roles', () => {
  it('gives sync to operators, reads to viewers and unknown writes to admins', () => {
    expect(roleForTool('sync_data')).toBe('operator');
    expect(roleForTool('list_products')).toBe('viewer');
    expect(roleForRequest('GET', '/api/products')).toBe('viewer');
    expect(roleForRequest('POST', '/api/analytics/query')).toBe('viewer');
    expect(roleForRequest('POST', '/api/analytics/chart')).toBe('viewer');
    expect(roleForRequest('POST', '/api/sync')).toBe('operator');
    expect(roleForRequest('POST', '/api/admin/tenants')).toBe('admin');
    expect(roleForRequest('DELETE', '/api/products/1')).toBe('admin');
    // The admin API is admin-only for reads too.
    expect(roleForRequest('GET', '/api/admin/tenants')).toBe('admin');
    expect(roleForRequest('HEAD', '/api/admin/keys')).toBe('admin');
    expect(roleForRequest('GET', '/API/Admin/diagnostics/')).toBe('admin');
    expect(roleForRequest('GET', '/api/administrators')).toBe('viewer');
  });
});

describe('tenants', () => {
  const hexKey = randomBytes(32).toString('hex');
  const key = Buffer.from(hexKey, 'hex');

  it('keeps the token encrypted: never in the database file, never in a listing, back only with the key', () => {
    addTenant(store, { slug: 'acme', token: TOKEN, customerId: 42 }, key, clock);
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(db.path).toString('latin1')).not.toContain(TOKEN);
    expect(JSON.stringify(listTenants(store))).not.toContain(TOKEN);
    expect(listTenants(store)).toEqual([
      expect.objectContaining({ slug: 'acme', customer_id: 42, base_url: 'https://api.test.io/customer/v2' }),
    ]);
    expect(tenantToken(store, 'acme', key)).toBe(TOKEN);
    expect(() => tenantToken(store, 'acme', randomBytes(32))).toThrow(/does not decrypt/);
  });

  it('re-encrypts every token under a new key, and the old key no longer opens them', () => {
    addTenant(store, { slug: 'acme', token: TOKEN }, key, clock);
    addTenant(store, { slug: 'beta', token: `${TOKEN}-b` }, key, clock);
    const next = randomBytes(32);
    expect(rekeyTenants(store, key, next, clock)).toBe(2);
    expect(tenantToken(store, 'beta', next)).toBe(`${TOKEN}-b`);
    expect(() => tenantToken(store, 'acme', key)).toThrow(/does not decrypt/);
  });

  it('refuses to serve stored tenants without a master key, and reads the key as hex, base64 or a file', () => {
    addTenant(store, { slug: 'acme', token: TOKEN }, key, clock);
    expect(() => assertMasterKeyForTenants(store, undefined)).toThrow(/holds 1 tenant .*no master key/);
    expect(loadMasterKey({ TESTIO_MASTER_KEY: hexKey })).toEqual(key);
    expect(loadMasterKey({ TESTIO_MASTER_KEY: key.toString('base64') })).toEqual(key);
    expect(loadMasterKey({ TESTIO_MASTER_KEY_FILE: '/k' }, () => `${hexKey}\n`)).toEqual(key);
    expect(() => loadMasterKey({ TESTIO_MASTER_KEY: 'short' })).toThrow(/not a 256-bit key/);
    expect(loadMasterKey({})).toBeUndefined();
  });

  it('reads the master key from a real file, and says what is wrong with a missing file or two sources', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'testio-master-key-'));
    try {
      const file = path.join(dir, 'master.key');
      writeFileSync(file, `${key.toString('base64url')}\n`, { mode: 0o600 });
      expect(loadMasterKey({ TESTIO_MASTER_KEY_FILE: file })).toEqual(key);
      const missing = path.join(dir, 'absent.key');
      expect(() => loadMasterKey({ TESTIO_MASTER_KEY_FILE: missing })).toThrow(
        expect.objectContaining({
          message: `Cannot read the master key file ${missing}`,
          reason: 'ENOENT',
          hint: 'Check the path and that this user may read it',
        }),
      );
      writeFileSync(file, 'not a key');
      expect(() => loadMasterKey({ TESTIO_MASTER_KEY_FILE: file })).toThrow(
        /TESTIO_MASTER_KEY_FILE is not a 256-bit key/,
      );
      expect(() => loadMasterKey({ TESTIO_MASTER_KEY: hexKey, TESTIO_MASTER_KEY_FILE: file })).toThrow(
        /both set/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses `default`, malformed slugs, duplicates and a customer id in use', () => {
    expect(() => addTenant(store, { slug: 'default', token: TOKEN }, key, clock)).toThrow(
      /cannot name a tenant/,
    );
    expect(() => addTenant(store, { slug: 'Bad Slug', token: TOKEN }, key, clock)).toThrow(
      /cannot name a tenant/,
    );
    addTenant(store, { slug: 'acme', token: TOKEN, customerId: 7 }, key, clock);
    expect(() => addTenant(store, { slug: 'acme', token: TOKEN }, key, clock)).toThrow(/exists already/);
    expect(() => addTenant(store, { slug: 'beta', token: TOKEN, customerId: 7 }, key, clock)).toThrow(
      /in use/,
    );
  });
});
