import {
  credentialFromHeaders,
  mayAct,
  refusalParts,
  resourceMetadataUrl,
  roleForRequest,
  serverAdminRefusal,
  wwwAuthenticate,
  type AuthOutcome,
  type Authenticator,
} from '@testio-mcp/composition';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from './errors.js';
import { requestContext } from './request-context.js';

/**
 * The REST side of the one authenticator (libs/composition, ADR 0022): the credential comes from
 * `Authorization: Bearer <key>` or `X-API-Key: <key>` and is never logged or echoed; the principal's id
 * goes on the request context (logs, rate-limit bucket). A missing or bad credential is 401 with the RFC
 * 9728 challenge; a principal whose role does not cover the route is 403.
 */

/** `scheme://host/basePath` as the client addressed it (honouring `trust proxy`). */
export function publicBase(req: Request, basePath: string): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${basePath}`;
}

export function principalMiddleware(authenticator: Authenticator, basePath: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // Keys answer at once; a JWT waits for its signature check (and, rarely, a JWKS fetch).
    const answer = authenticator.authenticate(
      credentialFromHeaders(req.get('authorization'), req.get('x-api-key')),
    );
    if (answer instanceof Promise) answer.then((outcome) => decide(outcome, req, res, next), next);
    else decide(answer, req, res, next);
  };

  function decide(outcome: AuthOutcome, req: Request, res: Response, next: NextFunction): void {
    if (outcome.kind === 'refused') {
      return next(
        outcome.status === 401
          ? new HttpError(401, 'unauthorized', outcome.message, outcome.hint, {
              'WWW-Authenticate': wwwAuthenticate(publicBase(req, basePath)),
            })
          : outcome.status === 403
            ? new HttpError(403, 'forbidden', outcome.message, outcome.hint)
            : new HttpError(503, 'unavailable', outcome.message, outcome.hint, { 'Retry-After': '5' }),
      );
    }
    if (outcome.kind === 'open') return next();
    const ctx = requestContext(res);
    ctx.keyId = outcome.principal.id;
    ctx.principal = outcome.principal;
    const needed = roleForRequest(req.method, req.path);
    if (!mayAct(outcome.principal, needed)) {
      const parts = refusalParts(outcome.principal, needed, `${req.method} ${req.path}`);
      return next(
        new HttpError(403, 'forbidden', `${parts.message}. ${parts.reason}`, parts.hint, {
          'WWW-Authenticate': `Bearer error="insufficient_scope", resource_metadata="${resourceMetadataUrl(publicBase(req, basePath))}"`,
        }),
      );
    }
    const serverWide = serverAdminRefusal(outcome.principal, req.path);
    if (serverWide) {
      return next(
        new HttpError(403, 'forbidden', `${serverWide.message}. ${serverWide.reason}`, serverWide.hint),
      );
    }
    return next();
  }
}
