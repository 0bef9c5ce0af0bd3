import type { AxiosError, AxiosRequestConfig } from 'axios';
import { isNetworkError, type IAxiosRetryConfig } from 'axios-retry';
import type { Logger } from '@testio-mcp/domain';

/** Wait used when a 429 carries no (readable) `Retry-After`, as the reference client does. */
export const DEFAULT_RETRY_AFTER_SECONDS = 30;

/**
 * Parses a `Retry-After` header: delay-seconds (`"120"`) or an HTTP-date. Returns whole seconds to
 * wait (never negative), or `undefined` when the header is absent or unreadable.
 */
export function parseRetryAfter(header: unknown, now: Date = new Date()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.ceil(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed));
  if (/^-/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** The seconds a 429 response asks us to wait (`Retry-After`, default 30 s). */
export function retryAfterSecondsOf(error: Pick<AxiosError, 'response'>, now?: Date): number | undefined {
  if (error.response?.status !== 429) return undefined;
  return parseRetryAfter(error.response.headers?.['retry-after'], now) ?? DEFAULT_RETRY_AFTER_SECONDS;
}

/**
 * Exponential backoff with jitter: `base · 2^(retry-1)` plus up to 20 % random extra
 * (1 s, 2 s, 4 s … for the default base of 1 s).
 */
export function backoffDelayMs(
  retryNumber: number,
  baseDelayMs: number,
  random: () => number = Math.random,
): number {
  const delay = baseDelayMs * 2 ** Math.max(0, retryNumber - 1);
  return Math.round(delay + delay * 0.2 * random());
}

export function isTimeoutError(error: Pick<AxiosError, 'code' | 'response'>): boolean {
  return !error.response && (error.code === 'ETIMEDOUT' || error.code === 'ECONNABORTED');
}

const IDEMPOTENT_METHODS = new Set(['get', 'head', 'options']);

export interface RetryPolicy {
  readonly retries: number;
  /** Retries when every failed attempt so far is a 429 within the cap (see `withinRetryBudget`). */
  readonly rateLimitRetries: number;
  readonly retryBaseDelayMs: number;
  readonly maxRetryAfterSeconds: number;
}

/**
 * Whether a failed attempt is retried: only idempotent requests, on network errors, timeouts, 408
 * and 5xx, and on 429 when the requested wait is within `maxRetryAfterSeconds`.
 */
export function shouldRetryRequest(error: AxiosError, policy: RetryPolicy): boolean {
  const method = (error.config?.method ?? 'get').toLowerCase();
  if (!IDEMPOTENT_METHODS.has(method)) return false;
  if (error.code === 'ERR_CANCELED' || error.config?.signal?.aborted) return false;
  const status = error.response?.status;
  if (status === undefined) return isTimeoutError(error) || isNetworkError(error);
  if (status === 429)
    return (retryAfterSecondsOf(error) ?? DEFAULT_RETRY_AFTER_SECONDS) <= policy.maxRetryAfterSeconds;
  return status === 408 || (status >= 500 && status <= 599);
}

/**
 * The delay before retry number `retryNumber` (1-based): backoff, or for a 429 its `Retry-After` plus up
 * to 10 % random extra. Never less than the server asked; the extra keeps the requests that a rate limit
 * stopped together from all retrying in the same millisecond and being stopped together again.
 */
export function retryDelayMs(
  retryNumber: number,
  error: AxiosError,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const retryAfter = retryAfterSecondsOf(error);
  if (retryAfter !== undefined) return Math.round(retryAfter * 1000 * (1 + 0.1 * random()));
  return backoffDelayMs(retryNumber, policy.retryBaseDelayMs, random);
}

/**
 * Whether the request has retries left for this failure: a 429 may use `rateLimitRetries`, anything
 * else `retries`. A per-request `retries` (the walk's recovery re-reads) caps both, as axios-retry
 * applies it before asking.
 */
export function withinRetryBudget(error: AxiosError, policy: RetryPolicy): boolean {
  const done = error.config?.['axios-retry']?.retryCount ?? 0;
  return done < (error.response?.status === 429 ? policy.rateLimitRetries : policy.retries);
}

/** How many attempts a request took, from the state axios-retry keeps on the request config. */
export function attemptsOf(config: AxiosRequestConfig | undefined): number {
  return (config?.['axios-retry']?.retryCount ?? 0) + 1;
}

/** The axios-retry configuration for a client instance. */
export function createRetryConfig(policy: RetryPolicy, logger: Logger): IAxiosRetryConfig {
  return {
    retries: Math.max(policy.retries, policy.rateLimitRetries),
    shouldResetTimeout: true,
    retryCondition: (error) => shouldRetryRequest(error, policy) && withinRetryBudget(error, policy),
    retryDelay: (retryNumber, error) => retryDelayMs(retryNumber, error, policy),
    onRetry: (retryNumber, error, config) => {
      logger.warn(
        {
          method: (config.method ?? 'get').toUpperCase(),
          path: config.url,
          attempt: retryNumber + 1,
          status: error.response?.status ?? (isTimeoutError(error) ? 408 : 0),
          code: error.code,
          retryAfterSeconds: retryAfterSecondsOf(error),
        },
        'retrying TestIO request',
      );
    },
  };
}
