-- Principals and tenants of a team service (ADR 0022). Keys are stored as the SHA-256 of the whole key
-- (the key carries 256 random bits, so a slow hash buys nothing); tenant tokens as AES-256-GCM
-- ciphertext under TESTIO_MASTER_KEY. Neither is ever stored in clear.

-- One TestIO customer account besides the environment's own (tenant `default`, configured by
-- TESTIO_CUSTOMER_API_TOKEN and never stored here). token_ciphertext: v1.<iv>.<tag>.<ciphertext>, base64url.
CREATE TABLE "tenants" (
    "slug" TEXT NOT NULL PRIMARY KEY,
    "customer_id" INTEGER NOT NULL,
    "base_url" TEXT NOT NULL,
    "token_ciphertext" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "tenants_customer_id_key" ON "tenants"("customer_id");

-- Server-issued API keys: `tmcp_<id>_<secret>`; the id is public (lists, logs, revoke), the secret only
-- ever in the key printed once. tenant is a slug (`default` or a row of tenants).
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "key_hash" TEXT NOT NULL,
    "tenant" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    "expires_at" DATETIME,
    "revoked_at" DATETIME
);
CREATE INDEX "api_keys_tenant_idx" ON "api_keys"("tenant");
