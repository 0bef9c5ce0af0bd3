import { ConflictError } from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgPrincipalSnapshot, type PgPrincipalSnapshot } from './principal-snapshot.js';
import { createPgTestDatabase, onServer, pgTestServerUrl, type PgTestDatabase } from './testing.js';

/** The in-memory copy of keys and tenants each instance serves from, on a real PostgreSQL database. */

let db: PgTestDatabase;
let here: PgPrincipalSnapshot;
let there: PgPrincipalSnapshot;
beforeAll(async () => {
  db = await createPgTestDatabase();
  // Two instances' copies; no fallback interval, so only NOTIFY and their own writes move them.
  here = await openPgPrincipalSnapshot({ pool: db.pool, refreshIntervalMs: 0 });
  there = await openPgPrincipalSnapshot({ pool: db.pool, refreshIntervalMs: 0 });
});
afterAll(async () => {
  await here.close();
  await there.close();
  await db.cleanup();
});

const T0 = new Date('2026-12-01T10:00:00.000Z');
const T1 = new Date('2026-12-02T10:00:00.000Z');

const tenant = (slug: string, customerId: number) => ({
  slug,
  customerId,
  baseUrl: 'https://api.test.io/customer/v2',
  tokenCiphertext: 'v1:sealed',
  createdAt: T0,
  updatedAt: T0,
});
const key = (id: string, tenantSlug: string) => ({
  id,
  keyHash: `hash-${id}`,
  tenant: tenantSlug,
  role: 'viewer',
  name: id,
  createdAt: T0,
  expiresAt: null,
});

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never saw ${what}`);
}

describe('the PostgreSQL principal copy', () => {
  it('shows its own writes at once, and after settled() as the database has them', async () => {
    here.insertTenant(tenant('acme', 41));
    here.insertApiKey(key('tmcp_one', 'acme'));
    expect(here.findApiKey('tmcp_one')?.revokedAt).toBeNull();
    expect(here.hasUsableApiKey(T1)).toBe(true);
    await here.settled();
    expect(here.findTenant('acme')?.customerId).toBe(41);
    expect(here.listApiKeys().map((row) => row.id)).toContain('tmcp_one');
  });

  it('keeps a revocation through a reload that read the database before the revocation was written', async () => {
    here.insertApiKey(key('tmcp_race', 'acme'));
    await here.settled();
    // The reload is queued first, so it reads the key as not revoked; the revocation made meanwhile must
    // not be undone by it: the key stays refused from the moment revokeApiKey returned.
    const reload = here.refresh();
    expect(here.revokeApiKey('tmcp_race', T1)).toBe(true);
    await reload;
    expect(here.findApiKey('tmcp_race')?.revokedAt).toEqual(T1);
    await here.settled();
    expect(here.findApiKey('tmcp_race')?.revokedAt).toEqual(T1);
    expect(here.revokeApiKey('tmcp_race', T1)).toBe(false);
  });

  it("reaches another instance's copy through NOTIFY", async () => {
    here.insertTenant(tenant('globex', 42));
    here.insertApiKey(key('tmcp_two', 'globex'));
    await here.settled();
    await eventually(() => there.findApiKey('tmcp_two') !== undefined, 'the new key on the other copy');
    expect(there.revokeApiKey('tmcp_two', T1)).toBe(true);
    await there.settled();
    await eventually(() => here.findApiKey('tmcp_two')?.revokedAt !== null, 'the revocation here');
    expect(here.findApiKey('tmcp_two')?.revokedAt).toEqual(T1);
  });

  it('removes a tenant with its keys revoked, and re-seals ciphertexts', async () => {
    expect(here.removeTenant('globex', T1)).toBe(true);
    expect(here.removeTenant('globex', T1)).toBe(false);
    here.replaceCiphertexts([{ slug: 'acme', tokenCiphertext: 'v2:resealed' }], T1);
    await here.settled();
    expect(here.findTenant('globex')).toBeUndefined();
    expect(here.findTenant('acme')).toMatchObject({ tokenCiphertext: 'v2:resealed', updatedAt: T1 });
    expect(here.listTenants().map((row) => row.slug)).toEqual(['acme']);
  });

  it('drops a change the database refused, and settled() says why', async () => {
    // A second tenant on customer 41 breaks the unique customer id: the copy shows it until the write fails.
    here.insertTenant(tenant('acme-again', 41));
    expect(here.findTenant('acme-again')).toBeDefined();
    await expect(here.settled()).rejects.toBeInstanceOf(ConflictError);
    expect(here.findTenant('acme-again')).toBeUndefined();
    // The failure is reported once; the copy serves on.
    await expect(here.settled()).resolves.toBeUndefined();
  });
});

describe('the LISTEN connection', () => {
  it('is handed back to the pool once: dropping the database under the pool after close() raises nothing', async () => {
    const other = await createPgTestDatabase();
    const copy = await openPgPrincipalSnapshot({ pool: other.pool, refreshIntervalMs: 0 });
    await copy.close();
    // The pool still holds the former listener as an idle connection; dropping the database WITH (FORCE)
    // ends it with an error. A handler of ours still on it would release it a second time and throw.
    await onServer(await pgTestServerUrl(), (c) => c.query(`DROP DATABASE "${other.database}" WITH (FORCE)`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await other.cleanup();
  });
});
