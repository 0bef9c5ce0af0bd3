import { DEFAULT_TENANT, type Principal } from '@testio-mcp/domain';
import type { PrincipalStore } from '@testio-mcp/persistence';

/**
 * Which tenants a serving process answers for (ADR 0024), apart from the authenticator so that checking a
 * credential and resolving its tenant stay two separate jobs. A process serves `default` and every tenant
 * stored in its database, looked up per request: a tenant added while serving is served at once, a
 * removed one is refused with words that say so.
 */

export interface TenantRefusal {
  /** 403 by default; 503 when the tenants cannot be read. */
  readonly status?: 503;
  readonly message: string;
  readonly hint: string;
}

/** How the principal proved itself, for the words of a refusal. */
export type CredentialKind = 'key' | 'token';

/** Undefined when the principal's tenant is served; otherwise why not. */
export type TenantCheck = (principal: Principal, credential?: CredentialKind) => TenantRefusal | undefined;

function whose(principal: Principal, credential: CredentialKind = 'key'): string {
  return credential === 'key'
    ? `The API key ${principal.id} belongs to tenant '${principal.tenant}'`
    : `The access token of ${principal.id} is for tenant '${principal.tenant}'`;
}

/** Exactly these tenants (the REST API without a database, tests). */
export function onlyTenants(slugs: readonly string[]): TenantCheck {
  const served = new Set(slugs);
  return (principal, credential) =>
    served.has(principal.tenant)
      ? undefined
      : {
          message: `${whose(principal, credential)}, which this server does not serve`,
          hint: `This server serves ${[...served].join(', ')}; ${credential === 'token' ? 'sign in to' : 'use a key of'} that tenant`,
        };
}

/**
 * `default` and every tenant stored in the database now. A tenant added while a process without a master
 * key serves (the start-up check saw none) cannot be opened: 503 with what to set, not a crash.
 */
export function storedTenants(
  store: Pick<PrincipalStore, 'findTenant'>,
  options: { readonly hasMasterKey: boolean },
): TenantCheck {
  return (principal, credential) => {
    if (principal.tenant === DEFAULT_TENANT) return undefined;
    try {
      if (store.findTenant(principal.tenant)) {
        if (options.hasMasterKey) return undefined;
        return {
          status: 503,
          message: `Tenant '${principal.tenant}' cannot be served: this server runs without the master key its token is encrypted under`,
          hint: 'Set TESTIO_MASTER_KEY (or TESTIO_MASTER_KEY_FILE) to the key the tenant was added with and restart the server',
        };
      }
    } catch {
      return {
        status: 503,
        message: `The tenant '${principal.tenant}' cannot be checked: the database is unavailable`,
        hint: 'Try again shortly; GET /health shows the database state',
      };
    }
    return {
      message: `${whose(principal, credential)}, which does not exist (it was removed, or never added)`,
      hint:
        credential === 'token'
          ? 'Sign in to an existing tenant (`testio-mcp tenants list` shows them)'
          : 'Ask an administrator for a key of an existing tenant (`testio-mcp tenants list` shows them)',
    };
  };
}
