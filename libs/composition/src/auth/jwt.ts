import {
  InvalidInputError,
  isLoopbackHost,
  isRole,
  TENANT_SLUG_PATTERN,
  type Clock,
  type Principal,
  type Role,
} from '@testio-mcp/domain';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AuthOutcome } from './authenticator.js';

/**
 * OAuth 2.1 resource server (ADR 0025): a JWT access token becomes a principal when its signature
 * verifies against the authorization server's JWKS and `iss`, `aud`, `exp` and `nbf` hold. Only
 * asymmetric algorithms are accepted, which refuses `alg: none` and HMAC/RSA confusion (an HS256 token
 * "signed" with the public key) before any key is looked up. An unknown `kid` refetches the JWKS at most
 * once per cool-down, so the issuer can rotate keys without a restart and a stream of forged kids cannot
 * turn this server into a JWKS hammer.
 */

export interface OAuthSettings {
  readonly TESTIO_OAUTH_ISSUER?: string | undefined;
  readonly TESTIO_OAUTH_AUDIENCE?: string | undefined;
  readonly TESTIO_OAUTH_JWKS_URL?: string | undefined;
  readonly TESTIO_OAUTH_TENANT_CLAIM?: string | undefined;
  readonly TESTIO_OAUTH_ROLE_CLAIM?: string | undefined;
}

export interface OAuthConfig {
  readonly issuer: string;
  readonly audiences: readonly string[];
  /** Absent: discovered from the issuer's metadata at the first token. */
  readonly jwksUrl: URL | undefined;
  readonly tenantClaim: string;
  readonly roleClaim: string;
}

/** Asymmetric signatures only: no `none`, no HS*, so a public key can never be used as an HMAC secret. */
export const ACCEPTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

const SCOPE_ROLES: ReadonlyArray<readonly [string, Role]> = [
  ['testio:admin', 'admin'],
  ['testio:sync', 'operator'],
  ['testio:read', 'viewer'],
];

function secureUrl(value: string, variable: string): URL {
  const url = new URL(value);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url;
  throw new InvalidInputError({
    field: variable,
    message: `${variable}=${value} is not an https URL`,
    reason:
      'Keys and tokens fetched over plain HTTP could be swapped by anyone on the path (loopback excepted)',
    hint: `Use the https:// address of the authorization server in ${variable}`,
  });
}

/** The OAuth settings checked once at start-up; undefined when OAuth is not configured. */
export function oauthConfigFrom(settings: OAuthSettings): OAuthConfig | undefined {
  const issuer = settings.TESTIO_OAUTH_ISSUER?.trim();
  if (!issuer) {
    const stray = (['TESTIO_OAUTH_AUDIENCE', 'TESTIO_OAUTH_JWKS_URL'] as const).find((k) => settings[k]);
    if (stray) {
      throw new InvalidInputError({
        field: stray,
        message: `${stray} is set but TESTIO_OAUTH_ISSUER is not`,
        reason: 'JWT access tokens are accepted only from a named authorization server',
        hint: 'Set TESTIO_OAUTH_ISSUER to the issuer URL of the authorization server, or unset the other OAuth variables',
      });
    }
    return undefined;
  }
  secureUrl(issuer, 'TESTIO_OAUTH_ISSUER');
  const audiences = (settings.TESTIO_OAUTH_AUDIENCE ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (audiences.length === 0) {
    throw new InvalidInputError({
      field: 'TESTIO_OAUTH_AUDIENCE',
      message: 'TESTIO_OAUTH_ISSUER is set but TESTIO_OAUTH_AUDIENCE is not',
      reason:
        'A token must be bound to this server (RFC 8707): without an audience, a token the issuer minted for any other service would be accepted',
      hint: 'Set TESTIO_OAUTH_AUDIENCE to the resource this server is known by at the authorization server, e.g. https://testio.example.com/mcp',
    });
  }
  return {
    issuer,
    audiences,
    jwksUrl: settings.TESTIO_OAUTH_JWKS_URL
      ? secureUrl(settings.TESTIO_OAUTH_JWKS_URL, 'TESTIO_OAUTH_JWKS_URL')
      : undefined,
    tenantClaim: settings.TESTIO_OAUTH_TENANT_CLAIM ?? 'testio_tenant',
    roleClaim: settings.TESTIO_OAUTH_ROLE_CLAIM ?? 'testio_role',
  };
}

/** Three base64url segments (the signature may be empty: `alg: none`); API keys have no dots. */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);
}

/** RFC 8414 and OpenID Connect discovery addresses of an issuer, in the order tried. */
export function metadataUrls(issuer: string): URL[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  const at = (wellKnown: string, suffix: string) => new URL(`${url.origin}${wellKnown}${suffix}`);
  const urls = [
    at('/.well-known/oauth-authorization-server', path),
    at('/.well-known/openid-configuration', path),
  ];
  // OpenID Connect appends to the issuer path instead of inserting before it.
  if (path !== '') urls.push(new URL(`${url.origin}${path}/.well-known/openid-configuration`));
  return urls;
}

export interface JwtVerifierOptions {
  readonly clock: Pick<Clock, 'now'>;
  /** Minimum time between two JWKS fetches caused by unknown kids (default 30 s). */
  readonly cooldownMs?: number;
  /** Per fetch of the metadata or the JWKS (default 5 s). */
  readonly timeoutMs?: number;
}

export interface JwtVerifier {
  readonly issuer: string;
  verify(token: string): Promise<AuthOutcome>;
}

const HINT = 'Sign in again to get a fresh access token for this server from the authorization server';

function refused(status: 401 | 403 | 503, message: string, hint = HINT): AuthOutcome {
  return { kind: 'refused', status, message, hint };
}

function roleOf(payload: JWTPayload, roleClaim: string): Role | undefined {
  const claimed = payload[roleClaim];
  if (typeof claimed === 'string' && isRole(claimed)) return claimed;
  const raw = payload['scope'] ?? payload['scp'];
  const scopes = typeof raw === 'string' ? raw.split(' ') : Array.isArray(raw) ? raw.map(String) : [];
  return SCOPE_ROLES.find(([scope]) => scopes.includes(scope))?.[1];
}

/** The words of a jose failure: what was wrong with the token, never the token. */
function describeFailure(error: unknown): AuthOutcome {
  if (error instanceof errors.JWTExpired) return refused(401, 'The access token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return refused(401, 'The access token was issued by another issuer');
    if (error.claim === 'aud')
      return refused(401, 'The access token is for another audience, not this server');
    if (error.claim === 'nbf')
      return refused(401, 'The access token is not valid yet (nbf is in the future)');
    return refused(401, `The access token's ${error.claim} claim is not valid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return refused(
      401,
      `The access token's signing algorithm is not accepted (only ${ACCEPTED_ALGORITHMS.join(', ')})`,
    );
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return refused(401, "The access token is signed by a key the authorization server's JWKS does not hold");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refused(401, "The access token's signature does not verify");
  }
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) {
    return refused(401, 'The access token is not a well-formed JWT');
  }
  return refused(
    503,
    "The access token cannot be checked: the authorization server's keys cannot be fetched",
    'Try again shortly; if it persists, check TESTIO_OAUTH_ISSUER / TESTIO_OAUTH_JWKS_URL and that the authorization server is reachable from this server',
  );
}

export function createJwtVerifier(config: OAuthConfig, options: JwtVerifierOptions): JwtVerifier {
  const cooldownDuration = options.cooldownMs ?? 30_000;
  const timeoutDuration = options.timeoutMs ?? 5000;
  type KeySet = ReturnType<typeof createRemoteJWKSet>;
  let keySet: Promise<KeySet> | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;

  async function discover(): Promise<URL> {
    for (const url of metadataUrls(config.issuer)) {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(timeoutDuration),
        redirect: 'manual',
        headers: { accept: 'application/json' },
      });
      if (response.status !== 200) continue;
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      // RFC 8414 §3.3: metadata naming another issuer must not be used.
      if (metadata.issuer !== config.issuer || typeof metadata.jwks_uri !== 'string') continue;
      return secureUrl(metadata.jwks_uri, 'jwks_uri');
    }
    throw new Error(`no usable authorization server metadata for ${config.issuer}`);
  }

  function keys(): Promise<KeySet> {
    // A failed discovery is retried, but not more often than the cool-down.
    if (!keySet && Date.now() - failedAt >= cooldownDuration) {
      keySet = (config.jwksUrl ? Promise.resolve(config.jwksUrl) : discover()).then(
        (url) => createRemoteJWKSet(url, { cooldownDuration, timeoutDuration }),
        (error: unknown) => {
          keySet = undefined;
          failedAt = Date.now();
          throw error;
        },
      );
    }
    return keySet ?? Promise.reject(new Error('authorization server metadata unavailable'));
  }

  return {
    issuer: config.issuer,
    async verify(token) {
      let payload: JWTPayload;
      try {
        const jwks = await keys();
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: config.issuer,
          audience: [...config.audiences],
          algorithms: [...ACCEPTED_ALGORITHMS],
          requiredClaims: ['exp'],
          clockTolerance: 30,
          currentDate: options.clock.now(),
        }));
      } catch (error) {
        return describeFailure(error);
      }
      if (typeof payload.sub !== 'string' || payload.sub === '') {
        return refused(401, 'The access token has no subject (sub claim)');
      }
      const id = `oauth:${payload.sub.slice(0, 200)}`;
      const tenant = payload[config.tenantClaim];
      if (typeof tenant !== 'string' || !TENANT_SLUG_PATTERN.test(tenant)) {
        return refused(
          403,
          `The access token of ${id} names no tenant (claim ${config.tenantClaim})`,
          `Have the authorization server put the tenant slug in the ${config.tenantClaim} claim (TESTIO_OAUTH_TENANT_CLAIM names another)`,
        );
      }
      const role = roleOf(payload, config.roleClaim);
      if (!role) {
        return refused(
          403,
          `The access token of ${id} grants no role (claim ${config.roleClaim}, or a scope testio:read, testio:sync or testio:admin)`,
          'Request one of the scopes testio:read, testio:sync or testio:admin when signing in',
        );
      }
      const principal: Principal = { id, tenant, role };
      return { kind: 'principal', principal };
    },
  };
}
