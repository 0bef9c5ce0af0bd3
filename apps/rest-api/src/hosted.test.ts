import { isDomainError } from '@testio-mcp/domain';
import { createCaptureLogger } from '@testio-mcp/sync/testing';
import { describe, expect, it } from 'vitest';
import { prepareHostedRestApi } from './hosted.js';

/** The REST API hosted on `serve`'s port: its settings follow the address `serve` binds (ADR 0015). */

const logger = createCaptureLogger();
const KEY = 'k-0123456789abcdef';

describe('prepareHostedRestApi', () => {
  it('refuses a non-loopback bind without keys, in the words of serve, naming --api-mode mcp', () => {
    let error: unknown;
    try {
      prepareHostedRestApi({ env: {}, bindHost: '0.0.0.0', logger });
    } catch (caught) {
      error = caught;
    }
    expect(isDomainError(error) && error.code).toBe('invalid_input');
    const text = isDomainError(error) ? error.toUserText() : '';
    expect(text).toContain('Serving the REST API on 0.0.0.0');
    expect(text).toContain('--api-mode mcp');
    expect(text).not.toContain('TESTIO_REST_HOST');
  });

  it('decides key checks from the bind address, not from TESTIO_REST_HOST (which is for `api` alone)', () => {
    expect(prepareHostedRestApi({ env: {}, bindHost: '127.0.0.1', logger }).auth).toBe('off');
    expect(
      prepareHostedRestApi({ env: { TESTIO_REST_HOST: '0.0.0.0' }, bindHost: '127.0.0.1', logger }).auth,
    ).toBe('off');
    expect(prepareHostedRestApi({ env: { TESTIO_API_KEYS: KEY }, bindHost: '::1', logger }).auth).toBe(
      'optional',
    );
    expect(prepareHostedRestApi({ env: { TESTIO_API_KEYS: KEY }, bindHost: '0.0.0.0', logger }).auth).toBe(
      'required',
    );
  });

  it('checks the REST settings it keeps, and carries the base path', () => {
    expect(
      prepareHostedRestApi({ env: { TESTIO_REST_BASE_PATH: '/testio/' }, bindHost: '127.0.0.1', logger })
        .basePath,
    ).toBe('/testio');
    expect(() =>
      prepareHostedRestApi({ env: { TESTIO_REST_RATE_LIMIT: 'lots' }, bindHost: '127.0.0.1', logger }),
    ).toThrow(/TESTIO_REST_RATE_LIMIT/);
  });
});
