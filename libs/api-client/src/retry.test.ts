import type { AxiosError } from 'axios';
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  parseRetryAfter,
  retryDelayMs,
  shouldRetryRequest,
  withinRetryBudget,
  type RetryPolicy,
} from './retry.js';

const policy: RetryPolicy = {
  retries: 3,
  rateLimitRetries: 6,
  retryBaseDelayMs: 1000,
  maxRetryAfterSeconds: 120,
};

function fakeError(partial: {
  status?: number;
  code?: string;
  method?: string;
  retryAfter?: string;
  retriesDone?: number;
}): AxiosError {
  return {
    code: partial.code,
    config: {
      method: partial.method ?? 'get',
      headers: {},
      ...(partial.retriesDone === undefined ? {} : { 'axios-retry': { retryCount: partial.retriesDone } }),
    },
    response:
      partial.status === undefined
        ? undefined
        : {
            status: partial.status,
            headers: partial.retryAfter === undefined ? {} : { 'retry-after': partial.retryAfter },
          },
  } as unknown as AxiosError;
}

describe('parseRetryAfter', () => {
  const now = new Date('2025-01-01T00:00:00Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1);
    expect(parseRetryAfter(' 120 ', now)).toBe(120);
    expect(parseRetryAfter('1.2', now)).toBe(2);
    expect(parseRetryAfter(['5'], now)).toBe(5);
  });
  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:45 GMT', now)).toBe(45);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });
  it('returns undefined for absent or unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
  });
});

describe('retry policy', () => {
  it('backs off exponentially with at most 20 % jitter', () => {
    expect(backoffDelayMs(1, 1000, () => 0)).toBe(1000);
    expect(backoffDelayMs(2, 1000, () => 0)).toBe(2000);
    expect(backoffDelayMs(3, 1000, () => 0)).toBe(4000);
    expect(backoffDelayMs(3, 1000, () => 0.999)).toBeLessThanOrEqual(4800);
  });

  it('retries GETs on 5xx, 408, timeouts and network errors only', () => {
    expect(shouldRetryRequest(fakeError({ status: 500 }), policy)).toBe(true);
    expect(shouldRetryRequest(fakeError({ status: 503 }), policy)).toBe(true);
    expect(shouldRetryRequest(fakeError({ status: 408 }), policy)).toBe(true);
    expect(shouldRetryRequest(fakeError({ code: 'ETIMEDOUT' }), policy)).toBe(true);
    expect(shouldRetryRequest(fakeError({ code: 'ECONNRESET' }), policy)).toBe(true);
    expect(shouldRetryRequest(fakeError({ code: 'ERR_CANCELED' }), policy)).toBe(false);
    for (const status of [400, 401, 403, 404, 422])
      expect(shouldRetryRequest(fakeError({ status }), policy)).toBe(false);
    expect(shouldRetryRequest(fakeError({ status: 500, method: 'post' }), policy)).toBe(false);
  });

  it('retries 429 only when Retry-After is within the cap, and waits that long plus up to 10 %', () => {
    expect(shouldRetryRequest(fakeError({ status: 429, retryAfter: '1' }), policy)).toBe(true);
    expect(shouldRetryRequest(fakeError({ status: 429 }), policy)).toBe(true); // default 30 s
    expect(shouldRetryRequest(fakeError({ status: 429, retryAfter: '121' }), policy)).toBe(false);
    expect(shouldRetryRequest(fakeError({ status: 429 }), { ...policy, maxRetryAfterSeconds: 10 })).toBe(
      false,
    );
    expect(retryDelayMs(1, fakeError({ status: 429, retryAfter: '7' }), policy, () => 0)).toBe(7000);
    expect(retryDelayMs(1, fakeError({ status: 429, retryAfter: '7' }), policy, () => 0.999)).toBe(7699);
    expect(retryDelayMs(1, fakeError({ status: 429 }), policy, () => 0)).toBe(30_000);
    // Requests stopped by one rate limit spread out instead of retrying in lockstep.
    const waits = new Set(
      Array.from({ length: 20 }, () => retryDelayMs(1, fakeError({ status: 429, retryAfter: '1' }), policy)),
    );
    expect(waits.size).toBeGreaterThan(1);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(1000);
  });
});

describe('withinRetryBudget', () => {
  it('gives a rate limit more retries than other failures', () => {
    expect(withinRetryBudget(fakeError({ status: 500, retriesDone: 2 }), policy)).toBe(true);
    expect(withinRetryBudget(fakeError({ status: 500, retriesDone: 3 }), policy)).toBe(false);
    expect(withinRetryBudget(fakeError({ code: 'ECONNRESET', retriesDone: 3 }), policy)).toBe(false);
    expect(withinRetryBudget(fakeError({ status: 429, retryAfter: '1', retriesDone: 3 }), policy)).toBe(true);
    expect(withinRetryBudget(fakeError({ status: 429, retryAfter: '1', retriesDone: 5 }), policy)).toBe(true);
    expect(withinRetryBudget(fakeError({ status: 429, retryAfter: '1', retriesDone: 6 }), policy)).toBe(
      false,
    );
  });
});
