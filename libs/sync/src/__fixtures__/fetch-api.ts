/**
 * A small `TestIOApi` over `fetch`, for tests against the sandbox. It is deliberately simpler than
 * the real client (libs/api-client): a fixed number of quick retries on 429/5xx (Retry-After is not
 * honoured), sequential requests, and a page walk that recovers a failing page by re-reading its
 * positions one by one (no intermediate sizes). Every HTTP request is counted.
 */
import {
  MAX_TESTS_PER_BUG_REQUEST,
  UpstreamError,
  bugListResponse,
  bugResponse,
  exploratoryTestListResponse,
  exploratoryTestResponse,
  featureListResponse,
  productHasSections,
  productListResponse,
  productResponse,
  productSectionList,
  userStoryListResponse,
  type FailedTestRange,
  type FeatureWithSections,
  type TestIOApi,
  type TestListOptions,
  type TestListPage,
  type UpstreamExploratoryTest,
  type UpstreamProduct,
  type UserStoryWithSection,
} from '@testio-mcp/domain';

export interface FetchApiOptions {
  readonly baseUrl: string;
  readonly token: string;
  /** Extra attempts on 429 and 5xx. Default 2. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
}

export interface FetchApi extends TestIOApi {
  /** HTTP requests sent so far (retries included). */
  requests(): number;
  /** Requests per path prefix, e.g. `bugs`, `products`. */
  readonly log: string[];
}

interface Schema<T> {
  parse(value: unknown): T;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createFetchApi(options: FetchApiOptions): FetchApi {
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 2;
  const base = options.baseUrl.replace(/\/$/, '');
  const log: string[] = [];
  let count = 0;

  async function get<T>(path: string, schema: Schema<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      count++;
      log.push(path);
      let response: Response;
      try {
        response = await fetch(`${base}/${path}`, {
          headers: { Authorization: `Token ${options.token}` },
          signal: signal ?? null,
        });
      } catch (error) {
        signal?.throwIfAborted();
        throw new UpstreamError({
          message: `GET ${path} failed: network error`,
          status: 0,
          operation: { method: 'GET', path },
          cause: error,
        });
      }
      if (response.ok) return schema.parse(await response.json());
      await response.arrayBuffer();
      const retryable = response.status === 429 || response.status >= 500;
      if (retryable && attempt < retries) {
        await sleep(retryDelayMs);
        continue;
      }
      throw new UpstreamError({
        message: `TestIO answered ${response.status} for GET ${path}`,
        status: response.status,
        operation: { method: 'GET', path },
        attempts: attempt + 1,
      });
    }
  }

  const api: FetchApi = {
    requests: () => count,
    log,
    async listProducts() {
      return (await get('products', productListResponse)).products;
    },
    async getProduct(productId) {
      return (await get(`products/${productId}`, productResponse)).product;
    },
    async listFeatures(productId, sectionId) {
      const path =
        sectionId === undefined
          ? `products/${productId}/features`
          : `products/${productId}/sections/${sectionId}/features`;
      return (await get(path, featureListResponse)).features;
    },
    async listProductFeatures(product: UpstreamProduct): Promise<FeatureWithSections[]> {
      if (!productHasSections(product))
        return (await api.listFeatures(product.id)).map((feature) => ({ feature, sectionIds: [] }));
      const byId = new Map<number, { feature: FeatureWithSections['feature']; sectionIds: number[] }>();
      for (const section of productSectionList(product)) {
        for (const feature of await api.listFeatures(product.id, section.id)) {
          const entry = byId.get(feature.id) ?? { feature, sectionIds: [] };
          entry.sectionIds.push(section.id);
          byId.set(feature.id, entry);
        }
      }
      return [...byId.values()];
    },
    async listUserStories(productId, sectionId) {
      const path =
        sectionId === undefined
          ? `products/${productId}/user_stories`
          : `products/${productId}/user_stories?section_id=${sectionId}`;
      return (await get(path, userStoryListResponse)).user_stories;
    },
    async listProductUserStories(product: UpstreamProduct): Promise<UserStoryWithSection[]> {
      if (!productHasSections(product))
        return (await api.listUserStories(product.id)).map((userStory) => ({ userStory, sectionId: null }));
      const out: UserStoryWithSection[] = [];
      for (const section of productSectionList(product)) {
        for (const userStory of await api.listUserStories(product.id, section.id))
          out.push({ userStory, sectionId: section.id });
      }
      return out;
    },
    async getTest(testId) {
      return (await get(`exploratory_tests/${testId}`, exploratoryTestResponse)).exploratory_test;
    },
    async listTestsPage(productId, page, perPage) {
      return (
        await get(
          `products/${productId}/exploratory_tests?page=${page}&per_page=${perPage}`,
          exploratoryTestListResponse,
        )
      ).exploratory_tests;
    },
    walkTests(productId: number, walk: TestListOptions = {}): AsyncIterable<TestListPage> {
      const pageSize = walk.pageSize ?? 25;
      const signal = walk.signal;
      const read = async (page: number, perPage: number) =>
        (
          await get(
            `products/${productId}/exploratory_tests?page=${page}&per_page=${perPage}`,
            exploratoryTestListResponse,
            signal,
          )
        ).exploratory_tests;
      return {
        async *[Symbol.asyncIterator]() {
          for (let page = walk.startPage ?? 1; ; page++) {
            const offset = (page - 1) * pageSize;
            let tests: UpstreamExploratoryTest[];
            const failedRanges: FailedTestRange[] = [];
            let isLast: boolean;
            try {
              tests = await read(page, pageSize);
              isLast = tests.length < pageSize;
            } catch (error) {
              if (!(error instanceof UpstreamError) || error.status < 500) throw error;
              tests = [];
              isLast = false;
              for (let pos = offset; pos < offset + pageSize; pos++) {
                try {
                  const one = await read(pos + 1, 1);
                  if (one.length === 0) {
                    isLast = true;
                    break;
                  }
                  tests.push(...one);
                } catch (inner) {
                  if (!(inner instanceof UpstreamError) || inner.status < 500) throw inner;
                  const last = failedRanges[failedRanges.length - 1];
                  if (last && last.offset + last.count === pos)
                    failedRanges[failedRanges.length - 1] = { ...last, count: last.count + 1 };
                  else failedRanges.push({ productId, offset: pos, count: 1, error: inner });
                }
              }
              if (tests.length === 0 && failedRanges[0]) throw failedRanges[0].error;
            }
            yield { productId, page, offset, tests, failedRanges, isLast };
            if (isLast) return;
          }
        },
      };
    },
    async listBugsForTests(testIds) {
      const ids = [...new Set(testIds)];
      const seen = new Set<number>();
      const out = [];
      for (let i = 0; i < ids.length; i += MAX_TESTS_PER_BUG_REQUEST) {
        const batch = ids.slice(i, i + MAX_TESTS_PER_BUG_REQUEST);
        for (const bug of (await get(`bugs?filter_test_cycle_ids=${batch.join(',')}`, bugListResponse))
          .bugs) {
          if (seen.has(bug.id)) continue;
          seen.add(bug.id);
          out.push(bug);
        }
      }
      return out;
    },
    async getBug(bugId) {
      return (await get(`bugs/${bugId}`, bugResponse)).bug;
    },
  };
  return api;
}
