import { describe, expect, it } from 'vitest';
import { ClientOptionsError, DEFAULT_USER_AGENT, resolveClientOptions } from './options.js';

const base = { baseUrl: 'https://api.test.io/customer/v2', token: 'tok-123456' };

describe('resolveClientOptions', () => {
  it('fills defaults and normalises the base URL to end with a slash', () => {
    const o = resolveClientOptions(base);
    expect(o).toMatchObject({
      baseUrl: 'https://api.test.io/customer/v2/',
      maxConcurrentRequests: 10,
      timeoutMs: 90_000,
      retries: 3,
      recoveryRetries: 1,
      retryBaseDelayMs: 1000,
      maxRetryAfterSeconds: 120,
      userAgent: DEFAULT_USER_AGENT,
    });
    expect(resolveClientOptions({ ...base, baseUrl: 'https://api.test.io/customer/v2//' }).baseUrl).toBe(
      'https://api.test.io/customer/v2/',
    );
    expect(DEFAULT_USER_AGENT).toMatch(/^testio-mcp\/\d+\.\d+\.\d+$/);
  });

  it.each([
    [{ ...base, baseUrl: '' }, 'baseUrl'],
    [{ ...base, baseUrl: 'not a url' }, 'baseUrl'],
    [{ ...base, baseUrl: 'ftp://x/y' }, 'baseUrl'],
    [{ ...base, baseUrl: 'https://u:p@x/y' }, 'baseUrl'],
    [{ ...base, token: '' }, 'token'],
    [{ ...base, token: 'a b' }, 'token'],
    [{ ...base, maxConcurrentRequests: 0 }, 'maxConcurrentRequests'],
    [{ ...base, timeoutMs: 1.5 }, 'timeoutMs'],
    [{ ...base, retries: -1 }, 'retries'],
    [{ ...base, retryBaseDelayMs: -5 }, 'retryBaseDelayMs'],
    [{ ...base, maxRetryAfterSeconds: Number.NaN }, 'maxRetryAfterSeconds'],
    [{ ...base, userAgent: 'a\nb' }, 'userAgent'],
  ])('rejects a bad option and names it (%#)', (options, option) => {
    let caught: unknown;
    try {
      resolveClientOptions(options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ClientOptionsError);
    expect((caught as ClientOptionsError).option).toBe(option);
    expect((caught as Error).message).toContain(`\`${option}\``);
  });

  it('never echoes the token in an error', () => {
    expect(() => resolveClientOptions({ ...base, token: 'secret token' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret') }),
    );
  });
});
