import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { productListResponse, UpstreamError } from '@testio-mcp/domain';
import { createUpstreamError, extractUpstreamMessage } from './errors.js';
import { parseResponseBody } from './parse.js';

const TOKEN = 'tok_9f8e7d6c5b4a';
const operation = { method: 'GET', path: 'products/598/exploratory_tests?page=3&per_page=25' };

function everyRendering(error: UpstreamError): string {
  return [
    error.message,
    error.reason,
    error.hint,
    error.toUserText(),
    String(error),
    JSON.stringify(error),
    error.stack,
    inspect(error, { depth: 10 }),
  ].join('\n');
}

describe('createUpstreamError', () => {
  it('401: authentication failed, points to the token setting', () => {
    const e = createUpstreamError({ operation, failure: { kind: 'http', status: 401 }, secrets: [TOKEN] });
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e.status).toBe(401);
    expect(e.code).toBe('unauthorized');
    expect(e.message).toContain('authentication failed');
    expect(e.reason).toMatch(/invalid or has expired/);
    expect(e.hint).toContain('TESTIO_CUSTOMER_API_TOKEN');
    expect(e.hint).toContain('testio-mcp setup');
    expect(e.operation).toEqual(operation);
  });

  it('403, 404 and 5xx carry their own texts', () => {
    expect(createUpstreamError({ operation, failure: { kind: 'http', status: 403 } }).message).toMatch(
      /forbidden/i,
    );
    const nf = createUpstreamError({ operation, failure: { kind: 'http', status: 404 } });
    expect(nf.status).toBe(404);
    expect(nf.message).toMatch(/not found/i);
    const s = createUpstreamError({ operation, attempts: 4, failure: { kind: 'http', status: 500 } });
    expect(s.message).toContain('after 4 attempts');
    expect(s.code).toBe('upstream_unavailable');
    expect(s.attempts).toBe(4);
  });

  it('429 beyond the cap tells how long to wait', () => {
    const e = createUpstreamError({
      operation,
      failure: { kind: 'http', status: 429, retryAfterSeconds: 600, maxRetryAfterSeconds: 120 },
    });
    expect(e.code).toBe('rate_limited');
    expect(e.retryAfterSeconds).toBe(600);
    expect(e.hint).toContain('wait 600 seconds');
    expect(e.reason).toContain('120 seconds');
  });

  it('timeout is 408 and network failure is 0', () => {
    const t = createUpstreamError({ operation, attempts: 4, failure: { kind: 'timeout', timeoutMs: 1500 } });
    expect(t.status).toBe(408);
    expect(t.message).toContain('after 4 attempts');
    expect(t.reason).toContain('1.5s');
    const n = createUpstreamError({ operation, failure: { kind: 'network', code: 'ECONNREFUSED' } });
    expect(n.status).toBe(0);
    expect(n.reason).toContain('ECONNREFUSED');
    expect(
      createUpstreamError({ operation, failure: { kind: 'network', code: 'weird <code>' } }).reason,
    ).not.toContain('weird');
  });

  it('422 repeats a short upstream message, redacted', () => {
    const msg = extractUpstreamMessage(JSON.stringify({ error: `Section required (token ${TOKEN})` }), [
      TOKEN,
    ]);
    expect(msg).toBe('Section required (token [REDACTED])');
    const e = createUpstreamError({
      operation,
      failure: { kind: 'http', status: 422, upstreamMessage: msg },
      secrets: [TOKEN],
    });
    expect(e.message).toContain('Section required');
    expect(everyRendering(e)).not.toContain(TOKEN);
  });

  it('drops long, non-JSON or differently shaped error bodies', () => {
    expect(extractUpstreamMessage(JSON.stringify({ error: 'x'.repeat(500) }))).toBeUndefined();
    expect(extractUpstreamMessage('<html>500</html>')).toBeUndefined();
    expect(extractUpstreamMessage({ message: 'nope' })).toBeUndefined();
    expect(extractUpstreamMessage({ error: 'ok\nsecond line' })).toBe('ok second line');
  });

  it('scrubs the token from every text even if it sneaks into an input', () => {
    const e = createUpstreamError({
      operation: { method: 'GET', path: `products/${TOKEN}` },
      failure: { kind: 'http', status: 400, upstreamMessage: TOKEN },
      secrets: [TOKEN],
    });
    expect([e.message, e.reason, e.hint].join()).not.toContain(TOKEN);
    expect(JSON.parse(JSON.stringify(e))).not.toHaveProperty('cause');
  });
});

describe('parseResponseBody', () => {
  const ctx = {
    operation: { method: 'GET', path: 'products' },
    status: 200,
    attempts: 1,
    expected: 'an object with `products`',
    secrets: [TOKEN],
  };
  const catchIt = (body: unknown) => {
    try {
      parseResponseBody(body, productListResponse, ctx);
    } catch (error) {
      return error as UpstreamError;
    }
    throw new Error('expected a failure');
  };

  it('returns validated data and tolerates unknown fields', () => {
    const data = parseResponseBody(
      '{"products":[{"id":1,"name":"A","extra":true}],"meta":1}',
      productListResponse,
      ctx,
    );
    expect(data.products[0]?.id).toBe(1);
  });

  it.each([
    ['{"products":[{"id":1', /truncated/],
    ['<html>Bad gateway</html>', /not JSON/],
    ['[1,2]', /not an object: got an array/],
    ['null', /not an object: got null/],
    ['', /empty/],
    ['{"items":[]}', /products: /],
    ['{"products":[{"id":"x","name":3}]}', /products\.0\.id/],
  ])('rejects %j with a clear malformed-response error', (body, reason) => {
    const e = catchIt(body);
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e.message).toBe(
      'TestIO returned a malformed response for GET products: expected an object with `products`',
    );
    expect(e.reason).toMatch(reason);
    expect(e.status).toBe(200);
  });

  it('shows at most a short, sanitised excerpt of a non-JSON body', () => {
    const e = catchIt(`<html>${'x'.repeat(5000)} ${TOKEN}</html>`);
    expect(e.reason?.length).toBeLessThan(150);
    const e2 = catchIt(`oops ${TOKEN}`);
    expect(everyRendering(e2)).not.toContain(TOKEN);
  });
});
