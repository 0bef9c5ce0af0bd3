/**
 * Contract tests: the real client against the real TestIO sandbox over HTTP on 127.0.0.1 (no mocks).
 * Ground truth comes from `sandbox.truth()`, request shapes from `sandbox.requestLog()`.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type GroundTruth, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import {
  UpstreamError,
  type TestListPage,
  type UpstreamExploratoryTest,
  type UpstreamProduct,
} from '@testio-mcp/domain';
import { createTestIOClient, type TestIOClient } from './client.js';
import type { TestIOClientOptions } from './options.js';
import { createCaptureLogger } from './__fixtures__/capture-logger.js';
import { startCountingProxy, startLocalServer } from './__fixtures__/local-server.js';

const TOKEN = 'sbx_tok_3f9a1c7e5d2b';

let sandbox: RunningSandbox;
let truth: GroundTruth;
let bigProduct: GroundTruth['products'][number];
/** The big product's tests as read by a clean walk: the baseline for the fault tests. */
let baseline: UpstreamExploratoryTest[];
const clients: TestIOClient[] = [];

function client(options: Partial<TestIOClientOptions> = {}): TestIOClient {
  const c = createTestIOClient({ baseUrl: sandbox.baseUrl, token: TOKEN, retryBaseDelayMs: 5, ...options });
  clients.push(c);
  return c;
}

async function collect(pages: AsyncIterable<TestListPage>): Promise<TestListPage[]> {
  const out: TestListPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
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

function expectNoToken(error: unknown, logText: string, tokens: string[] = [TOKEN]): void {
  const texts = [
    (error as Error).message,
    String(error),
    JSON.stringify(error),
    (error as Error).stack ?? '',
    inspect(error, { depth: 20 }),
    (error as UpstreamError).toUserText(),
    logText,
  ];
  for (const token of tokens) for (const text of texts) expect(text).not.toContain(token);
}

function queryIds(path: string, key: string): number[] {
  const value = new URL(`http://x${path}`).searchParams.get(key) ?? '';
  return value.split(',').filter(Boolean).map(Number);
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', scale: 'medium', token: TOKEN });
  truth = sandbox.truth({ perTest: true });
  const big = [...truth.products].sort((a, b) => b.tests - a.tests)[0];
  if (!big || big.tests <= 1000)
    throw new Error('the medium scale should have a product with more than 1,000 tests');
  bigProduct = big;
  const pages = await collect(client().walkTests(bigProduct.id, { pageSize: 25 }));
  baseline = pages.flatMap((p) => p.tests);
}, 120_000);

afterEach(() => {
  sandbox.setFaults({});
  sandbox.resetRequestLog();
  for (const c of clients.splice(0)) c.close();
});

afterAll(async () => {
  for (const c of clients.splice(0)) c.close();
  await sandbox?.close();
});

describe('products, features, user stories', () => {
  it('lists and gets products', async () => {
    const c = client();
    const products = await c.listProducts();
    expect(products.map((p) => p.id).sort((a, b) => a - b)).toEqual(
      truth.products.map((p) => p.id).sort((a, b) => a - b),
    );
    const one = await c.getProduct(bigProduct.id);
    expect(one).toMatchObject({ id: bigProduct.id, name: bigProduct.name });
    const missing = await failure(c.getProduct(987_654_321));
    expect([403, 404]).toContain(missing.status);
  });

  it('lists the features and user stories of every product, per section where it has sections', async () => {
    const c = client();
    const products = await c.listProducts();
    for (const t of truth.products) {
      const product = products.find((p) => p.id === t.id) as UpstreamProduct;
      const features = await c.listProductFeatures(product);
      expect(features).toHaveLength(t.features);
      expect(new Set(features.map((f) => f.feature.id)).size).toBe(t.features);
      const stories = await c.listProductUserStories(product);
      expect(new Set(stories.map((s) => s.userStory.id)).size).toBe(t.userStories);
      if (t.hasSections) {
        for (const f of features) {
          expect(f.sectionIds.length).toBeGreaterThan(0);
          for (const s of f.sectionIds) expect(t.sectionIds).toContain(s);
        }
        for (const s of stories) expect(t.sectionIds).toContain(s.sectionId);
        const firstSection = t.sectionIds[0] as number;
        expect(Array.isArray(await c.listFeatures(t.id, firstSection))).toBe(true);
        expect(Array.isArray(await c.listUserStories(t.id, firstSection))).toBe(true);
        // The product-level endpoint refuses sectioned products (422), as the real API does.
        expect((await failure(c.listFeatures(t.id))).status).toBe(422);
      } else {
        expect(features.every((f) => f.sectionIds.length === 0)).toBe(true);
        expect(stories.every((s) => s.sectionId === null)).toBe(true);
      }
    }
    const paths = sandbox.requestLog().map((r) => r.path);
    expect(paths.some((p) => /^\/products\/\d+\/sections\/\d+\/features$/.test(p))).toBe(true);
    expect(paths.some((p) => /^\/products\/\d+\/user_stories\?section_id=\d+$/.test(p))).toBe(true);
  });
});

describe('tests', () => {
  it('walks a product with more than 1,000 tests to the end: all of them, once, newest first', async () => {
    const expected = (truth.tests ?? []).filter((t) => t.productId === bigProduct.id).map((t) => t.id);
    expect(baseline.length).toBe(bigProduct.tests);
    const ids = baseline.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));

    const pages = await collect(client().walkTests(bigProduct.id, { pageSize: 100 }));
    expect(pages.flatMap((p) => p.tests.map((t) => t.id))).toEqual(ids);
    pages.forEach((p, i) => {
      expect(p.page).toBe(i + 1);
      expect(p.offset).toBe(i * 100);
      expect(p.failedRanges).toEqual([]);
      expect(p.isLast).toBe(i === pages.length - 1);
    });
    // Newest first: start dates never increase along the list.
    const starts = baseline
      .map((t) => t.start_at)
      .filter((s): s is string => typeof s === 'string')
      .map((s) => Date.parse(s));
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeLessThanOrEqual(starts[i - 1] as number);
  });

  it('reads one page and one test', async () => {
    const c = client();
    const page = await c.listTestsPage(bigProduct.id, 3, 10);
    expect(page.map((t) => t.id)).toEqual(baseline.slice(20, 30).map((t) => t.id));
    const first = baseline[0] as UpstreamExploratoryTest;
    const test = await c.getTest(first.id);
    expect(test.id).toBe(first.id);
    const missing = await failure(c.getTest(987_654_321));
    expect(missing).toMatchObject({
      status: 404,
      operation: { method: 'GET', path: 'exploratory_tests/987654321' },
    });
  });

  it('recovers a page that keeps failing (failPages) fully, by re-reading it with smaller pages', async () => {
    sandbox.setFaults({ failPages: [{ productId: bigProduct.id, page: 3, perPage: 25 }] });
    const pages = await collect(client().walkTests(bigProduct.id, { pageSize: 25 }));
    const third = pages[2] as TestListPage;
    expect(third).toMatchObject({ page: 3, offset: 50, failedRanges: [], isLast: false });
    expect(third.tests.map((t) => t.id)).toEqual(baseline.slice(50, 75).map((t) => t.id));
    expect(pages.flatMap((p) => p.tests.map((t) => t.id))).toEqual(baseline.map((t) => t.id));
    const log = sandbox.requestLog().filter((r) => r.path.includes('/exploratory_tests?'));
    expect(log.filter((r) => r.path.includes('page=3&per_page=25')).map((r) => r.status)).toEqual([
      500, 500, 500, 500,
    ]);
    expect(log.filter((r) => r.path.includes('per_page=5')).length).toBe(5);
  });

  it('isolates a poisoned test (failTests), reports its position, and reads the rest of the product', async () => {
    const position = 61;
    const poisoned = baseline[position] as UpstreamExploratoryTest;
    sandbox.setFaults({ failTests: [poisoned.id] });
    const pages = await collect(client().walkTests(bigProduct.id, { pageSize: 25 }));
    const failed = pages.flatMap((p) => p.failedRanges);
    expect(failed.map(({ productId, offset, count }) => ({ productId, offset, count }))).toEqual([
      { productId: bigProduct.id, offset: position, count: 1 },
    ]);
    expect(failed[0]?.error).toBeInstanceOf(UpstreamError);
    expect(failed[0]?.error.status).toBe(500);
    expect(pages[2]?.failedRanges).toHaveLength(1);
    expect(pages[2]?.isLast).toBe(false);
    expect(pages.flatMap((p) => p.tests.map((t) => t.id))).toEqual(
      baseline.filter((_, i) => i !== position).map((t) => t.id),
    );
    expect(pages.at(-1)?.isLast).toBe(true);
  });
});

describe('bugs', () => {
  it('fetches bugs in batches of at most 15 test ids and returns every bug once', async () => {
    const withBugs = (truth.tests ?? [])
      .filter((t) => t.productId === bigProduct.id && t.bugs > 0)
      .slice(0, 40);
    expect(withBugs.length).toBe(40);
    const testIds = withBugs.map((t) => t.id);
    const bugs = await client().listBugsForTests([...testIds, ...testIds.slice(0, 5)]);
    expect(bugs).toHaveLength(withBugs.reduce((n, t) => n + t.bugs, 0));
    expect(new Set(bugs.map((b) => b.id)).size).toBe(bugs.length);
    for (const bug of bugs) expect(testIds).toContain(bug.test?.id);

    const requests = sandbox.requestLog().filter((r) => r.path.startsWith('/bugs?'));
    expect(requests).toHaveLength(3);
    const sent = requests.map((r) => queryIds(r.path, 'filter_test_cycle_ids'));
    for (const ids of sent) expect(ids.length).toBeLessThanOrEqual(15);
    expect(sent.flat().sort((a, b) => a - b)).toEqual([...testIds].sort((a, b) => a - b));

    const one = bugs[0];
    if (!one) throw new Error('expected bugs');
    expect((await client().getBug(one.id)).id).toBe(one.id);
  });
});

describe('transport behaviour', () => {
  it('waits for Retry-After on 429, then succeeds', async () => {
    sandbox.setFaults({ rateLimit: { times: 1, retryAfterSeconds: 1 } });
    const started = performance.now();
    const products = await client().listProducts();
    const elapsed = performance.now() - started;
    expect(products.length).toBe(truth.products.length);
    // The retry waited the full second (a few tenths of a ms of timer rounding tolerated).
    expect(elapsed).toBeGreaterThanOrEqual(995);
    expect(sandbox.requestLog().map((r) => r.status)).toEqual([429, 200]);
  });

  it('waits out a rate limit longer than its retries for other failures, up to rateLimitRetries', async () => {
    sandbox.resetRequestLog();
    sandbox.setFaults({ rateLimit: { times: 5, retryAfterSeconds: 0 } });
    const products = await client({ retries: 3 }).listProducts();
    expect(products.length).toBe(truth.products.length);
    expect(sandbox.requestLog().map((r) => r.status)).toEqual([429, 429, 429, 429, 429, 200]);

    sandbox.resetRequestLog();
    sandbox.setFaults({ rateLimit: { times: 5, retryAfterSeconds: 0 } });
    const error = await failure(client({ retries: 3, rateLimitRetries: 2 }).listProducts());
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', attempts: 3 });
  });

  it('fails at once with a rate-limited error when Retry-After exceeds the cap', async () => {
    sandbox.setFaults({ rateLimit: { times: 1, retryAfterSeconds: 600 } });
    const error = await failure(client({ maxRetryAfterSeconds: 120 }).listProducts());
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 600, attempts: 1 });
    expect(error.hint).toContain('wait 600 seconds');
    expect(sandbox.requestLog()).toHaveLength(1);
  });

  it('times out with status 408 after the retries', async () => {
    sandbox.setFaults({ timeouts: [{ pathPrefix: '/products' }] });
    const logger = createCaptureLogger();
    const error = await failure(client({ timeoutMs: 200, retries: 1, logger }).listProducts());
    expect(error).toMatchObject({ status: 408, code: 'upstream_unavailable', attempts: 2 });
    expect(error.message).toContain('after 2 attempts');
    expectNoToken(error, logger.text());
  });

  it('a wrong token gets a clear 401 without the token in it', async () => {
    const wrong = 'wrong_tok_0a1b2c3d4e';
    const logger = createCaptureLogger();
    const c = createTestIOClient({ baseUrl: sandbox.baseUrl, token: wrong, logger });
    clients.push(c);
    const error = await failure(c.listProducts());
    expect(error).toMatchObject({ status: 401, code: 'unauthorized', attempts: 1 });
    expect(error.message).toContain('authentication failed');
    expect(error.hint).toContain('TESTIO_CUSTOMER_API_TOKEN');
    expectNoToken(error, logger.text(), [wrong, TOKEN]);
  });

  it('a 500 after all retries says so, without the token', async () => {
    const first = baseline[0] as UpstreamExploratoryTest;
    sandbox.setFaults({ failTests: [first.id] });
    const logger = createCaptureLogger();
    const error = await failure(client({ logger }).getTest(first.id));
    expect(error).toMatchObject({ status: 500, attempts: 4 });
    expect(error.message).toContain('after 4 attempts');
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(3);
    expectNoToken(error, logger.text());
  });

  it.each(['truncated', 'not-json', 'array', 'wrong-shape'] as const)(
    'a %s body is a clear malformed-response error',
    async (kind) => {
      sandbox.setFaults({ malformed: [{ pathPrefix: '/products', kind }] });
      const logger = createCaptureLogger();
      const error = await failure(client({ logger }).listProducts());
      expect(error.message).toBe(
        'TestIO returned a malformed response for GET products: expected an object with `products` (a list of products)',
      );
      expect(error.reason).toMatch(/truncated|not JSON|not an object|does not match/);
      expectNoToken(error, logger.text());
    },
  );

  it('a network failure is status 0, without the token', async () => {
    const closed = await startLocalServer();
    await closed.close();
    const logger = createCaptureLogger();
    const c = createTestIOClient({
      baseUrl: closed.baseUrl,
      token: TOKEN,
      retries: 1,
      retryBaseDelayMs: 5,
      logger,
    });
    clients.push(c);
    const error = await failure(c.listProducts());
    expect(error).toMatchObject({ status: 0, attempts: 2 });
    expectNoToken(error, logger.text());
  });

  it('never has more than maxConcurrentRequests requests in flight', async () => {
    sandbox.setFaults({ latencyMs: 40 });
    const proxy = await startCountingProxy(sandbox.origin);
    try {
      const c = createTestIOClient({ baseUrl: proxy.baseUrl, token: TOKEN, maxConcurrentRequests: 4 });
      clients.push(c);
      const ids = baseline.slice(0, 30).map((t) => t.id);
      const [tests, bugs, page] = await Promise.all([
        Promise.all(ids.map((id) => c.getTest(id))),
        c.listBugsForTests(ids),
        c.listTestsPage(bigProduct.id, 1, 25),
      ]);
      expect(tests.map((t) => t.id)).toEqual(ids);
      expect(Array.isArray(bugs)).toBe(true);
      expect(page).toHaveLength(25);
      expect(proxy.requests.length).toBe(30 + 2 + 1);
      expect(proxy.maxInFlight).toBeLessThanOrEqual(4);
      expect(proxy.maxInFlight).toBeGreaterThan(1);
    } finally {
      await proxy.close();
    }
  });
});
