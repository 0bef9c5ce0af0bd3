import {
  DEFAULT_TENANT,
  InvalidInputError,
  PRODUCTION_API_BASE_URL,
  TENANT_SLUG_PATTERN,
  type Clock,
} from '@testio-mcp/domain';
import type { PrincipalStore } from '@testio-mcp/persistence';
import { decryptSecret, encryptSecret } from './master-key.js';

/**
 * Tenants besides `default`: one TestIO customer account each, its token sealed under the master key
 * (master-key.ts). Nothing here returns a token except `tenantToken`, which the sync of that tenant
 * will call; listings never carry one.
 */

export interface TenantSummary {
  readonly slug: string;
  readonly customer_id: number;
  readonly base_url: string;
  readonly created_at: string;
}

export interface AddTenantInput {
  readonly slug: string;
  readonly token: string;
  readonly customerId?: number | undefined;
  readonly baseUrl?: string | undefined;
}

const NO_MASTER_KEY = {
  field: 'TESTIO_MASTER_KEY',
  reason: 'Tenant tokens are stored encrypted under the master key, and without it they cannot be read',
  hint: 'Generate one with `openssl rand -hex 32`, keep it safe, and set TESTIO_MASTER_KEY (or TESTIO_MASTER_KEY_FILE)',
} as const;

export function requireMasterKey(key: Buffer | undefined, what: string): Buffer {
  if (!key)
    throw new InvalidInputError({
      message: `${what} needs the master key, and none is set`,
      ...NO_MASTER_KEY,
    });
  return key;
}

/**
 * A process that serves or syncs refuses to start when tenants are stored and no master key is set:
 * otherwise it would fail later, tenant by tenant, for a reason it could have said at once.
 */
export function assertMasterKeyForTenants(
  store: Pick<PrincipalStore, 'listTenants'>,
  key: Buffer | undefined,
): void {
  const tenants = store.listTenants();
  if (tenants.length > 0 && !key) {
    throw new InvalidInputError({
      message: `The database holds ${tenants.length} tenant${tenants.length === 1 ? '' : 's'} with encrypted tokens (${tenants.map((t) => t.slug).join(', ')}), but no master key is set`,
      ...NO_MASTER_KEY,
    });
  }
}

function checkSlug(slug: string): void {
  if (!TENANT_SLUG_PATTERN.test(slug) || slug === DEFAULT_TENANT) {
    throw new InvalidInputError({
      field: 'slug',
      message: `'${slug.slice(0, 64)}' cannot name a tenant`,
      reason:
        slug === DEFAULT_TENANT
          ? '`default` is this server’s own account, configured by TESTIO_CUSTOMER_API_TOKEN'
          : 'A slug is lower-case letters, digits and dashes, starting with a letter (up to 63)',
      hint: 'Use e.g. `testio-mcp tenants add acme`',
    });
  }
}

export function addTenant(
  store: PrincipalStore,
  input: AddTenantInput,
  masterKey: Buffer,
  clock: Pick<Clock, 'now'>,
  reservedCustomerIds: readonly number[] = [],
): TenantSummary {
  checkSlug(input.slug);
  if (store.findTenant(input.slug)) {
    throw new InvalidInputError({
      field: 'slug',
      message: `Tenant '${input.slug}' exists already`,
      reason: 'A slug names one tenant',
      hint: `Remove it first (\`testio-mcp tenants remove ${input.slug}\`) or choose another slug`,
    });
  }
  const existing = store.listTenants();
  const taken = new Set([...reservedCustomerIds, ...existing.map((t) => t.customerId)]);
  // Without --customer-id the tenant gets a free local id: it only scopes this tenant's rows in the mirror.
  const customerId = input.customerId ?? Math.max(0, ...taken) + 1;
  if (taken.has(customerId)) {
    throw new InvalidInputError({
      field: '--customer-id',
      message: `Customer id ${customerId} is in use by tenant '${existing.find((t) => t.customerId === customerId)?.slug ?? DEFAULT_TENANT}'`,
      reason:
        'Each tenant’s rows in the mirror are keyed by its customer id: two tenants on one id would read each other’s data',
      hint: 'Choose another --customer-id, or leave it out to get a free one',
    });
  }
  const now = clock.now();
  const baseUrl = (input.baseUrl ?? PRODUCTION_API_BASE_URL).replace(/\/+$/, '');
  store.insertTenant({
    slug: input.slug,
    customerId,
    baseUrl,
    tokenCiphertext: encryptSecret(masterKey, input.token, input.slug),
    createdAt: now,
    updatedAt: now,
  });
  return { slug: input.slug, customer_id: customerId, base_url: baseUrl, created_at: now.toISOString() };
}

export function listTenants(store: Pick<PrincipalStore, 'listTenants'>): TenantSummary[] {
  return store.listTenants().map((t) => ({
    slug: t.slug,
    customer_id: t.customerId,
    base_url: t.baseUrl,
    created_at: t.createdAt.toISOString(),
  }));
}

export function tenantToken(
  store: Pick<PrincipalStore, 'findTenant'>,
  slug: string,
  masterKey: Buffer,
): string {
  const row = store.findTenant(slug);
  if (!row)
    throw new InvalidInputError({
      field: 'tenant',
      message: `There is no tenant '${slug.slice(0, 64)}'`,
      hint: 'Run `testio-mcp tenants list`',
    });
  return decryptSecret(masterKey, row.tokenCiphertext, row.slug);
}

/** Re-encrypts every token under `next`; nothing is written unless all of them decrypt under `current`. */
export function rekeyTenants(
  store: PrincipalStore,
  current: Buffer,
  next: Buffer,
  clock: Pick<Clock, 'now'>,
): number {
  const rows = store.listTenants().map((t) => ({
    slug: t.slug,
    tokenCiphertext: encryptSecret(next, decryptSecret(current, t.tokenCiphertext, t.slug), t.slug),
  }));
  store.replaceCiphertexts(rows, clock.now());
  return rows.length;
}

/** Removes a tenant and revokes its keys (its mirrored rows stay); a three-part error when it is unknown. */
export function removeTenant(store: Pick<PrincipalStore, 'removeTenant'>, slug: string, now: Date): void {
  if (store.removeTenant(slug, now)) return;
  throw new InvalidInputError({
    field: 'slug',
    message: `There is no tenant '${slug.slice(0, 64)}'`,
    reason:
      slug === DEFAULT_TENANT
        ? '`default` is configured by the environment and cannot be removed'
        : 'Only tenants added with `tenants add` can be removed',
    hint: 'Run `testio-mcp tenants list` (or GET /api/admin/tenants) for the slugs',
  });
}
