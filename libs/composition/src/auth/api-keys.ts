import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  DEFAULT_TENANT,
  InvalidInputError,
  isRole,
  ROLES,
  TENANT_SLUG_PATTERN,
  type Clock,
  type Role,
} from '@testio-mcp/domain';
import type { ApiKeyRow, PrincipalStore } from '@testio-mcp/persistence';

/**
 * Server-issued API keys: `tmcp_<id>_<secret>`, a 12-hex-character public id (for lists, logs and
 * revocation) and 32 random bytes of secret. Only the SHA-256 of the whole key is stored: with 256 random
 * bits a slow hash adds nothing, and a lookup by id plus one constant-time comparison stays cheap on
 * every request.
 */

const PREFIX = 'tmcp';
const KEY_PATTERN = /^tmcp_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The id of a well-formed server-issued key, or undefined. */
export function apiKeyId(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `90d`, `12h`, `30m` or `never`; undefined ⇒ never. */
export function parseExpiry(value: string | undefined, now: Date): Date | null {
  if (value === undefined || value.trim().toLowerCase() === 'never') return null;
  const match = /^(\d{1,5})\s*([dhm])$/i.exec(value.trim());
  const amount = match ? Number(match[1]) : 0;
  if (!match || amount <= 0) {
    throw new InvalidInputError({
      field: '--expires',
      message: `--expires '${value}' is not valid`,
      reason: 'An expiry is a positive whole number of days, hours or minutes',
      hint: 'Use e.g. --expires 90d, --expires 12h, or --expires never',
    });
  }
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[(match[2] ?? 'd').toLowerCase() as 'd' | 'h' | 'm'];
  return new Date(now.getTime() + amount * unit);
}

export interface IssueApiKeyInput {
  readonly tenant: string;
  readonly role: string;
  readonly name: string;
  readonly expires?: string | undefined;
}

export interface IssuedApiKey {
  readonly id: string;
  /** The key itself: shown once, never stored. */
  readonly key: string;
  readonly tenant: string;
  readonly role: Role;
  readonly name: string;
  readonly expires_at: string | null;
}

export function checkRole(role: string): Role {
  if (!isRole(role)) {
    throw new InvalidInputError({
      field: '--role',
      message: `--role '${role.slice(0, 40)}' is not a role`,
      reason: `The roles are ${ROLES.join(', ')}`,
      hint: 'Use --role viewer for reading, operator to also start syncs, admin for everything',
    });
  }
  return role;
}

/** Creates a key for a tenant that exists (`default` always does) and stores its hash. */
export function issueApiKey(
  store: PrincipalStore,
  input: IssueApiKeyInput,
  clock: Pick<Clock, 'now'>,
): IssuedApiKey {
  const role = checkRole(input.role);
  const name = input.name.trim();
  if (name === '' || name.length > 200) {
    throw new InvalidInputError({
      field: '--name',
      message: 'A key needs a name of 1 to 200 characters',
      reason: 'The name is how `keys list` tells keys apart (who or what uses it)',
      hint: 'Use e.g. --name "ci pipeline"',
    });
  }
  if (input.tenant !== DEFAULT_TENANT && !store.findTenant(input.tenant)) {
    throw new InvalidInputError({
      field: '--tenant',
      message: `There is no tenant '${input.tenant.slice(0, 64)}'`,
      reason: TENANT_SLUG_PATTERN.test(input.tenant)
        ? 'A key belongs to an existing tenant: `default` (this server’s own account) or one added with `tenants add`'
        : 'Tenant slugs are lower-case letters, digits and dashes',
      hint: 'Run `testio-mcp tenants list`, or use --tenant default',
    });
  }
  const now = clock.now();
  const expiresAt = parseExpiry(input.expires, now);
  const id = randomBytes(6).toString('hex');
  const key = `${PREFIX}_${id}_${randomBytes(32).toString('base64url')}`;
  store.insertApiKey({
    id,
    keyHash: hashApiKey(key),
    tenant: input.tenant,
    role,
    name,
    createdAt: now,
    expiresAt,
  });
  return { id, key, tenant: input.tenant, role, name, expires_at: expiresAt?.toISOString() ?? null };
}

export type ApiKeyState = 'active' | 'expired' | 'revoked';

export function apiKeyState(row: Pick<ApiKeyRow, 'expiresAt' | 'revokedAt'>, now: Date): ApiKeyState {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** A key as lists show it: never its secret nor its hash. */
export interface ApiKeySummary {
  readonly id: string;
  readonly tenant: string;
  readonly role: string;
  readonly name: string;
  readonly state: ApiKeyState;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
}

export function listApiKeys(store: Pick<PrincipalStore, 'listApiKeys'>, now: Date): ApiKeySummary[] {
  return store.listApiKeys().map((k) => ({
    id: k.id,
    tenant: k.tenant,
    role: k.role,
    name: k.name,
    state: apiKeyState(k, now),
    created_at: k.createdAt.toISOString(),
    expires_at: k.expiresAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
  }));
}

/** Revokes a key at once; a three-part error when it is unknown (`found: false`) or already revoked. */
export function revokeApiKey(
  store: Pick<PrincipalStore, 'revokeApiKey' | 'findApiKey'>,
  id: string,
  now: Date,
): void {
  if (store.revokeApiKey(id, now)) return;
  const known = store.findApiKey(id);
  throw new InvalidInputError({
    field: 'id',
    message: known ? `Key ${id} is already revoked` : `There is no key '${id.slice(0, 40)}'`,
    reason: known
      ? 'A revoked key stays listed, refused'
      : 'Key ids are the 12 hex characters `keys list` shows',
    hint: 'Run `testio-mcp keys list` (or GET /api/admin/keys) for the ids',
  });
}
