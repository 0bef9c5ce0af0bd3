import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import {
  numberIn,
  parseSharedSettings,
  playbookThresholdsFrom,
  PRODUCTION_API_BASE_URL,
  referenceOnlySettingWarnings,
} from './settings.js';

describe('shared settings', () => {
  it('uses the reference defaults and demo mode when nothing is set', () => {
    const settings = parseSharedSettings({});
    expect(settings.TESTIO_CUSTOMER_API_TOKEN).toBeUndefined();
    expect(settings.TESTIO_CUSTOMER_API_BASE_URL).toBe(PRODUCTION_API_BASE_URL);
    expect(settings.CACHE_TTL_SECONDS).toBe(3600);
    expect(settings.MAX_CONCURRENT_API_REQUESTS).toBe(10);
    expect(settings.HTTP_TIMEOUT_SECONDS).toBe(90);
    expect(settings.LOG_LEVEL).toBe('info');
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('accepts the forgiving product id forms', () => {
    expect(parseSharedSettings({ TESTIO_PRODUCT_IDS: '598, 599' }).TESTIO_PRODUCT_IDS).toEqual([598, 599]);
    expect(parseSharedSettings({ TESTIO_PRODUCT_IDS: '[598,"599"]' }).TESTIO_PRODUCT_IDS).toEqual([598, 599]);
    expect(parseSharedSettings({ LOG_LEVEL: 'WARNING' }).LOG_LEVEL).toBe('warn');
  });

  it('treats empty values as unset', () => {
    expect(
      parseSharedSettings({ TESTIO_CUSTOMER_API_TOKEN: '  ', CACHE_TTL_SECONDS: '' }).CACHE_TTL_SECONDS,
    ).toBe(3600);
  });

  it('names the variable, the value and what is allowed', () => {
    let error: unknown;
    try {
      parseSharedSettings({ MAX_CONCURRENT_API_REQUESTS: '500', TESTIO_PRODUCT_IDS: '598,abc' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const message = (error as Error).message;
    expect(message).toContain("MAX_CONCURRENT_API_REQUESTS='500' is not valid: must be at most 50");
    expect(message).toContain(
      "TESTIO_PRODUCT_IDS='598,abc' is not valid: expected comma-separated numeric ids, got 'abc'",
    );
    expect((error as InvalidInputError).issues.map((i) => i.field).sort()).toEqual([
      'MAX_CONCURRENT_API_REQUESTS',
      'TESTIO_PRODUCT_IDS',
    ]);
  });

  it('reports a bad URL without echoing the token beside it', () => {
    const env = { TESTIO_CUSTOMER_API_BASE_URL: 'not a url', TESTIO_CUSTOMER_API_TOKEN: 'tok-SECRET-123' };
    expect(() => parseSharedSettings(env)).toThrow(/TESTIO_CUSTOMER_API_BASE_URL='not a url' is not valid/);
    expect(() => parseSharedSettings(env)).not.toThrow(/tok-SECRET-123/);
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from network addresses', async () => {
    const { isLoopbackHost } = await import('./settings.js');
    expect(['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.10', 'example.com'].some(isLoopbackHost)).toBe(false);
  });

  it('has the playbook thresholds and the export directory, and refuses thresholds out of order', () => {
    const settings = parseSharedSettings({});
    expect(playbookThresholdsFrom(settings)).toEqual({
      rejection_rate: { warning: 0.2, critical: 0.35, direction: 'above' },
      auto_acceptance_rate: { warning: 0.2, critical: 0.4, direction: 'above' },
      review_rate: { warning: 0.8, critical: 0.6, direction: 'below' },
    });
    expect(settings.TESTIO_EXPORT_DIR).toBe('~/.testio-mcp/exports');
    expect(
      parseSharedSettings({ PLAYBOOK_REJECTION_WARNING: '0.1', PLAYBOOK_REJECTION_CRITICAL: '0.5' })
        .PLAYBOOK_REJECTION_CRITICAL,
    ).toBe(0.5);
    expect(() => parseSharedSettings({ PLAYBOOK_REJECTION_WARNING: '0.4' })).toThrow(
      /PLAYBOOK_REJECTION_WARNING=0.4 must be below PLAYBOOK_REJECTION_CRITICAL=0.35/,
    );
    expect(() => parseSharedSettings({ PLAYBOOK_REVIEW_CRITICAL: '0.9' })).toThrow(
      /PLAYBOOK_REVIEW_WARNING=0.8 must be above PLAYBOOK_REVIEW_CRITICAL=0.9/,
    );
    expect(() => parseSharedSettings({ PLAYBOOK_AUTO_ACCEPTANCE_WARNING: '20' })).toThrow(InvalidInputError);
  });
});

describe('log file settings', () => {
  it('defaults to no file, 10 MB and 5 rotated files', () => {
    const settings = parseSharedSettings({});
    expect(settings.LOG_FILE).toBeUndefined();
    expect(settings.LOG_FILE_MAX_SIZE_MB).toBe(10);
    expect(settings.LOG_FILE_MAX_FILES).toBe(5);
  });

  it('names the variable, the value and the limits of a bad size or count', () => {
    expect(() => parseSharedSettings({ LOG_FILE_MAX_SIZE_MB: '0' })).toThrow(
      "LOG_FILE_MAX_SIZE_MB='0' is not valid: must be at least 1",
    );
    expect(() => parseSharedSettings({ LOG_FILE_MAX_FILES: 'many' })).toThrow(
      "LOG_FILE_MAX_FILES='many' is not valid: expected an integer between 1 and 100",
    );
  });
});

describe("the reference's variables this product does not use", () => {
  it('gives one warning per variable that is set, naming it and the setting that replaces it', () => {
    const warnings = referenceOnlySettingWarnings({
      BUG_CACHE_ENABLED: 'true',
      CONNECTION_POOL_SIZE: '20',
      MAX_CONCURRENT_DB_WRITES: '',
      FEATURE_CACHE_TTL_SECONDS: '3600',
      LOG_LEVEL: 'INFO',
    });
    expect(warnings.map((w) => w.variable)).toEqual([
      'BUG_CACHE_ENABLED',
      'FEATURE_CACHE_TTL_SECONDS',
      'CONNECTION_POOL_SIZE',
    ]);
    expect(warnings[1]?.message).toBe(
      'FEATURE_CACHE_TTL_SECONDS is set but TestIO MCP does not use it: replaced by CACHE_TTL_SECONDS. Remove it from the environment or the env file to silence this warning',
    );
  });

  it('does not stop the settings from parsing', () => {
    const settings = parseSharedSettings({
      TESTIO_SKIP_MIGRATIONS: 'true',
      MAX_ACQUIRE_TIMEOUT_SECONDS: '10.0',
    });
    expect(settings.HTTP_TIMEOUT_SECONDS).toBe(90);
  });

  it("accepts the reference's decimal seconds such as 10.0", () => {
    expect(numberIn(1, 60).parse('10.0')).toBe(10);
    expect(numberIn(1, 60).safeParse('0.5').success).toBe(false);
  });
});
