import type { AuthOutcome, Authenticator, KeyAuthenticator } from './authenticator.js';
import { looksLikeJwt, type JwtVerifier } from './jwt.js';
import { onlyTenants, type TenantCheck } from './served-tenants.js';

/**
 * The key authenticator with JWT access tokens beside it (ADR 0025). A credential the keys accept is
 * answered by them; one shaped like a JWT that they refuse goes to the verifier, and never to TestIO as a
 * possible customer token. Kept apart from the key authenticator so each changes on its own.
 */
export function withOAuth(
  keys: KeyAuthenticator,
  verifier: JwtVerifier,
  servedTenants: readonly string[] | TenantCheck,
): Authenticator {
  const serves = typeof servedTenants === 'function' ? servedTenants : onlyTenants(servedTenants);
  async function viaJwt(token: string): Promise<AuthOutcome> {
    const outcome = await verifier.verify(token);
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
      if (!looksLikeJwt(credential)) return keys.authenticate(credential);
      const outcome = keys.check(credential);
      return outcome.kind === 'principal' ? outcome : viaJwt(credential);
    },
  };
}
