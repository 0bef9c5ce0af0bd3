import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from './types.js';
import {
  type ProductLike,
  type TestLike,
  call,
  control,
  getJson,
  must,
  start,
} from './__fixtures__/client.js';

let sandbox: RunningSandbox;
let productId: number;
let firstPage: TestLike[];

beforeAll(async () => {
  sandbox = await start({ scale: 'small' });
  const products = (await getJson<{ products: ProductLike[] }>(sandbox, '/products')).products;
  const largest = must([...sandbox.truth().products].sort((a, b) => b.tests - a.tests)[0]);
  productId = must(products.find((p) => p.id === largest.id)).id;
  firstPage = (
    await getJson<{ exploratory_tests: TestLike[] }>(
      sandbox,
      `/products/${productId}/exploratory_tests?page=1&per_page=25`,
    )
  ).exploratory_tests;
});
afterEach(() => sandbox.setFaults({}));
afterAll(() => sandbox.close());

const page = (n: number, perPage = 25) =>
  `/products/${productId}/exploratory_tests?page=${n}&per_page=${perPage}`;

describe('latency', () => {
  it('delays API answers but not the control endpoints', async () => {
    sandbox.setFaults({ latencyMs: 150, latencyJitterMs: 20 });
    const began = performance.now();
    expect((await call(sandbox, '/products')).status).toBe(200);
    // A lower bound only: the answer cannot arrive before the injected delay.
    expect(performance.now() - began).toBeGreaterThanOrEqual(140);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After for the next `times` requests', async () => {
    sandbox.setFaults({ rateLimit: { times: 2, retryAfterSeconds: 3 } });
    for (let i = 0; i < 2; i++) {
      const limited = await call(sandbox, '/products');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('3');
      expect(limited.json()).toEqual({ error: expect.any(String) });
    }
    expect((await call(sandbox, '/products')).status).toBe(200);
  });

  it('can limit every nth request', async () => {
    sandbox.setFaults({ rateLimit: { everyNth: 3 } });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(sandbox, '/products')).status);
    expect(statuses).toEqual([200, 200, 429, 200, 200, 429]);
  });

  it('can limit only the requests of some methods (the triage writes)', async () => {
    sandbox.setFaults({ rateLimit: { times: 1, methods: ['put'] } });
    expect((await call(sandbox, '/products')).status).toBe(200);
    expect((await call(sandbox, '/bugs/5/accept', { method: 'PUT' })).status).toBe(429);
    expect((await call(sandbox, '/bugs/5/accept', { method: 'PUT' })).status).toBe(404);
    sandbox.setFaults({});
  });
});

describe('poisoned tests', () => {
  it('fails the test itself and every page holding it, and shrinking pages isolates it', async () => {
    const poisoned = must(firstPage[7]).id;
    sandbox.setFaults({ failTests: [poisoned] });
    const single = await call(sandbox, `/exploratory_tests/${poisoned}`);
    expect(single.status).toBe(500);
    expect(single.json()).toEqual({ error: 'Internal Server Error' });
    expect((await call(sandbox, page(1))).status).toBe(500);
    expect((await call(sandbox, `/products/${productId}/exploratory_tests`)).status).toBe(500);
    expect((await call(sandbox, page(2))).status).toBe(200);
    const bySize5 = [];
    for (let n = 1; n <= 5; n++) bySize5.push((await call(sandbox, page(n, 5))).status);
    expect(bySize5).toEqual([200, 500, 200, 200, 200]);
    expect((await call(sandbox, page(8, 1))).status).toBe(500);
    expect((await call(sandbox, page(9, 1))).status).toBe(200);
  });
});

describe('failing pages', () => {
  it('fails an exact page `times` times, matching per_page when given', async () => {
    sandbox.setFaults({ failPages: [{ productId, page: 2, perPage: 25, times: 1 }] });
    expect((await call(sandbox, page(2, 10))).status).toBe(200);
    expect((await call(sandbox, page(2))).status).toBe(500);
    expect((await call(sandbox, page(2))).status).toBe(200);
  });
});

describe('random failures', () => {
  it('fails everything at rate 1 and follows the seeded sequence at rate 0.5', async () => {
    sandbox.setFaults({ failRate: 1 });
    expect((await call(sandbox, '/products')).status).toBe(500);
    expect((await control(sandbox, '/health')).status).toBe(200);

    const sequence = async () => {
      sandbox.setFaults({ failRate: 0.5 });
      const statuses = [];
      for (let i = 0; i < 20; i++) statuses.push((await call(sandbox, '/products')).status);
      return statuses;
    };
    const first = await sequence();
    expect(new Set(first)).toEqual(new Set([200, 500]));
    expect(await sequence()).toEqual(first);
  });
});

describe('timeouts', () => {
  it('never answers matching requests until the client gives up', async () => {
    sandbox.setFaults({ timeouts: [{ pathPrefix: '/bugs', times: 1 }] });
    await expect(
      call(sandbox, '/bugs/reject_reasons', { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    expect((await call(sandbox, '/products')).status).toBe(200);
    expect((await call(sandbox, '/bugs/reject_reasons')).status).toBe(200);
    expect(sandbox.requestLog().some((e) => e.path === '/bugs/reject_reasons' && e.status === 0)).toBe(true);
  });

  it('does not keep close() waiting on a held request', async () => {
    const hung = await start({ faults: { timeouts: [{ pathPrefix: '/products' }] } });
    const pending = call(hung, '/products');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await hung.close();
    await expect(pending).rejects.toThrow();
  });
});

describe('malformed bodies', () => {
  it('sends truncated JSON, HTML, a top-level array and a wrong shape, each with status 200', async () => {
    sandbox.setFaults({
      malformed: [
        { pathPrefix: '/products', kind: 'truncated', times: 1 },
        { pathPrefix: '/products', kind: 'not-json', times: 1 },
        { pathPrefix: '/products', kind: 'array', times: 1 },
        { pathPrefix: '/products', kind: 'wrong-shape', times: 1 },
      ],
    });
    const truncated = await call(sandbox, '/products');
    expect(truncated.status).toBe(200);
    expect(() => truncated.json()).toThrow();
    const html = await call(sandbox, '/products');
    expect(html.status).toBe(200);
    expect(html.text).toMatch(/^<!DOCTYPE html>/);
    const array = await call(sandbox, '/products');
    const wrongShape = await call(sandbox, '/products');
    expect(wrongShape.status).toBe(200);
    expect(wrongShape.json()).toEqual({ products: 'oops' });
    // Every entry used up its `times`: bodies are whole again.
    expect(array.json()).toEqual((await getJson(sandbox, '/products'))['products']);
    expect((await call(sandbox, '/bugs/reject_reasons')).status).toBe(200);
  });
});

describe('fault control over HTTP', () => {
  it('sets, reports decrementing counters, clears, and rejects invalid faults', async () => {
    const set = await control(sandbox, '/faults', 'POST', { rateLimit: { times: 2 } });
    expect(set.status).toBe(200);
    expect((await call(sandbox, '/products')).status).toBe(429);
    expect((await control(sandbox, '/faults')).json()).toEqual({ faults: { rateLimit: { times: 1 } } });
    expect((await control(sandbox, '/faults', 'DELETE')).json()).toEqual({ faults: {} });
    expect((await call(sandbox, '/products')).status).toBe(200);
    const invalid = await control(sandbox, '/faults', 'POST', { failRate: 3 });
    expect(invalid.status).toBe(400);
    expect(invalid.json()).toEqual({ error: expect.stringContaining('failRate') });
    const unknown = await control(sandbox, '/faults', 'POST', { explode: true });
    expect(unknown.status).toBe(400);
  });

  it('takes faults at start', async () => {
    const faulty = await start({ faults: { failRate: 1 } });
    try {
      expect((await call(faulty, '/products')).status).toBe(500);
    } finally {
      await faulty.close();
    }
  });
});

describe('request log', () => {
  it('records method, path with query and status, and resets', async () => {
    sandbox.resetRequestLog();
    await call(sandbox, `/bugs?filter_test_cycle_ids=1,2`);
    await call(sandbox, '/products/1');
    await call(sandbox, '/products', { token: null });
    expect(sandbox.requestLog()).toEqual([
      { method: 'GET', path: '/bugs?filter_test_cycle_ids=1,2', status: 200 },
      { method: 'GET', path: '/products/1', status: 404 },
      { method: 'GET', path: '/products', status: 401 },
    ]);
    expect((await control(sandbox, '/requests')).json()).toEqual({ requests: sandbox.requestLog() });
    sandbox.resetRequestLog();
    expect(sandbox.requestLog()).toEqual([]);
  });
});
