import { describe, expect, it } from 'vitest';
import { parseRestApiSettings } from './config.js';

describe('REST API settings', () => {
  it('serves loopback on 8081 without keys by default', () => {
    const settings = parseRestApiSettings({});
    expect(settings.TESTIO_REST_HOST).toBe('127.0.0.1');
    expect(settings.TESTIO_REST_PORT).toBe(8081);
    expect(settings.TESTIO_API_KEYS).toBeUndefined();
  });

  it('refuses a network bind address without API keys', () => {
    expect(() => parseRestApiSettings({ TESTIO_REST_HOST: '0.0.0.0' })).toThrow(/TESTIO_API_KEYS is empty/);
  });

  it('accepts a network bind address with keys, and rejects short keys', () => {
    const keys = 'k-0123456789abcdef, k-fedcba9876543210';
    expect(parseRestApiSettings({ TESTIO_REST_HOST: '0.0.0.0', TESTIO_API_KEYS: keys }).TESTIO_API_KEYS).toHaveLength(2);
    expect(() => parseRestApiSettings({ TESTIO_API_KEYS: 'short' })).toThrow(/at least 16 characters/);
    expect(() => parseRestApiSettings({ TESTIO_API_KEYS: 'short' })).not.toThrow(/'short'/);
  });
});
