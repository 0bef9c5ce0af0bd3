import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, sanitizeExcerpt } from './redact.js';

describe('redactSecrets', () => {
  it('removes exact secrets and Authorization credentials', () => {
    expect(redactSecrets('token=abc123secret here abc123secret', ['abc123secret'])).toBe(
      `token=${REDACTED} here ${REDACTED}`,
    );
    expect(redactSecrets('Authorization: Token zzz-111')).toBe(`Authorization: Token ${REDACTED}`);
    expect(redactSecrets('{"authorization":"Bearer q.w.e"}')).toBe(`{"authorization":"Bearer ${REDACTED}"}`);
  });

  it('leaves ordinary prose alone', () => {
    expect(redactSecrets('Your API token is invalid or has expired')).toBe(
      'Your API token is invalid or has expired',
    );
  });
});

describe('sanitizeExcerpt', () => {
  it('flattens control characters and cuts long text', () => {
    expect(sanitizeExcerpt('a\n\tb\u0000c', 80)).toBe('a b c');
    const cut = sanitizeExcerpt('x'.repeat(100), 10);
    expect(cut).toHaveLength(10);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('redacts secrets before cutting', () => {
    expect(sanitizeExcerpt('<html>s3cr3t-token</html>', 80, ['s3cr3t-token'])).toBe(
      `<html>${REDACTED}</html>`,
    );
  });
});
