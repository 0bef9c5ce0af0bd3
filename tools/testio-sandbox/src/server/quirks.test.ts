import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../types.js';
import {
  type ProductLike,
  type TestLike,
  call,
  control,
  getJson,
  must,
  start,
} from '../__fixtures__/client.js';

let sandbox: RunningSandbox;
let legacy: ProductLike;
let sectioned: ProductLike;
/** The product with the most tests: > 150, so the unpaginated cut is visible. */
let big: { id: number; tests: number };

beforeAll(async () => {
  sandbox = await start({ scale: 'small' });
  const products = (await getJson<{ products: ProductLike[] }>(sandbox, '/products')).products;
  legacy = must(
    products.find((p) => p.sections.length === 0),
    'a legacy product',
  );
  sectioned = must(
    products.find((p) => p.sections.length > 0),
    'a sectioned product',
  );
  const truth = sandbox.truth();
  const largest = must([...truth.products].sort((a, b) => b.tests - a.tests)[0]);
  big = { id: largest.id, tests: largest.tests };
});
afterAll(() => sandbox.close());

const tests = (body: unknown) => (body as { exploratory_tests: TestLike[] }).exploratory_tests;

describe('sections', () => {
  it('answers 422 for the plain features list of a sectioned product', async () => {
    const response = await call(sandbox, `/products/${sectioned.id}/features`);
    expect(response.status).toBe(422);
    expect(response.json()).toEqual({ error: expect.any(String) });
  });

  it('answers 400 for user stories of a sectioned product without section_id', async () => {
    const response = await call(sandbox, `/products/${sectioned.id}/user_stories`);
    expect(response.status).toBe(400);
    expect(response.json()).toEqual({ error: expect.stringContaining('section_id') });
  });

  it('shares features across sections and reports sections in both lists', async () => {
    expect(sectioned.sections_with_default.map((s) => s.name)).toContain('default-section');
    expect(sectioned.sections_with_default.length).toBe(sectioned.sections.length + 1);
    const truth = must(sandbox.truth().products.find((p) => p.id === sectioned.id));
    let listed = 0;
    const ids = new Set<number>();
    for (const section of sectioned.sections) {
      const body = await getJson<{ features: Array<{ id: number }> }>(
        sandbox,
        `/products/${sectioned.id}/sections/${section.id}/features`,
      );
      listed += body.features.length;
      for (const f of body.features) ids.add(f.id);
    }
    expect(ids.size).toBe(truth.features);
    expect(listed).toBeGreaterThanOrEqual(ids.size);
  });

  it('returns a bare user story without feature_id', async () => {
    const stories = await getJson<{ user_stories: Array<{ id: number }> }>(
      sandbox,
      `/products/${legacy.id}/user_stories`,
    );
    const body = await getJson(sandbox, `/user_stories/${must(stories.user_stories[0]).id}`);
    expect(Object.keys(body)).toEqual(['id', 'path', 'title']);
  });
});

describe('exploratory test pagination', () => {
  it('returns the newest 150 without page, ignoring per_page', async () => {
    expect(big.tests).toBeGreaterThan(150);
    const body = await getJson(sandbox, `/products/${big.id}/exploratory_tests?per_page=10`);
    expect(Object.keys(body)).toEqual(['exploratory_tests']);
    expect(tests(body)).toHaveLength(150);
    const paged = await getJson(sandbox, `/products/${big.id}/exploratory_tests?page=1&per_page=150`);
    expect(tests(paged).map((t) => t.id)).toEqual(tests(body).map((t) => t.id));
  });

  it('defaults per_page to 25 when page is given', async () => {
    const body = await getJson(sandbox, `/products/${big.id}/exploratory_tests?page=2`);
    const explicit = await getJson(sandbox, `/products/${big.id}/exploratory_tests?page=2&per_page=25`);
    expect(tests(body)).toHaveLength(25);
    expect(body).toEqual(explicit);
  });

  it('orders newest first by both start_at and end_at', async () => {
    const list = tests(await getJson(sandbox, `/products/${big.id}/exploratory_tests?page=1&per_page=1000`));
    expect(list).toHaveLength(big.tests);
    for (let i = 1; i < list.length; i++) {
      const [newer, older] = [must(list[i - 1]), must(list[i])];
      expect(Date.parse(newer.start_at)).toBeGreaterThanOrEqual(Date.parse(older.start_at));
      expect(Date.parse(newer.end_at)).toBeGreaterThanOrEqual(Date.parse(older.end_at));
    }
    expect(new Set(list.map((t) => t.start_at.slice(-6))).size).toBeGreaterThan(1);
  });

  it('ends with a short page, then an empty one, and sends no pagination metadata', async () => {
    const perPage = 40;
    const lastPage = Math.ceil(big.tests / perPage);
    const last = await call(
      sandbox,
      `/products/${big.id}/exploratory_tests?page=${lastPage}&per_page=${perPage}`,
    );
    expect(tests(last.json()).length).toBe(big.tests - (lastPage - 1) * perPage);
    expect(tests(last.json()).length).toBeLessThan(perPage);
    const beyond = await getJson(
      sandbox,
      `/products/${big.id}/exploratory_tests?page=${lastPage + 1}&per_page=${perPage}`,
    );
    expect(beyond).toEqual({ exploratory_tests: [] });
    for (const header of ['link', 'x-total-count', 'etag']) expect(last.headers.get(header)).toBeNull();
  });

  it('rejects a page that is not a positive integer', async () => {
    expect((await call(sandbox, `/products/${big.id}/exploratory_tests?page=0`)).status).toBe(400);
    expect((await call(sandbox, `/products/${big.id}/exploratory_tests?page=x`)).status).toBe(400);
  });
});

describe('routing and errors', () => {
  it('matches /bugs/reject_reasons before /bugs/{id}', async () => {
    const body = await getJson<{ reject_reasons: Array<{ key: string }> }>(sandbox, '/bugs/reject_reasons');
    expect(body.reject_reasons.map((r) => r.key)).toContain('known_bug');
  });

  it('answers 404 JSON for unknown ids and routes', async () => {
    for (const path of [
      `/products/999999`,
      `/products/abc`,
      `/products/${legacy.id}/sections/1/features`,
      `/products/${legacy.id}/test_environments/1`,
      '/exploratory_tests/1',
      '/bugs/12',
      '/no/such/route',
    ]) {
      const response = await call(sandbox, path);
      expect(response.status, path).toBe(404);
      expect(response.json(), path).toEqual({ error: expect.any(String) });
    }
    const outside = await fetch(`${sandbox.origin}/elsewhere`);
    expect(outside.status).toBe(404);
    expect(await outside.json()).toEqual({ error: expect.any(String) });
  });

  it('requires product_id for test templates', async () => {
    expect((await call(sandbox, '/test_templates')).status).toBe(400);
  });
});

describe('authentication', () => {
  it('answers 401 without a token or with a wrong one', async () => {
    for (const token of [null, 'wrong']) {
      const response = await call(sandbox, '/products', { token });
      expect(response.status).toBe(401);
      expect(response.json()).toEqual({ error: expect.any(String) });
    }
    const bearer = await fetch(`${sandbox.baseUrl}/products`, {
      headers: { Authorization: `Bearer ${sandbox.token}` },
    });
    expect(bearer.status).toBe(401);
  });

  it('accepts the lower-case token scheme', async () => {
    const response = await fetch(`${sandbox.baseUrl}/products`, {
      headers: { Authorization: `token ${sandbox.token}` },
    });
    expect(response.status).toBe(200);
  });

  it('lets the forbidden token list products but not read one', async () => {
    expect((await call(sandbox, '/products', { token: 'forbidden-token' })).status).toBe(200);
    const one = await call(sandbox, `/products/${legacy.id}`, { token: 'forbidden-token' });
    expect(one.status).toBe(403);
    expect(one.json()).toEqual({ error: expect.any(String) });
    expect(
      (await call(sandbox, `/products/${legacy.id}/exploratory_tests`, { token: 'forbidden-token' })).status,
    ).toBe(403);
  });

  it('keeps the control endpoints open without a token', async () => {
    const health = await control(sandbox, '/health');
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ ok: true, seed: 7, scale: 'small', now: '2025-06-01T00:00:00.000Z' });
  });

  it('honours a custom token', async () => {
    const custom = await start({ token: 'secret-123' });
    try {
      expect((await call(custom, '/products', { token: 'sandbox-token' })).status).toBe(401);
      expect((await call(custom, '/products')).status).toBe(200);
    } finally {
      await custom.close();
    }
  });
});
