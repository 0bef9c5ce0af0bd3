import type { AuditQuery, AuditRow, AuditStore } from '../audit.js';
import type { ApiKeyRow, PrincipalStore, TenantRow } from '../principals.js';
import { withPgErrors as mapped } from './errors.js';
import { type PgPool, withTransaction } from './pool.js';

/**
 * The principals (tenants, API keys; ADR 0022) and audit (ADR 0025) rows on PostgreSQL. The SQLite stores
 * are synchronous (better-sqlite3, called on the authenticator's hot path); these are their asynchronous
 * twins, method for method, until the auth layer reads through an async port or an in-memory snapshot
 * (ADR 0029, "Not yet wired"). Not tenant-bound: these tables name tenants by slug.
 */
export type AsyncOf<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

export type PgPrincipalStore = AsyncOf<PrincipalStore>;
export type PgAuditStore = AsyncOf<AuditStore>;

interface KeyRecord {
  id: string;
  key_hash: string;
  tenant: string;
  role: string;
  name: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

interface TenantRecord {
  slug: string;
  customer_id: number;
  base_url: string;
  token_ciphertext: string;
  created_at: Date;
  updated_at: Date;
}

const keyRow = (r: KeyRecord): ApiKeyRow => ({
  id: r.id,
  keyHash: r.key_hash,
  tenant: r.tenant,
  role: r.role,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

const tenantRow = (r: TenantRecord): TenantRow => ({
  slug: r.slug,
  customerId: r.customer_id,
  baseUrl: r.base_url,
  tokenCiphertext: r.token_ciphertext,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function createPgPrincipalStore(pool: PgPool): PgPrincipalStore {
  return {
    insertApiKey: (row) =>
      mapped(async () => {
        await pool.query(
          `INSERT INTO "api_keys" ("id", "key_hash", "tenant", "role", "name", "created_at", "expires_at")
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [row.id, row.keyHash, row.tenant, row.role, row.name, row.createdAt, row.expiresAt],
        );
      }),
    findApiKey: (id) =>
      mapped(async () => {
        const { rows } = await pool.query<KeyRecord>('SELECT * FROM "api_keys" WHERE "id" = $1', [id]);
        return rows[0] ? keyRow(rows[0]) : undefined;
      }),
    listApiKeys: () =>
      mapped(async () =>
        (await pool.query<KeyRecord>('SELECT * FROM "api_keys" ORDER BY "created_at", "id"')).rows.map(
          keyRow,
        ),
      ),
    revokeApiKey: (id, at) =>
      mapped(
        async () =>
          ((
            await pool.query(
              'UPDATE "api_keys" SET "revoked_at" = $1 WHERE "id" = $2 AND "revoked_at" IS NULL',
              [at, id],
            )
          ).rowCount ?? 0) > 0,
      ),
    hasUsableApiKey: (now) =>
      mapped(async () => {
        const { rows } = await pool.query<{ yes: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM "api_keys" WHERE "revoked_at" IS NULL AND ("expires_at" IS NULL OR "expires_at" > $1)) AS "yes"`,
          [now],
        );
        return rows[0]?.yes === true;
      }),
    insertTenant: (row) =>
      mapped(async () => {
        await pool.query(
          `INSERT INTO "tenants" ("slug", "customer_id", "base_url", "token_ciphertext", "created_at", "updated_at")
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [row.slug, row.customerId, row.baseUrl, row.tokenCiphertext, row.createdAt, row.updatedAt],
        );
      }),
    findTenant: (slug) =>
      mapped(async () => {
        const { rows } = await pool.query<TenantRecord>('SELECT * FROM "tenants" WHERE "slug" = $1', [slug]);
        return rows[0] ? tenantRow(rows[0]) : undefined;
      }),
    listTenants: () =>
      mapped(async () =>
        (await pool.query<TenantRecord>('SELECT * FROM "tenants" ORDER BY "slug"')).rows.map(tenantRow),
      ),
    removeTenant: (slug, at) =>
      mapped(() =>
        withTransaction(pool, async (client) => {
          const removed =
            ((await client.query('DELETE FROM "tenants" WHERE "slug" = $1', [slug])).rowCount ?? 0) > 0;
          if (removed) {
            await client.query(
              'UPDATE "api_keys" SET "revoked_at" = $1 WHERE "tenant" = $2 AND "revoked_at" IS NULL',
              [at, slug],
            );
          }
          return removed;
        }),
      ),
    replaceCiphertexts: (rows, at) =>
      mapped(() =>
        withTransaction(pool, async (client) => {
          for (const row of rows) {
            await client.query(
              'UPDATE "tenants" SET "token_ciphertext" = $1, "updated_at" = $2 WHERE "slug" = $3',
              [row.tokenCiphertext, at, row.slug],
            );
          }
        }),
      ),
  };
}

interface AuditRecord {
  at: Date;
  principal: string | null;
  tenant: string;
  surface: 'mcp' | 'rest';
  action: string;
  outcome: string;
  status: number | null;
  duration_ms: number;
}

/** Audit rows on PostgreSQL: a batch is one INSERT (unnest of arrays), so one round trip and one commit. */
export function createPgAuditStore(pool: PgPool): PgAuditStore {
  return {
    insertMany: (rows) =>
      mapped(async () => {
        if (rows.length === 0) return;
        await pool.query(
          `INSERT INTO "audit_log" ("at", "principal", "tenant", "surface", "action", "outcome", "status", "duration_ms")
           SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[])`,
          [
            rows.map((r) => r.at),
            rows.map((r) => r.principal),
            rows.map((r) => r.tenant),
            rows.map((r) => r.surface),
            rows.map((r) => r.action),
            rows.map((r) => r.outcome),
            rows.map((r) => r.status),
            rows.map((r) => Math.max(0, Math.round(r.durationMs))),
          ],
        );
      }),
    list: (query: AuditQuery) =>
      mapped(async () => {
        const { rows } = await pool.query<AuditRecord>(
          `SELECT "at", "principal", "tenant", "surface", "action", "outcome", "status", "duration_ms"
           FROM "audit_log"
           WHERE ($1::text IS NULL OR "tenant" = $1) AND ($2::timestamptz IS NULL OR "at" >= $2)
           ORDER BY "at" DESC, "id" DESC LIMIT $3`,
          [query.tenant ?? null, query.since ?? null, query.limit],
        );
        return rows.map((r): AuditRow => ({
          at: r.at,
          principal: r.principal,
          tenant: r.tenant,
          surface: r.surface,
          action: r.action,
          outcome: r.outcome,
          status: r.status,
          durationMs: r.duration_ms,
        }));
      }),
    prune: (before) =>
      mapped(
        async () => (await pool.query('DELETE FROM "audit_log" WHERE "at" < $1', [before])).rowCount ?? 0,
      ),
  };
}
