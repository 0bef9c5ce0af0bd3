import { ConflictError } from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRow } from '../audit.js';
import { createPgAuditStore, createPgPrincipalStore } from './principals.js';
import { createPgTestDatabase, type PgTestDatabase } from './testing.js';

/** Principals and audit rows on a real PostgreSQL database, with the SQLite stores' semantics. */

let db: PgTestDatabase;
beforeAll(async () => {
  db = await createPgTestDatabase();
});
afterAll(async () => {
  await db.cleanup();
});

const T0 = new Date('2026-12-01T10:00:00.000Z');
const T1 = new Date('2026-12-02T10:00:00.000Z');

describe('PostgreSQL principal store', () => {
  it('keeps keys and tenants, revokes once, and removes a tenant with its keys revoked', async () => {
    const store = createPgPrincipalStore(db.pool);
    expect(await store.hasUsableApiKey(T0)).toBe(false);
    await store.insertTenant({
      slug: 'acme',
      customerId: 42,
      baseUrl: 'https://acme.test.io',
      tokenCiphertext: 'v1:abc',
      createdAt: T0,
      updatedAt: T0,
    });
    await expect(
      store.insertTenant({
        slug: 'acme2',
        customerId: 42,
        baseUrl: 'https://x',
        tokenCiphertext: 'v1:x',
        createdAt: T0,
        updatedAt: T0,
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    await store.insertApiKey({
      id: 'tmcp_a',
      keyHash: 'h1',
      tenant: 'acme',
      role: 'viewer',
      name: 'ci',
      createdAt: T0,
      expiresAt: null,
    });
    await store.insertApiKey({
      id: 'tmcp_b',
      keyHash: 'h2',
      tenant: 'default',
      role: 'admin',
      name: 'ops',
      createdAt: T1,
      expiresAt: T1,
    });
    expect(await store.findApiKey('tmcp_a')).toEqual({
      id: 'tmcp_a',
      keyHash: 'h1',
      tenant: 'acme',
      role: 'viewer',
      name: 'ci',
      createdAt: T0,
      expiresAt: null,
      revokedAt: null,
    });
    expect(await store.findApiKey('nope')).toBeUndefined();
    expect((await store.listApiKeys()).map((k) => k.id)).toEqual(['tmcp_a', 'tmcp_b']);
    expect(await store.hasUsableApiKey(T1)).toBe(true);

    await store.replaceCiphertexts([{ slug: 'acme', tokenCiphertext: 'v2:def' }], T1);
    expect(await store.findTenant('acme')).toMatchObject({
      customerId: 42,
      tokenCiphertext: 'v2:def',
      updatedAt: T1,
    });
    expect(await store.removeTenant('acme', T1)).toBe(true);
    expect(await store.removeTenant('acme', T1)).toBe(false);
    expect(await store.listTenants()).toEqual([]);
    expect((await store.findApiKey('tmcp_a'))?.revokedAt).toEqual(T1);
    expect(await store.revokeApiKey('tmcp_a', T1)).toBe(false);
    expect(await store.revokeApiKey('tmcp_b', T0)).toBe(true);
    expect(await store.hasUsableApiKey(T0)).toBe(false);
  });
});

const row = (at: string, overrides: Partial<AuditRow> = {}): AuditRow => ({
  at: new Date(at),
  principal: 'tmcp_0123456789ab',
  tenant: 'default',
  surface: 'rest',
  action: 'GET /api/products',
  outcome: 'ok',
  status: 200,
  durationMs: 4.6,
  ...overrides,
});

describe('PostgreSQL audit store', () => {
  it('inserts a batch, lists newest first by tenant and time, and prunes by age', async () => {
    const store = createPgAuditStore(db.pool);
    await store.insertMany([]);
    await store.insertMany([
      row('2026-12-01T10:00:00Z'),
      row('2026-12-05T10:00:00Z', { principal: null, tenant: 'acme', surface: 'mcp', status: null }),
      row('2026-12-09T10:00:00Z', { outcome: 'rate_limited', status: 429 }),
    ]);
    expect((await store.list({ limit: 10 })).map((r) => r.at.toISOString())).toEqual([
      '2026-12-09T10:00:00.000Z',
      '2026-12-05T10:00:00.000Z',
      '2026-12-01T10:00:00.000Z',
    ]);
    expect((await store.list({ limit: 1 }))[0]).toEqual(
      row('2026-12-09T10:00:00Z', { outcome: 'rate_limited', status: 429, durationMs: 5 }),
    );
    expect(await store.list({ limit: 10, tenant: 'acme' })).toEqual([
      row('2026-12-05T10:00:00Z', {
        principal: null,
        tenant: 'acme',
        surface: 'mcp',
        status: null,
        durationMs: 5,
      }),
    ]);
    expect(await store.list({ limit: 10, since: new Date('2026-12-05T10:00:00Z') })).toHaveLength(2);
    expect(await store.prune(new Date('2026-12-05T00:00:00Z'))).toBe(1);
    expect(await store.list({ limit: 10 })).toHaveLength(2);
  });
});
