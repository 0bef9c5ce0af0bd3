import { ROLES, type Clock, type Principal, type RateWindowStore, type Role } from '@testio-mcp/domain';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Per-principal rate limits (ADR 0025), one budget per principal shared by MCP and the REST API on one
 * port: requests per minute by role, and requests without a principal (an open loopback server) per
 * client address. rate-limiter-flexible's memory store keeps the counters of one process; `sharedLimiter`
 * keeps them in the database's `rate_windows` (ADR 0035), so instances behind one load balancer spend one
 * budget.
 */

export interface RateBudget {
  /** Requests per window; 0 turns the limit off. */
  readonly points: number;
  readonly windowSeconds: number;
}

export type RateLimitConfig = Readonly<Record<Role | 'anonymous', RateBudget>>;

export type RateDecision =
  /** No limit applies (its budget is 0). */
  | { readonly kind: 'unlimited' }
  | {
      readonly kind: 'allowed';
      readonly limit: number;
      readonly windowSeconds: number;
      readonly remaining: number;
      readonly resetSeconds: number;
    }
  | {
      readonly kind: 'refused';
      readonly limit: number;
      readonly windowSeconds: number;
      readonly retryAfterSeconds: number;
    };

export interface RateLimits {
  consume(principal: Principal | undefined, clientAddress: string): Promise<RateDecision>;
}

export interface RateLimitSettings {
  readonly TESTIO_RATE_LIMIT_VIEWER?: number | undefined;
  readonly TESTIO_RATE_LIMIT_OPERATOR?: number | undefined;
  readonly TESTIO_RATE_LIMIT_ADMIN?: number | undefined;
}

/** Requests per minute of each role, from the settings (defaults in the settings schema). */
export function rateLimitConfig(settings: RateLimitSettings, anonymous: RateBudget): RateLimitConfig {
  const perMinute = (points: number | undefined, fallback: number): RateBudget => ({
    points: points ?? fallback,
    windowSeconds: 60,
  });
  return {
    viewer: perMinute(settings.TESTIO_RATE_LIMIT_VIEWER, 300),
    operator: perMinute(settings.TESTIO_RATE_LIMIT_OPERATOR, 300),
    admin: perMinute(settings.TESTIO_RATE_LIMIT_ADMIN, 600),
    anonymous,
  };
}

/** Counts one request: resolves with what is left, rejects with a `RateLimiterRes` when over the budget. */
export interface WindowLimiter {
  consume(key: string): Promise<RateLimiterRes>;
}

export type MakeLimiter = (budget: RateBudget, keyPrefix: string) => WindowLimiter;

const memoryLimiter: MakeLimiter = (budget, keyPrefix) =>
  new RateLimiterMemory({ points: budget.points, duration: budget.windowSeconds, keyPrefix });

/** Expired windows are deleted at most this often per process (a new window reuses its key's row anyway). */
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Fixed windows in the database (`rate_windows`), one row per budget key, counted in one statement, so
 * every instance on the database spends the same budget. A window starts with its key's first request
 * (the memory store's windows do too).
 */
export function sharedLimiter(
  store: RateWindowStore,
  clock: Clock,
  onStoreError: (error: unknown, during: 'count' | 'prune') => void = () => undefined,
): MakeLimiter {
  let prunedAt = 0;
  return (budget, keyPrefix) => {
    // A database that does not answer must not turn every request (/health included, which a proxy
    // reads to take this instance out) into a 500: the request is counted in this process's memory
    // instead, so a limit still applies, per instance, until the database answers again.
    const fallback = memoryLimiter(budget, keyPrefix);
    return {
      async consume(key) {
        const now = clock.now();
        if (now.getTime() - prunedAt >= PRUNE_EVERY_MS) {
          prunedAt = now.getTime();
          store.prune(now).catch((error: unknown) => onStoreError(error, 'prune'));
        }
        let hit: Awaited<ReturnType<RateWindowStore['hit']>>;
        try {
          hit = await store.hit(`${keyPrefix}:${key}`, budget.windowSeconds * 1000, now);
        } catch (error) {
          onStoreError(error, 'count');
          return fallback.consume(key);
        }
        const msBeforeNext = Math.max(0, hit.expiresAt.getTime() - now.getTime());
        const res = new RateLimiterRes(
          Math.max(0, budget.points - hit.points),
          msBeforeNext,
          hit.points,
          hit.points === 1,
        );
        if (hit.points > budget.points) throw res;
        return res;
      },
    };
  };
}

export function createRateLimits(
  config: RateLimitConfig,
  makeLimiter: MakeLimiter = memoryLimiter,
): RateLimits {
  const classes = [...ROLES, 'anonymous'] as const;
  const limiters = new Map(
    classes
      .filter((c) => config[c].points > 0)
      .map((c) => [c, { limiter: makeLimiter(config[c], `testio-${c}`), ...config[c] }] as const),
  );
  return {
    async consume(principal, clientAddress) {
      const entry = limiters.get(principal?.role ?? 'anonymous');
      if (!entry) return { kind: 'unlimited' };
      const key = principal ? `principal:${principal.id}` : `ip:${clientAddress}`;
      try {
        const res = await entry.limiter.consume(key);
        return {
          kind: 'allowed',
          limit: entry.points,
          windowSeconds: entry.windowSeconds,
          remaining: res.remainingPoints,
          resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
        };
      } catch (rejection) {
        // The library rejects with a RateLimiterRes when over the limit, with an Error when its store fails.
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return {
          kind: 'refused',
          limit: entry.points,
          windowSeconds: entry.windowSeconds,
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        };
      }
    },
  };
}
