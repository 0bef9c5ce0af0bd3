import type { DiagnosticsDatabase, DiagnosticsSync } from './management.js';

/** A TestIO customer account this server serves. Never carries its token. */
export interface AdminTenant {
  /** @example "acme" */
  slug: string;
  /** Scopes the tenant's rows in the mirror. @example 42 */
  customer_id: number;
  /** @example "https://api.test.io/customer/v2" */
  base_url: string;
  /** When it was added (ISO 8601 UTC); null for `default`, which the environment configures. */
  created_at: string | null;
  /** Where its token lives: the environment (`default`) or encrypted in the database. */
  token: 'TESTIO_CUSTOMER_API_TOKEN' | 'encrypted';
}

export interface AdminTenantList {
  tenants: AdminTenant[];
}

/** `POST /api/admin/tenants`: the token is checked against the TestIO API, stored encrypted, never echoed. */
export interface AddTenantRequest {
  /**
   * Lower-case letters, digits and dashes, starting with a letter (up to 63); not `default`.
   * @example "acme"
   */
  slug: string;
  /**
   * The TestIO customer id (default: a free local id).
   * @isInt
   * @minimum 1
   * @example 42
   */
  customer_id?: number;
  /** The TestIO Customer API (default the production API). @example "https://api.test.io/customer/v2" */
  base_url?: string;
  /** The account's TestIO API token (TestIO UI: Integrations → API). Write-only. @example "0123456789abcdef" */
  token: string;
  /** Store the token without asking the API first (default false). @example false */
  skip_check?: boolean;
}

/** A server-issued API key as lists show it: never its secret. */
export interface AdminApiKey {
  /** @example "3f9a0c1b2d4e" */
  id: string;
  /** @example "default" */
  tenant: string;
  /** @example "viewer" */
  role: string;
  /** @example "ci pipeline" */
  name: string;
  /** @example "active" */
  state: 'active' | 'expired' | 'revoked';
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface AdminApiKeyList {
  keys: AdminApiKey[];
}

/** `POST /api/admin/keys`. */
export interface CreateKeyRequest {
  /** `default`, or a tenant added before. @example "default" */
  tenant: string;
  /** viewer (read), operator (read and sync), admin (everything). @example "viewer" */
  role: 'viewer' | 'operator' | 'admin';
  /** Who or what uses it, 1 to 200 characters. @example "ci pipeline" */
  name: string;
  /** e.g. `90d`, `12h`, `30m` or `never` (default never). @example "90d" */
  expires?: string;
}

/** The new key: `key` is shown this once and cannot be read again. */
export interface CreatedKey {
  /** @example "3f9a0c1b2d4e" */
  id: string;
  /** @example "tmcp_3f9a0c1b2d4e_q5J0bXw2m1bqf2rRkqH8cTqI4u0r9p7lS7yR1n0fKxE" */
  key: string;
  /** @example "default" */
  tenant: string;
  /** @example "viewer" */
  role: string;
  /** @example "ci pipeline" */
  name: string;
  /** ISO 8601 UTC, or null for no expiry. */
  expires_at: string | null;
}

/** One tenant's mirror and sync state (what `get_server_diagnostics` shows for that tenant). */
export interface TenantDiagnostics {
  /** @example "default" */
  tenant: string;
  /** @example 42 */
  customer_id: number;
  /** Null when the tenant could not be read (see `error`). */
  database: DiagnosticsDatabase | null;
  /** Null when the tenant could not be read (see `error`). */
  sync: DiagnosticsSync | null;
  /** When the tenant's data was last read from TestIO (ISO 8601 UTC); null if never synced. */
  data_as_of: string | null;
  /** Why the tenant could not be read (e.g. no master key); absent when it could. */
  error?: string;
}

export interface AdminDiagnostics {
  tenants: TenantDiagnostics[];
}
