import { createCaptureLogger } from '@testio-mcp/sync/testing';
import { describe, expect, it } from 'vitest';
import { prepareHostedRestApi } from './hosted.js';

/** The REST API hosted on `serve`'s port: its settings follow the address `serve` binds (ADR 0015). */

const logger = createCaptureLogger();

describe('prepareHostedRestApi', () => {
  it('leaves the bind check to the host, which makes it once its mirror (and the keys in it) is open', () => {
    expect(prepareHostedRestApi({ env: {}, bindHost: '0.0.0.0', logger }).basePath).toBe('');
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
