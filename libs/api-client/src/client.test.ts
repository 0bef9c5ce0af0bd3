import { inspect } from 'node:util';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '@testio-mcp/domain';
import { TestIOClient, createTestIOClient } from './client.js';
import type { TestIOClientOptions } from './options.js';
import { createCaptureLogger } from './__fixtures__/capture-logger.js';
import { json, sleep, startLocalServer, type LocalServer } from './__fixtures__/local-server.js';

const TOKEN = 'tok_local_5e3c2b1a0f9e8d7c';

let server: LocalServer;
const clients: TestIOClient[] = [];

function client(options: Partial<TestIOClientOptions> = {}): TestIOClient {
  const c = createTestIOClient({ baseUrl: server.baseUrl, token: TOKEN, retryBaseDelayMs: 1, ...options });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error('expected the call to fail');
}

function renderings(error: unknown): string[] {
  return [
    (error as Error).message,
    String(error),
    JSON.stringify(error),
    (error as Error).stack ?? '',
    inspect(error, { depth: 20, showHidden: false }),
    (error as UpstreamError).toUserText(),
  ];
}

const product = (id: number, sections: number[] = []) => ({
  id,
  name: `Product ${id}`,
  type: 'website',
  sections: sections.map((s) => ({ id: s, name: `S${s}` })),
  sections_with_default: [],
});

beforeAll(async () => {
  server = await startLocalServer();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  server.requests.length = 0;
});
afterAll(async () => {
  await server.close();
});

describe('TestIOClient over HTTP (local fixture server)', () => {
  it('sends the auth, accept and user-agent headers and joins paths under the base URL', async () => {
    server.setHandler((_req, res) => json(res, 200, { products: [product(1)] }));
    await client().listProducts();
    await client({ baseUrl: `${server.baseUrl}/`, userAgent: 'custom-agent/1' }).listProducts();
    const [first, second] = server.requests;
    expect(first?.url).toBe('/customer/v2/products');
    expect(second?.url).toBe('/customer/v2/products');
    expect(first?.headers.authorization).toBe(`Token ${TOKEN}`);
    expect(first?.headers.accept).toContain('application/json');
    expect(first?.headers['user-agent']).toMatch(/^testio-mcp\//);
    expect(second?.headers['user-agent']).toBe('custom-agent/1');
  });

  it('builds each endpoint path', async () => {
    server.setHandler((req, res) => {
      const url = req.url ?? '';
      if (url.includes('/features')) return json(res, 200, { features: [] });
      if (url.includes('/user_stories')) return json(res, 200, { user_stories: [] });
      if (url.includes('/exploratory_tests/'))
        return json(res, 200, { exploratory_test: { id: 5, status: 'archived' } });
      if (url.includes('/exploratory_tests')) return json(res, 200, { exploratory_tests: [] });
      if (url.startsWith('/customer/v2/bugs/')) return json(res, 200, { bug: { id: 9 } });
      if (url.startsWith('/customer/v2/bugs')) return json(res, 200, { bugs: [] });
      return json(res, 200, { product: product(3) });
    });
    const c = client();
    await c.getProduct(3);
    await c.listFeatures(3);
    await c.listFeatures(3, 44);
    await c.listUserStories(3);
    await c.listUserStories(3, 44);
    await c.getTest(5);
    await c.listTestsPage(3, 2, 10);
    await c.listBugsForTests([1, 2, 2, 3]);
    await c.getBug(9);
    expect(server.requests.map((r) => r.url.replace('/customer/v2/', ''))).toEqual([
      'products/3',
      'products/3/features',
      'products/3/sections/44/features',
      'products/3/user_stories',
      'products/3/user_stories?section_id=44',
      'exploratory_tests/5',
      'products/3/exploratory_tests?page=2&per_page=10',
      'bugs?filter_test_cycle_ids=1,2,3',
      'bugs/9',
    ]);
    await expect(c.getTest(0)).rejects.toThrow(RangeError);
    expect(await c.listBugsForTests([])).toEqual([]);
  });

  it('merges section features by id with the union of their section ids', async () => {
    server.setHandler((req, res) => {
      const url = req.url ?? '';
      if (url.endsWith('/sections/10/features'))
        return json(res, 200, {
          features: [
            { id: 1, title: 'A' },
            { id: 2, title: 'B' },
          ],
        });
      if (url.endsWith('/sections/20/features'))
        return json(res, 200, {
          features: [
            { id: 2, title: 'B' },
            { id: 3, title: 'C' },
          ],
        });
      if (url.includes('/user_stories?section_id=')) {
        return json(res, 200, { user_stories: [{ id: 7, path: 'story', title: 'story' }] });
      }
      return json(res, 404, {});
    });
    const c = client();
    const features = await c.listProductFeatures(product(8, [10, 20]));
    expect(features.map((f) => [f.feature.id, f.sectionIds])).toEqual([
      [1, [10]],
      [2, [10, 20]],
      [3, [20]],
    ]);
    const stories = await c.listProductUserStories(product(8, [10, 20]));
    expect(stories.map((s) => [s.userStory.id, s.sectionId])).toEqual([
      [7, 10],
      [7, 20],
    ]);
  });

  it('never has more than maxConcurrentRequests attempts in flight, retries included', async () => {
    let calls = 0;
    server.setHandler(async (_req, res) => {
      calls++;
      await sleep(30);
      if (calls % 4 === 0) return json(res, 503, {});
      return json(res, 200, { exploratory_test: { id: 1, status: 'archived' } });
    });
    const c = client({ maxConcurrentRequests: 3 });
    let maxStats = 0;
    const timer = setInterval(() => {
      maxStats = Math.max(maxStats, c.stats().inFlight);
    }, 2);
    await Promise.all(Array.from({ length: 24 }, (_, i) => c.getTest(i + 1)));
    clearInterval(timer);
    expect(server.maxInFlight).toBe(3);
    expect(maxStats).toBeLessThanOrEqual(3);
    expect(calls).toBeGreaterThan(24);
    // Every attempt on the wire is counted, retries included, and the failed ones separately.
    expect(c.stats().requests).toBe(calls);
    expect(c.stats().requests - c.stats().failedRequests).toBe(24);
    expect(c.stats().failedRequests).toBeGreaterThan(0);
  });

  it('403 and 422 map to their texts; a short upstream {"error"} is kept, a long one dropped', async () => {
    server.setHandler((req, res) => {
      if (req.url?.endsWith('/products/1')) return json(res, 403, { error: 'nope' });
      if (req.url?.endsWith('/features')) return json(res, 422, { error: 'Section id is required' });
      return json(res, 400, { error: 'y'.repeat(1000) });
    });
    const c = client();
    const forbidden = await failure(c.getProduct(1));
    expect(forbidden).toMatchObject({ status: 403, code: 'forbidden', attempts: 1 });
    expect(forbidden.message).toMatch(/Access forbidden/);
    const unprocessable = await failure(c.listFeatures(2));
    expect(unprocessable.status).toBe(422);
    expect(unprocessable.message).toContain('Section id is required');
    expect(unprocessable.operation).toEqual({ method: 'GET', path: 'products/2/features' });
    const bad = await failure(c.listUserStories(2));
    expect(bad.status).toBe(400);
    expect(bad.message).not.toContain('yyyy');
  });

  it('honours an HTTP-date Retry-After and fails at once without one when the 30 s default exceeds the cap', async () => {
    let calls = 0;
    server.setHandler((_req, res) => {
      calls++;
      if (calls === 1)
        return json(res, 429, {}, { 'retry-after': new Date(Date.now() + 1000).toUTCString() });
      return json(res, 200, { products: [] });
    });
    expect(await client().listProducts()).toEqual([]);
    expect(calls).toBe(2);

    server.setHandler((_req, res) => json(res, 429, {}));
    const limited = await failure(client({ maxRetryAfterSeconds: 10 }).listProducts());
    expect(limited).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 30, attempts: 1 });
    expect(limited.hint).toContain('wait 30 seconds');
  });

  it('rejects with the abort reason when the signal fires (waiting or in flight)', async () => {
    server.setHandler(async (_req, res) => {
      await sleep(2000);
      json(res, 200, { products: [] });
    });
    const c = client({ maxConcurrentRequests: 1 });
    const controller = new AbortController();
    const inFlight = c.listProducts({ signal: controller.signal });
    const queued = c.listProducts({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(inFlight).rejects.toMatchObject({ name: 'AbortError' });
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
  });

  describe('never leaks the token', () => {
    it.each([
      ['401', 401],
      ['500', 500],
    ])('%s with the token echoed in the body', async (_name, status) => {
      server.setHandler((req, res) =>
        json(res, status, {
          error: `bad ${String(req.headers.authorization)} ${TOKEN}`,
          auth: req.headers.authorization,
        }),
      );
      const logger = createCaptureLogger();
      const error = await failure(client({ logger, retries: 2 }).listProducts());
      expect(error.status).toBe(status);
      if (status === 500) expect(error.message).toContain('after 3 attempts');
      if (status === 401) expect(error.hint).toContain('TESTIO_CUSTOMER_API_TOKEN');
      for (const text of [...renderings(error), logger.text()]) expect(text).not.toContain(TOKEN);
    });

    it('timeout', async () => {
      server.setHandler(async (_req, res) => {
        await sleep(1000);
        json(res, 200, { products: [] });
      });
      const logger = createCaptureLogger();
      const error = await failure(client({ logger, timeoutMs: 50, retries: 1 }).listProducts());
      expect(error).toMatchObject({ status: 408, attempts: 2 });
      expect(logger.lines.some((l) => l.level === 'warn')).toBe(true);
      for (const text of [...renderings(error), logger.text()]) expect(text).not.toContain(TOKEN);
    });

    it('malformed body holding the token', async () => {
      server.setHandler((req, res) => json(res, 200, `oops ${String(req.headers.authorization)} {`));
      const logger = createCaptureLogger();
      const error = await failure(client({ logger }).listProducts());
      expect(error.message).toMatch(/malformed response for GET products/);
      for (const text of [...renderings(error), logger.text()]) expect(text).not.toContain(TOKEN);
    });

    it('network failure', async () => {
      const closed = await startLocalServer();
      const baseUrl = closed.baseUrl;
      await closed.close();
      const logger = createCaptureLogger();
      const c = createTestIOClient({ baseUrl, token: TOKEN, retries: 2, retryBaseDelayMs: 1, logger });
      clients.push(c);
      const error = await failure(c.listProducts());
      expect(error).toMatchObject({ status: 0, code: 'upstream_unavailable', attempts: 3 });
      expect(error.reason).toContain('ECONNREFUSED');
      for (const text of [...renderings(error), logger.text(), inspect(c, { depth: 5 })])
        expect(text).not.toContain(TOKEN);
    });
  });
});
