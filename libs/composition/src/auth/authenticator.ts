import { createHash, timingSafeEqual } from 'node:crypto';
import { DEFAULT_TENANT, isRole, type Clock, type Principal } from '@testio-mcp/domain';
import type { PrincipalStore } from '@testio-mcp/persistence';
import { apiKeyId, apiKeyState, hashApiKey, hashesEqual } from './api-keys.js';
import type { CustomerTokens } from './customer-tokens.js';
import { onlyTenants, type TenantCheck } from './served-tenants.js';

/**
 * One authenticator for every HTTP surface (MCP at /mcp and the REST API): it turns the credential a
 * request presents into a principal or a refusal, knowing nothing of HTTP. Principal sources: the static
 * TESTIO_API_KEYS (admin of `default`) and the keys in the database. Once any source is configured every
 * request needs a principal, whatever the bind address: behind a reverse proxy on the same host every
 * client looks local.
 */

export type AuthOutcome =
  | { readonly kind: 'principal'; readonly principal: Principal }
  /** No principal source is configured and none was presented: the open loopback setup. */
  | { readonly kind: 'open' }
  | {
      readonly kind: 'refused';
      /** 401 no valid credential, 403 a tenant this process does not serve (removed), 503 the keys cannot be read. */
      readonly status: 401 | 403 | 503;
      readonly message: string;
      readonly hint: string;
    };

export interface Authenticator {
  /** Whether any principal source is configured now (keys created while serving count at once). */
  configured(): boolean;
  /** The credential of a request (`Authorization: Bearer` value or `X-API-Key`), or undefined. */
  authenticate(credential: string | undefined): AuthOutcome | Promise<AuthOutcome>;
  /** Issuers whose JWTs are accepted (ADR 0025), for the RFC 9728 document; none with keys alone. */
  readonly authorizationServers?: readonly string[];
}

/**
 * The API-key authenticator. `check` answers at once from the keys (one indexed read) and never asks
 * TestIO; `authenticate` first asks TestIO about a credential that may be a customer token, when they are
 * accepted (ADR 0024), so it answers a Promise then. OAuth wraps it (ADR 0025).
 */
export interface KeyAuthenticator extends Authenticator {
  check(credential: string | undefined): AuthOutcome;
  /** Asks TestIO about a possible customer token (cached; never rejects); nothing without customer tokens. */
  prepare(credential: string | undefined): Promise<void>;
}

export interface AuthenticatorOptions {
  /** TESTIO_API_KEYS. */
  readonly staticKeys: readonly string[];
  /** Absent: no database keys (tests of the static keys alone). */
  readonly store?: Pick<PrincipalStore, 'findApiKey' | 'hasUsableApiKey'>;
  /** The tenants this process serves (a list, or a check per request); another tenant's principal gets 403. */
  readonly servedTenants: readonly string[] | TenantCheck;
  readonly clock: Pick<Clock, 'now'>;
  /** TESTIO_ACCEPT_CUSTOMER_TOKENS: TestIO tokens act as operators of their own tenant (ADR 0024). */
  readonly customerTokens?: CustomerTokens;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** 12 hex characters of a static key's SHA-256: tells keys apart in logs, useless to an attacker. */
export function staticKeyFingerprint(key: string): string {
  return sha256(key).toString('hex').slice(0, 12);
}

/** The credential of a request from its headers: `X-API-Key` (when allowed) or `Authorization: Bearer`. */
export function credentialFromHeaders(
  authorization: string | undefined,
  xApiKey?: string | undefined,
): string | undefined {
  if (xApiKey !== undefined && xApiKey.trim() !== '') return xApiKey.trim();
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
  return match?.[1]?.trim() || undefined;
}

const INVALID_HINT = 'Send a key made with `testio-mcp keys create` as "Authorization: Bearer <key>"';

export function createAuthenticator(options: AuthenticatorOptions): KeyAuthenticator {
  const staticKeys = options.staticKeys.map((key) => ({
    digest: sha256(key),
    id: `env:${staticKeyFingerprint(key)}`,
  }));
  const serves =
    typeof options.servedTenants === 'function' ? options.servedTenants : onlyTenants(options.servedTenants);

  const store = options.store;
  // Read now, so a database that cannot answer fails the start rather than the first request.
  let lastKnown = store?.hasUsableApiKey(options.clock.now()) ?? false;
  const customerTokens = options.customerTokens;
  const configured = (): boolean => {
    if (staticKeys.length > 0 || customerTokens || !store) return staticKeys.length > 0 || !!customerTokens;
    try {
      lastKnown = store.hasUsableApiKey(options.clock.now());
    } catch {
      // The database is unreachable (its health check says so): keep the last answer, so a server that
      // required keys never opens up because its database went away.
    }
    return lastKnown;
  };

  const refused = (status: 401 | 403 | 503, message: string, hint = INVALID_HINT): AuthOutcome => ({
    kind: 'refused',
    status,
    message,
    hint,
  });

  function matchStatic(credential: string): Principal | undefined {
    const candidate = sha256(credential);
    let match: string | undefined;
    // No early exit: timing tells nothing about which or how many static keys exist.
    for (const entry of staticKeys) if (timingSafeEqual(candidate, entry.digest)) match = entry.id;
    return match ? { id: match, tenant: DEFAULT_TENANT, role: 'admin' } : undefined;
  }

  // A static key is ours and never goes to TestIO as a possible customer token (nor do our tmcp_ keys).
  const asksTestIO = (credential: string | undefined): credential is string =>
    credential !== undefined && customerTokens !== undefined && !matchStatic(credential);
  const prepare = (credential: string | undefined): Promise<void> =>
    asksTestIO(credential) && customerTokens ? customerTokens.prepare(credential) : Promise.resolve();

  return {
    configured,
    prepare,
    authenticate: (credential) =>
      asksTestIO(credential) ? prepare(credential).then(() => check(credential)) : check(credential),
    check,
  };

  function check(credential: string | undefined): AuthOutcome {
    if (credential === undefined) {
      return configured() ? refused(401, 'An API key is required', INVALID_HINT) : { kind: 'open' };
    }
    let principal = matchStatic(credential) ?? customerTokens?.lookup(credential);
    if (!principal) {
      const id = apiKeyId(credential);
      let row: ReturnType<PrincipalStore['findApiKey']>;
      try {
        row = id ? store?.findApiKey(id) : undefined;
      } catch {
        return refused(
          503,
          'The API key cannot be checked: the database is unavailable',
          'Try again shortly; GET /health shows the database state',
        );
      }
      if (!row || !hashesEqual(row.keyHash, hashApiKey(credential)) || !isRole(row.role)) {
        return refused(401, 'The API key is not valid');
      }
      const state = apiKeyState(row, options.clock.now());
      if (state === 'revoked') return refused(401, `The API key ${row.id} has been revoked`);
      if (state === 'expired') return refused(401, `The API key ${row.id} has expired`);
      principal = { id: row.id, tenant: row.tenant, role: row.role };
    }
    const refusal = serves(principal);
    if (refusal) return refused(refusal.status ?? 403, refusal.message, refusal.hint);
    return { kind: 'principal', principal };
  }
}
