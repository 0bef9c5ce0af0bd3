import type { AuthOutcome, Authenticator, KeyAuthenticator } from './authenticator.js';
import { looksLikeJwt, type JwtVerifier } from './jwt.js';
import { onlyTenants, type TenantCheck } from './served-tenants.js';

/**
 * The key authenticator with its asynchronous steps folded in, for the HTTP adapters: a credential that
 * may be a TestIO customer token is asked of TestIO first (when they are accepted, ADR 0024), and with
 * OAuth configured a JWT goes to the verifier (ADR 0025). Kept apart from the key authenticator so each
 * changes on its own.
 */
export function withAsyncSteps(
  keys: KeyAuthenticator,
  verifier?: JwtVerifier,
  servedTenants?: readonly string[] | TenantCheck,
): Authenticator {
  const serves = typeof servedTenants === 'function' ? servedTenants : onlyTenants(servedTenants ?? []);
  const viaKeys = (credential: string): AuthOutcome | Promise<AuthOutcome> => {
    if (!keys.usesPrepare) return keys.authenticate(credential);
    return keys.prepare(credential).then(() => keys.authenticate(credential));
  };
  if (!verifier) {
    return keys.usesPrepare
      ? {
          configured: () => keys.configured(),
          authenticate: (c) => (c === undefined ? keys.authenticate(c) : viaKeys(c)),
        }
      : keys;
  }
  const jwt = verifier;
  async function viaJwt(token: string): Promise<AuthOutcome> {
    const outcome = await jwt.verify(token);
    if (outcome.kind !== 'principal') return outcome;
    const refusal = serves(outcome.principal, 'token');
    if (!refusal) return outcome;
    return { kind: 'refused', status: refusal.status ?? 403, message: refusal.message, hint: refusal.hint };
  }
  return {
    authorizationServers: [verifier.issuer],
    // The issuer is a principal source on its own: with OAuth configured every request needs a principal.
    configured: () => true,
    authenticate(credential) {
      if (credential === undefined) {
        return {
          kind: 'refused',
          status: 401,
          message: 'An access token or API key is required',
          hint: 'Sign in with the authorization server, or send a key made with `testio-mcp keys create` as "Authorization: Bearer <key>"',
        };
      }
      // A JWT is ours to verify and never goes to TestIO as a possible customer token.
      if (!looksLikeJwt(credential)) return viaKeys(credential);
      const outcome = keys.authenticate(credential);
      return outcome.kind === 'principal' ? outcome : viaJwt(credential);
    },
  };
}

/** With OAuth: keys first, then the JWT verifier, each principal's tenant checked as `servedTenants` says. */
export function withOAuth(
  keys: KeyAuthenticator,
  verifier: JwtVerifier,
  servedTenants: readonly string[] | TenantCheck,
): Authenticator {
  return withAsyncSteps(keys, verifier, servedTenants);
}
