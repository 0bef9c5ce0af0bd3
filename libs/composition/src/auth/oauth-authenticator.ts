import type { AuthOutcome, Authenticator, KeyAuthenticator } from './authenticator.js';
import { looksLikeJwt, type JwtVerifier } from './jwt.js';

/**
 * The key authenticator with JWT access tokens beside it (ADR 0025). A credential the keys accept is
 * answered by them at once; one shaped like a JWT that they refuse goes to the verifier. Kept apart from
 * the key authenticator so each changes on its own.
 */
export function withOAuth(
  keys: KeyAuthenticator,
  verifier: JwtVerifier,
  servedTenants: readonly string[],
): Authenticator {
  const served = new Set(servedTenants);
  async function viaJwt(token: string): Promise<AuthOutcome> {
    const outcome = await verifier.verify(token);
    if (outcome.kind !== 'principal' || served.has(outcome.principal.tenant)) return outcome;
    return {
      kind: 'refused',
      status: 403,
      message: `The access token of ${outcome.principal.id} is for tenant '${outcome.principal.tenant}', which this server does not serve`,
      hint: `This server serves ${[...served].join(', ')}; sign in to that tenant`,
    };
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
      const outcome = keys.authenticate(credential);
      if (outcome.kind === 'principal' || !looksLikeJwt(credential)) return outcome;
      return viaJwt(credential);
    },
  };
}
