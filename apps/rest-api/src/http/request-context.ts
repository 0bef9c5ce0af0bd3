import { randomUUID } from 'node:crypto';
import type { Logger, Principal } from '@testio-mcp/domain';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** What the middleware chain learns about a request, kept on `res.locals`. */
export interface RequestContext {
  requestId: string;
  logger: Logger;
  /** Fingerprint of the API key used (never the key), or null. */
  keyId: string | null;
  /** Who is calling, when a principal source is configured (or a key was sent). */
  principal?: Principal;
}

/** An incoming id is reused only when it is short and plain (it ends up in logs and headers). */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export function requestContext(res: Response): RequestContext {
  const ctx = res.locals['ctx'] as RequestContext | undefined;
  if (!ctx) throw new Error('request context middleware did not run');
  return ctx;
}

/** Accepts `X-Request-Id` or makes one, echoes it, and gives the request a child logger carrying it. */
export function requestIdMiddleware(logger: Logger, generate: () => string = randomUUID): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : generate();
    res.setHeader('X-Request-Id', requestId);
    const ctx: RequestContext = { requestId, logger: logger.child({ request_id: requestId }), keyId: null };
    res.locals['ctx'] = ctx;
    next();
  };
}
