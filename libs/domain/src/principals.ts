/**
 * Who is calling over HTTP, and what they may do (ADR 0022). A principal belongs to exactly one tenant
 * (a TestIO customer account, by slug) and holds one role; roles are ordered, each allowing everything
 * the one below allows.
 */

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The tenant configured by TESTIO_CUSTOMER_API_TOKEN / TESTIO_CUSTOMER_ID (today's single account). */
export const DEFAULT_TENANT = 'default';

export interface Principal {
  /** Public id: an API key's id, or `env:<fingerprint>` for a TESTIO_API_KEYS key. Never the secret. */
  readonly id: string;
  readonly tenant: string;
  readonly role: Role;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Whether `held` allows what `needed` allows. */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** What each role is for, in the words errors and help use. */
export const ROLE_PURPOSE: Readonly<Record<Role, string>> = {
  viewer: 'reads: every read tool, prompt and resource, and REST GET',
  operator: 'reads, starting syncs (sync_data, POST /api/sync) and, where writes are on, bug triage',
  admin: 'everything, including managing tenants and keys',
};

/** A tenant slug: lower-case letters, digits and dashes, starting with a letter. */
export const TENANT_SLUG_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
