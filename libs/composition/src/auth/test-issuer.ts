import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  base64url,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

/**
 * A stand-in authorization server for tests (ADR 0025): it serves RFC 8414 metadata and a JWKS on
 * loopback, holds keys it generated itself, and mints tokens, good and bad, with them.
 */

export interface TestTokenClaims extends JWTPayload {
  readonly [claim: string]: unknown;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
}

export interface TestIssuer {
  /** `http://127.0.0.1:<port>`: the `iss` of its tokens. */
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly audience: string;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  /** A token signed by the current key: `sub`, `iss`, `aud`, `exp` (+10 min) and `claims` over them. */
  sign(claims?: TestTokenClaims): Promise<string>;
  /** A token signed by a key the JWKS does not publish (yet). */
  signWithUnpublishedKey(claims?: TestTokenClaims): Promise<string>;
  /** Publishes the unpublished key and makes it the current one (the old one is dropped). */
  rotate(): Promise<void>;
  /** `alg: none`, no signature. */
  unsigned(claims?: TestTokenClaims): string;
  /** HS256 with the current public key (PEM) as the HMAC secret: the classic confusion attack. */
  hmacWithPublicKey(claims?: TestTokenClaims): Promise<string>;
  close(): Promise<void>;
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicKey, jwk };
}

/** `clock`: the verifier's, so `exp` and `nbf` mean the same to both (tests run on a shifted clock). */
export async function startTestIssuer(
  audience: string,
  clock: { now(): Date } = { now: () => new Date() },
): Promise<TestIssuer> {
  let current = await newKey();
  let next = await newKey();
  let fetches = 0;
  let issuer = '';
  const server: Server = createServer((req, res) => {
    const reply = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/oauth-authorization-server') {
      return reply({ issuer, jwks_uri: `${issuer}/jwks`, scopes_supported: ['testio:read'] });
    }
    if (req.url === '/jwks') {
      fetches += 1;
      return reply({ keys: [current.jwk] });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const payload = (claims: TestTokenClaims = {}): JWTPayload => {
    const now = Math.floor(clock.now().getTime() / 1000);
    return { iss: issuer, aud: audience, sub: 'user-1', iat: now, exp: now + 600, ...claims };
  };
  const signWith = (key: SigningKey, claims?: TestTokenClaims) =>
    new SignJWT(payload(claims)).setProtectedHeader({ alg: 'RS256', kid: key.kid }).sign(key.privateKey);

  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    audience,
    jwksFetches: () => fetches,
    sign: (claims) => signWith(current, claims),
    signWithUnpublishedKey: (claims) => signWith(next, claims),
    async rotate() {
      current = next;
      next = await newKey();
    },
    unsigned(claims) {
      const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
      return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload(claims))}.`;
    },
    async hmacWithPublicKey(claims) {
      const secret = new TextEncoder().encode(await exportSPKI(current.publicKey));
      return new SignJWT(payload(claims)).setProtectedHeader({ alg: 'HS256', kid: current.kid }).sign(secret);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
