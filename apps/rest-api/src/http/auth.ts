import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from './errors.js';
import { requestContext } from './request-context.js';

/**
 * API keys: only SHA-256 digests are kept; a presented key is hashed and compared with every stored
 * digest in constant time (no early exit, so timing tells nothing about which or how many keys exist).
 * Keys are read from `Authorization: Bearer <key>` or `X-API-Key: <key>`, and never logged or echoed;
 * logs carry a short fingerprint (`key_id`) instead.
 */

export interface ApiKeyAuthOptions {
  readonly keys: readonly string[];
  /** true: every request needs a valid key. false: a key is optional, but a wrong one is still refused. */
  readonly required: boolean;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** 12 hex characters of the key's SHA-256: enough to tell keys apart in logs, useless to an attacker. */
export function keyFingerprint(key: string): string {
  return digest(key).toString('hex').slice(0, 12);
}

export interface ApiKeyVerifier {
  /** The fingerprint of the matching key, or null. */
  verify(presented: string): string | null;
  readonly size: number;
}

export function createApiKeyVerifier(keys: readonly string[]): ApiKeyVerifier {
  const stored = keys.map((k) => ({ digest: digest(k), id: keyFingerprint(k) }));
  return {
    size: stored.length,
    verify(presented) {
      const candidate = digest(presented);
      let match: string | null = null;
      for (const entry of stored) {
        if (timingSafeEqual(candidate, entry.digest)) match = entry.id;
      }
      return match;
    },
  };
}

/** The key a request presents, or undefined; an `Authorization` header of another scheme is ignored. */
export function presentedKey(req: Request): string | undefined {
  const header = req.get('x-api-key');
  if (header !== undefined && header.trim() !== '') return header.trim();
  const authorization = req.get('authorization');
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
  return match?.[1]?.trim() || undefined;
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="testio-mcp"' };

export function apiKeyMiddleware(options: ApiKeyAuthOptions): RequestHandler {
  const verifier = createApiKeyVerifier(options.keys);
  return (req: Request, res: Response, next: NextFunction) => {
    const key = presentedKey(req);
    if (key === undefined) {
      if (!options.required) return next();
      return next(
        new HttpError(
          401,
          'unauthorized',
          'An API key is required',
          'Send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"',
          CHALLENGE,
        ),
      );
    }
    const keyId = verifier.size > 0 ? verifier.verify(key) : null;
    if (keyId === null) {
      return next(
        new HttpError(
          401,
          'unauthorized',
          'The API key is not valid',
          verifier.size > 0
            ? 'Check the key against TESTIO_API_KEYS on the server'
            : 'This server has no API keys configured; send no key',
          CHALLENGE,
        ),
      );
    }
    requestContext(res).keyId = keyId;
    return next();
  };
}
