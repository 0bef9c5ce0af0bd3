import type { Request, Response } from 'express';

/**
 * tsoa's `authenticationModule`. Controllers declare `@Security('bearer')` / `@Security('apiKey')` so
 * the OpenAPI document (and the Swagger UI "Authorize" button) describe the API keys; the keys
 * themselves are checked earlier, by `apiKeyMiddleware`, for every request including `/metrics` and
 * unknown routes. By the time a route runs the caller has passed that check, so this only hands the
 * key's fingerprint (or null on an open loopback server) to `request.user`.
 */
export async function expressAuthentication(
  _request: Request,
  _securityName: string,
  _scopes?: string[],
  response?: Response,
): Promise<{ key_id: string | null }> {
  const ctx = response?.locals['ctx'] as { keyId?: string | null } | undefined;
  return { key_id: ctx?.keyId ?? null };
}
