import { fromDbTime, toDbTime, dbTime } from './time.js';
import { changeStamp, type Sqlite } from './sqlite.js';

/**
 * The rows behind principals and tenants (migration 20261208000100_principals, ADR 0022). This module
 * stores and reads what it is given: hashing keys and encrypting tokens happen above it, so a secret in
 * clear never reaches a statement here.
 */

export interface ApiKeyRow {
  readonly id: string;
  readonly keyHash: string;
  readonly tenant: string;
  readonly role: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface TenantRow {
  readonly slug: string;
  readonly customerId: number;
  readonly baseUrl: string;
  readonly tokenCiphertext: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface PrincipalStore {
  insertApiKey(row: Omit<ApiKeyRow, 'revokedAt'>): void;
  findApiKey(id: string): ApiKeyRow | undefined;
  listApiKeys(): ApiKeyRow[];
  /** Sets revoked_at once; false when no such key or already revoked. */
  revokeApiKey(id: string, at: Date): boolean;
  /** Whether any key that is neither revoked nor expired at `now` exists. */
  hasUsableApiKey(now: Date): boolean;
  insertTenant(row: TenantRow): void;
  findTenant(slug: string): TenantRow | undefined;
  listTenants(): TenantRow[];
  /** Removes the tenant and revokes its keys in one transaction; false when no such tenant. */
  removeTenant(slug: string, at: Date): boolean;
  /** Replaces every tenant's ciphertext in one transaction (re-encryption under a new master key). */
  replaceCiphertexts(rows: ReadonlyArray<{ slug: string; tokenCiphertext: string }>, at: Date): void;
}

interface RawKey {
  id: string;
  key_hash: string;
  tenant: string;
  role: string;
  name: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

interface RawTenant {
  slug: string;
  customer_id: number;
  base_url: string;
  token_ciphertext: string;
  created_at: string;
  updated_at: string;
}

const keyRow = (r: RawKey): ApiKeyRow => ({
  id: r.id,
  keyHash: r.key_hash,
  tenant: r.tenant,
  role: r.role,
  name: r.name,
  createdAt: fromDbTime(r.created_at) as Date,
  expiresAt: fromDbTime(r.expires_at),
  revokedAt: fromDbTime(r.revoked_at),
});

const tenantRow = (r: RawTenant): TenantRow => ({
  slug: r.slug,
  customerId: r.customer_id,
  baseUrl: r.base_url,
  tokenCiphertext: r.token_ciphertext,
  createdAt: fromDbTime(r.created_at) as Date,
  updatedAt: fromDbTime(r.updated_at) as Date,
});

export function createPrincipalStore(db: Sqlite): PrincipalStore {
  const insertKey = db.prepare(
    `INSERT INTO "api_keys" ("id", "key_hash", "tenant", "role", "name", "created_at", "expires_at")
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const findKey = db.prepare(`SELECT * FROM "api_keys" WHERE "id" = ?`);
  const listKeys = db.prepare(`SELECT * FROM "api_keys" ORDER BY "created_at", "id"`);
  const revokeKey = db.prepare(
    `UPDATE "api_keys" SET "revoked_at" = ? WHERE "id" = ? AND "revoked_at" IS NULL`,
  );
  const revokeTenantKeys = db.prepare(
    `UPDATE "api_keys" SET "revoked_at" = ? WHERE "tenant" = ? AND "revoked_at" IS NULL`,
  );
  // How many keys are usable at a time, and until when the last of them stays usable ('~' sorts after
  // every timestamp: a key without expiry).
  const usable = db.prepare(
    `SELECT COUNT(*) AS "n", MAX(COALESCE("expires_at", '~')) AS "until" FROM "api_keys"
     WHERE "revoked_at" IS NULL AND ("expires_at" IS NULL OR "expires_at" > ?)`,
  );
  // Every request without a credential asks whether a key exists (so a key made by `keys create` in
  // another process locks an open server at once): the answer is kept while the connection's change
  // stamp holds and the clock stays within the window in which it cannot flip on its own.
  let known: { stamp: string; yes: boolean; from: number; until: number } | undefined;
  const insertTenant = db.prepare(
    `INSERT INTO "tenants" ("slug", "customer_id", "base_url", "token_ciphertext", "created_at", "updated_at")
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const findTenant = db.prepare(`SELECT * FROM "tenants" WHERE "slug" = ?`);
  const listTenants = db.prepare(`SELECT * FROM "tenants" ORDER BY "slug"`);
  const deleteTenant = db.prepare(`DELETE FROM "tenants" WHERE "slug" = ?`);
  const setCiphertext = db.prepare(
    `UPDATE "tenants" SET "token_ciphertext" = ?, "updated_at" = ? WHERE "slug" = ?`,
  );

  return {
    insertApiKey(row) {
      insertKey.run(
        row.id,
        row.keyHash,
        row.tenant,
        row.role,
        row.name,
        dbTime(row.createdAt),
        toDbTime(row.expiresAt),
      );
    },
    findApiKey(id) {
      const raw = findKey.get(id) as RawKey | undefined;
      return raw ? keyRow(raw) : undefined;
    },
    listApiKeys() {
      return (listKeys.all() as RawKey[]).map(keyRow);
    },
    revokeApiKey(id, at) {
      return revokeKey.run(dbTime(at), id).changes > 0;
    },
    hasUsableApiKey(now) {
      const stamp = changeStamp(db);
      const at = now.getTime();
      if (known?.stamp === stamp && at >= known.from && at < known.until) return known.yes;
      const row = usable.get(dbTime(now)) as { n: number; until: string | null };
      const yes = row.n > 0;
      // With no usable key the answer only changes by a write; with keys, when the last one expires.
      const until = !yes || row.until === '~' ? Infinity : (fromDbTime(row.until)?.getTime() ?? at);
      known = { stamp, yes, from: at, until };
      return yes;
    },
    insertTenant(row) {
      insertTenant.run(
        row.slug,
        row.customerId,
        row.baseUrl,
        row.tokenCiphertext,
        dbTime(row.createdAt),
        dbTime(row.updatedAt),
      );
    },
    findTenant(slug) {
      const raw = findTenant.get(slug) as RawTenant | undefined;
      return raw ? tenantRow(raw) : undefined;
    },
    listTenants() {
      return (listTenants.all() as RawTenant[]).map(tenantRow);
    },
    removeTenant(slug, at) {
      return db.transaction(() => {
        const removed = deleteTenant.run(slug).changes > 0;
        if (removed) revokeTenantKeys.run(dbTime(at), slug);
        return removed;
      })();
    },
    replaceCiphertexts(rows, at) {
      db.transaction(() => {
        for (const row of rows) setCiphertext.run(row.tokenCiphertext, dbTime(at), row.slug);
      })();
    },
  };
}
