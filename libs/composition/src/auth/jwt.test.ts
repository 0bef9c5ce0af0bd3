import { InvalidInputError } from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, type AuthOutcome } from './authenticator.js';
import { createJwtVerifier, metadataUrls, oauthConfigFrom, type OAuthConfig } from './jwt.js';
import { withOAuth } from './oauth-authenticator.js';
import { startTestIssuer, type TestIssuer } from './test-issuer.js';

/**
 * JWT access tokens (ADR 0025) against a JWKS this test serves on loopback with keys it generated:
 * what is accepted, what is refused and in which words, discovery, and key rotation without a restart.
 */

const AUDIENCE = 'https://testio.example.com/mcp';
const clock = { now: () => new Date() };
let idp: TestIssuer;

beforeAll(async () => {
  idp = await startTestIssuer(AUDIENCE);
});
afterAll(async () => {
  await idp.close();
});

function config(overrides: Partial<OAuthConfig> = {}): OAuthConfig {
  const parsed = oauthConfigFrom({ TESTIO_OAUTH_ISSUER: idp.issuer, TESTIO_OAUTH_AUDIENCE: AUDIENCE });
  if (!parsed) throw new Error('configured');
  return { ...parsed, ...overrides };
}

function refusal(outcome: AuthOutcome): { status: number; message: string } {
  if (outcome.kind !== 'refused') throw new Error(`expected a refusal, got ${outcome.kind}`);
  return { status: outcome.status, message: outcome.message };
}

describe('JWT verification', () => {
  const verifier = () => createJwtVerifier(config(), { clock });

  it('accepts a valid token, with the role from the scope or the role claim and the tenant from its claim', async () => {
    const v = verifier();
    const byScope = await v.verify(await idp.sign({ testio_tenant: 'default', scope: 'openid testio:sync' }));
    expect(byScope).toEqual({
      kind: 'principal',
      principal: { id: 'oauth:user-1', tenant: 'default', role: 'operator' },
    });
    const byClaim = await v.verify(
      await idp.sign({ sub: 'ada', testio_tenant: 'acme', testio_role: 'admin', scope: 'testio:read' }),
    );
    expect(byClaim).toEqual({
      kind: 'principal',
      principal: { id: 'oauth:ada', tenant: 'acme', role: 'admin' },
    });
  });

  it('discovers the JWKS from the issuer metadata when no JWKS URL is set', async () => {
    const before = idp.jwksFetches();
    const outcome = await verifier().verify(
      await idp.sign({ testio_tenant: 'default', scope: 'testio:read' }),
    );
    expect(outcome.kind).toBe('principal');
    expect(idp.jwksFetches()).toBe(before + 1);
  });

  it('refuses expired, not yet valid, other-audience and other-issuer tokens, saying which', async () => {
    const v = verifier();
    const now = Math.floor(Date.now() / 1000);
    const base = { testio_tenant: 'default', scope: 'testio:read' };
    expect(refusal(await v.verify(await idp.sign({ ...base, exp: now - 3600 })))).toEqual({
      status: 401,
      message: 'The access token has expired',
    });
    expect(refusal(await v.verify(await idp.sign({ ...base, nbf: now + 3600 }))).message).toContain(
      'not valid yet',
    );
    expect(
      refusal(await v.verify(await idp.sign({ ...base, aud: 'https://other.example.com' }))).message,
    ).toContain('another audience');
    expect(
      refusal(await v.verify(await idp.sign({ ...base, iss: 'https://evil.example.com' }))).message,
    ).toContain('another issuer');
  });

  it('refuses alg none and an HS256 token signed with the public key, without fetching any key', async () => {
    const v = createJwtVerifier(config({ jwksUrl: new URL(idp.jwksUrl) }), { clock });
    const claims = { testio_tenant: 'default', scope: 'testio:admin' };
    const before = idp.jwksFetches();
    for (const token of [idp.unsigned(claims), await idp.hmacWithPublicKey(claims)]) {
      const { status, message } = refusal(await v.verify(token));
      expect(status).toBe(401);
      expect(message).toContain('signing algorithm is not accepted');
    }
    expect(idp.jwksFetches()).toBe(before);
  });

  it('refuses a token without a tenant or a role with 403, naming the claim to add', async () => {
    const v = verifier();
    const noTenant = refusal(await v.verify(await idp.sign({ scope: 'testio:read' })));
    expect(noTenant.status).toBe(403);
    expect(noTenant.message).toContain('claim testio_tenant');
    const noRole = refusal(await v.verify(await idp.sign({ testio_tenant: 'default', scope: 'openid' })));
    expect(noRole.status).toBe(403);
    expect(noRole.message).toContain('testio:read');
  });

  it('refetches the JWKS for an unknown kid at most once per cool-down, so rotation works without a restart', async () => {
    const claims = { testio_tenant: 'default', scope: 'testio:read' };
    // A long cool-down: an unknown kid right after a fetch does not fetch again.
    const patient = createJwtVerifier(config(), { clock, cooldownMs: 3_600_000 });
    expect((await patient.verify(await idp.sign(claims))).kind).toBe('principal');
    const fetched = idp.jwksFetches();
    for (let i = 0; i < 3; i += 1) {
      expect(refusal(await patient.verify(await idp.signWithUnpublishedKey(claims))).message).toContain(
        'key the authorization server',
      );
    }
    expect(idp.jwksFetches()).toBe(fetched);

    // Past the cool-down (0 here) a rotated key is fetched once and accepted.
    const prompt = createJwtVerifier(config(), { clock, cooldownMs: 0 });
    expect((await prompt.verify(await idp.sign(claims))).kind).toBe('principal');
    await idp.rotate();
    const beforeRotation = idp.jwksFetches();
    expect((await prompt.verify(await idp.sign(claims))).kind).toBe('principal');
    expect(idp.jwksFetches()).toBe(beforeRotation + 1);
  });

  it('answers 503 when the authorization server cannot be reached', async () => {
    const v = createJwtVerifier(config({ jwksUrl: new URL('http://127.0.0.1:9/jwks') }), { clock });
    expect(refusal(await v.verify(await idp.sign({ testio_tenant: 'default' }))).status).toBe(503);
  });
});

describe('OAuth settings', () => {
  it('needs an audience with an issuer, https beyond loopback, and an issuer for the other variables', () => {
    const error = (settings: Parameters<typeof oauthConfigFrom>[0]) => {
      try {
        oauthConfigFrom(settings);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInputError);
        return (e as InvalidInputError).toUserText();
      }
      throw new Error('expected an error');
    };
    expect(error({ TESTIO_OAUTH_ISSUER: 'https://id.example.com' })).toMatch(
      /TESTIO_OAUTH_AUDIENCE is not[\s\S]*ℹ️[\s\S]*💡 Set TESTIO_OAUTH_AUDIENCE/,
    );
    expect(
      error({ TESTIO_OAUTH_ISSUER: 'http://id.example.com', TESTIO_OAUTH_AUDIENCE: AUDIENCE }),
    ).toContain('is not an https URL');
    expect(error({ TESTIO_OAUTH_AUDIENCE: AUDIENCE })).toContain('TESTIO_OAUTH_ISSUER is not');
    expect(oauthConfigFrom({})).toBeUndefined();
  });

  it('tries RFC 8414 then OpenID Connect discovery, path-aware', () => {
    expect(metadataUrls('https://id.example.com/tenant1').map(String)).toEqual([
      'https://id.example.com/.well-known/oauth-authorization-server/tenant1',
      'https://id.example.com/.well-known/openid-configuration/tenant1',
      'https://id.example.com/tenant1/.well-known/openid-configuration',
    ]);
  });
});

describe('keys and tokens together', () => {
  it('keeps API keys working, requires a principal, refuses tenants not served, and names the issuer', async () => {
    const keys = createAuthenticator({
      staticKeys: ['static-key-0123456789'],
      servedTenants: ['default'],
      clock,
    });
    const auth = withOAuth(keys, createJwtVerifier(config(), { clock }), ['default']);
    expect(auth.configured()).toBe(true);
    expect(auth.authorizationServers).toEqual([idp.issuer]);
    expect((await auth.authenticate('static-key-0123456789')).kind).toBe('principal');
    expect(refusal(await auth.authenticate(undefined)).status).toBe(401);
    expect(refusal(await auth.authenticate('not-a-key')).status).toBe(401);
    const other = refusal(
      await auth.authenticate(await idp.sign({ testio_tenant: 'acme', scope: 'testio:read' })),
    );
    expect(other).toEqual({
      status: 403,
      message: "The access token of oauth:user-1 is for tenant 'acme', which this server does not serve",
    });
  });
});
