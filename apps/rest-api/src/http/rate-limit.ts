import type { RateLimits } from '@testio-mcp/composition';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from './errors.js';
import { requestContext } from './request-context.js';

/**
 * The REST side of the per-principal limits (libs/composition, ADR 0025): one budget per principal,
 * shared with /mcp on the same port, by role; requests without a principal (an open loopback server)
 * per client address. Over the limit: 429 with `Retry-After`. Every limited answer carries
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (IETF draft headers).
 */
export function rateLimitMiddleware(limits: RateLimits): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const ctx = requestContext(res);
    limits.consume(ctx.principal, req.ip ?? 'unknown').then((decision) => {
      if (decision.kind === 'unlimited') return next();
      res.setHeader('RateLimit-Limit', String(decision.limit));
      if (decision.kind === 'allowed') {
        res.setHeader('RateLimit-Remaining', String(decision.remaining));
        res.setHeader('RateLimit-Reset', String(decision.resetSeconds));
        return next();
      }
      const retry = String(decision.retryAfterSeconds);
      res.setHeader('RateLimit-Remaining', '0');
      res.setHeader('RateLimit-Reset', retry);
      return next(
        new HttpError(
          429,
          'rate_limited',
          `Rate limit exceeded: ${decision.limit} requests per ${decision.windowSeconds} s`,
          `Retry after ${retry} s`,
          { 'Retry-After': retry },
        ),
      );
    }, next);
  };
}
