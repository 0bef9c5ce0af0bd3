import { describe, expect, it } from 'vitest';
import { assertRestPrincipals, parseRestApiSettings } from './config.js';

describe('REST API settings', () => {
  it('serves loopback on 8081 without keys by default', () => {
    const settings = parseRestApiSettings({});
    expect(settings.TESTIO_REST_HOST).toBe('127.0.0.1');
    expect(settings.TESTIO_REST_PORT).toBe(8081);
    expect(settings.TESTIO_API_KEYS).toBeUndefined();
  });

  it('refuses a network bind address, or TESTIO_REST_REQUIRE_API_KEY, without a principal source', () => {
    const none = { configured: () => false };
    const some = { configured: () => true };
    expect(() => assertRestPrincipals(parseRestApiSettings({ TESTIO_REST_HOST: '0.0.0.0' }), none)).toThrow(
      /TESTIO_API_KEYS is empty and the database holds no usable key/,
    );
    expect(() =>
      assertRestPrincipals(parseRestApiSettings({ TESTIO_REST_REQUIRE_API_KEY: 'true' }), none),
    ).toThrow(/TESTIO_REST_REQUIRE_API_KEY=true/);
    expect(() =>
      assertRestPrincipals(parseRestApiSettings({ TESTIO_REST_HOST: '0.0.0.0' }), some),
    ).not.toThrow();
    expect(() => assertRestPrincipals(parseRestApiSettings({}), none)).not.toThrow();
  });

  it('accepts a network bind address with keys, and rejects short keys', () => {
    const keys = 'k-0123456789abcdef, k-fedcba9876543210';
    expect(
      parseRestApiSettings({ TESTIO_REST_HOST: '0.0.0.0', TESTIO_API_KEYS: keys }).TESTIO_API_KEYS,
    ).toHaveLength(2);
    expect(() => parseRestApiSettings({ TESTIO_API_KEYS: 'short' })).toThrow(/at least 16 characters/);
    expect(() => parseRestApiSettings({ TESTIO_API_KEYS: 'short' })).not.toThrow(/'short'/);
  });

  it('parses the reverse-proxy settings', () => {
    const s = parseRestApiSettings({
      TESTIO_REST_TRUST_PROXY: 'loopback, 10.0.0.0/8',
      TESTIO_REST_BASE_PATH: '/testio/',
      TESTIO_REST_CORS_ORIGINS: 'https://a.example.com, http://localhost:3000',
      TESTIO_REST_RATE_LIMIT: '0',
      TESTIO_REST_BODY_LIMIT: '1MB',
    });
    expect(s.TESTIO_REST_TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8']);
    expect(s.TESTIO_REST_BASE_PATH).toBe('/testio');
    expect(s.TESTIO_REST_CORS_ORIGINS).toEqual(['https://a.example.com', 'http://localhost:3000']);
    expect(s.TESTIO_REST_RATE_LIMIT).toBe(0);
    expect(s.TESTIO_REST_BODY_LIMIT).toBe('1mb');
    expect(parseRestApiSettings({ TESTIO_REST_TRUST_PROXY: '2' }).TESTIO_REST_TRUST_PROXY).toBe(2);
    expect(parseRestApiSettings({ TESTIO_REST_TRUST_PROXY: 'true' }).TESTIO_REST_TRUST_PROXY).toBe(true);
    expect(parseRestApiSettings({}).TESTIO_REST_TRUST_PROXY).toBe(false);
    expect(parseRestApiSettings({ TESTIO_REST_BASE_PATH: '/' }).TESTIO_REST_BASE_PATH).toBe('');
  });

  it('rejects malformed reverse-proxy settings with the variable named', () => {
    expect(() => parseRestApiSettings({ TESTIO_REST_TRUST_PROXY: 'everyone' })).toThrow(
      /TESTIO_REST_TRUST_PROXY/,
    );
    expect(() => parseRestApiSettings({ TESTIO_REST_BASE_PATH: 'no-slash' })).toThrow(
      /TESTIO_REST_BASE_PATH/,
    );
    expect(() => parseRestApiSettings({ TESTIO_REST_CORS_ORIGINS: 'https://a.example.com/path' })).toThrow(
      /TESTIO_REST_CORS_ORIGINS/,
    );
    expect(() => parseRestApiSettings({ TESTIO_REST_BODY_LIMIT: 'lots' })).toThrow(/TESTIO_REST_BODY_LIMIT/);
  });
});
