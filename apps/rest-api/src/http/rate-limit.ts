import type { Clock } from '@testio-mcp/domain';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from './errors.js';
import { requestContext } from './request-context.js';

/**
 * Fixed-window rate limit per API key (per client address for requests without a key). Over the
 * limit: 429 with `Retry-After` (seconds until the window resets). Every answer carries
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (IETF draft headers).
 */

export interface RateLimitOptions {
  /** Requests per window; 0 turns the limit off. */
  readonly limit: number;
  readonly windowMs: number;
  readonly clock: Clock;
  /** Windows kept in memory before expired ones are swept. */
  readonly maxTrackedKeys?: number;
}

interface Window {
  startedAt: number;
  count: number;
}

export function rateLimitMiddleware(options: RateLimitOptions): RequestHandler {
  const windows = new Map<string, Window>();
  const maxTracked = options.maxTrackedKeys ?? 10_000;

  function sweep(now: number): void {
    for (const [key, w] of windows) if (now - w.startedAt >= options.windowMs) windows.delete(key);
  }

  return (req: Request, res: Response, next: NextFunction) => {
    if (options.limit <= 0) return next();
    const ctx = requestContext(res);
    const bucket = ctx.keyId ? `key:${ctx.keyId}` : `ip:${req.ip ?? 'unknown'}`;
    const now = options.clock.now().getTime();
    let window = windows.get(bucket);
    if (!window || now - window.startedAt >= options.windowMs) {
      if (windows.size >= maxTracked) sweep(now);
      window = { startedAt: now, count: 0 };
      windows.set(bucket, window);
    }
    const resetSeconds = Math.max(1, Math.ceil((window.startedAt + options.windowMs - now) / 1000));
    res.setHeader('RateLimit-Limit', String(options.limit));
    res.setHeader('RateLimit-Reset', String(resetSeconds));
    if (window.count >= options.limit) {
      res.setHeader('RateLimit-Remaining', '0');
      return next(
        new HttpError(
          429,
          'rate_limited',
          `Rate limit exceeded: ${options.limit} requests per ${Math.round(options.windowMs / 1000)} s`,
          `Retry after ${resetSeconds} s`,
          { 'Retry-After': String(resetSeconds) },
        ),
      );
    }
    window.count += 1;
    res.setHeader('RateLimit-Remaining', String(options.limit - window.count));
    return next();
  };
}
