import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderEnvFile, writeSecretFile } from './env-file.js';

describe('the env file setup writes', () => {
  it('reads back the same values through Node’s own parser, quoting what needs it', () => {
    const text = renderEnvFile({
      token: 'tok_ABC-123.xyz',
      baseUrl: 'https://api.test.io/customer/v2',
      customerName: 'Acme # Europe',
      customerId: 12,
      productIds: [598, 599],
      toolsets: ['discovery', 'search'],
    });
    expect(parseEnv(text)).toEqual({
      TESTIO_CUSTOMER_API_TOKEN: 'tok_ABC-123.xyz',
      TESTIO_CUSTOMER_API_BASE_URL: 'https://api.test.io/customer/v2',
      TESTIO_CUSTOMER_NAME: 'Acme # Europe',
      TESTIO_CUSTOMER_ID: '12',
      TESTIO_PRODUCT_IDS: '598,599',
      TESTIO_TOOLSETS: 'discovery,search',
    });
  });

  it('leaves products and toolsets commented out when they mean "all"', () => {
    const values = parseEnv(
      renderEnvFile({
        token: 't',
        baseUrl: 'http://127.0.0.1:4010/customer/v2',
        customerName: 'default',
        customerId: 1,
      }),
    );
    expect(values).not.toHaveProperty('TESTIO_PRODUCT_IDS');
    expect(values).not.toHaveProperty('TESTIO_TOOLSETS');
  });

  it('refuses a value with a line break instead of writing a broken file', () => {
    expect(() =>
      renderEnvFile({ token: 'a\nB=1', baseUrl: 'http://x', customerName: 'n', customerId: 1 }),
    ).toThrow(/line break/);
  });

  it('writes 0600, replaces a looser file atomically, and leaves no temporary file behind', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'env-file-'));
    try {
      const file = path.join(dir, 'new', 'x.env');
      writeSecretFile(file, 'A=1\n');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      const loose = path.join(dir, 'loose.env');
      writeFileSync(loose, 'OLD=1\n');
      chmodSync(loose, 0o644);
      writeSecretFile(loose, 'NEW=1\n');
      expect(readFileSync(loose, 'utf8')).toBe('NEW=1\n');
      expect(statSync(loose).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir).sort()).toEqual(['loose.env', 'new']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
