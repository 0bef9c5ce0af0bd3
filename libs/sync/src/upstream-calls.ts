import {
  MAX_TESTS_PER_BUG_REQUEST,
  productHasSections,
  productSectionList,
  type TestIOApi,
  type TestListOptions,
  type TestListPage,
  type UpstreamProduct,
} from '@testio-mcp/domain';

export interface CountingApi {
  readonly api: TestIOApi;
  /** Estimated HTTP requests made through `api` so far. */
  count(): number;
}

/**
 * Wraps the API port to estimate how many HTTP requests a run made, for when the client cannot count
 * them itself (`countUpstreamCalls`). The estimate ignores retries and the re-reads of failing pages.
 */
export function createCountingApi(inner: TestIOApi): CountingApi {
  let calls = 0;
  const sections = (product: UpstreamProduct) =>
    productHasSections(product) ? Math.max(1, productSectionList(product).length) : 1;
  const api: TestIOApi = {
    listProducts: () => (calls++, inner.listProducts()),
    getProduct: (id) => (calls++, inner.getProduct(id)),
    listFeatures: (id, sectionId) => (calls++, inner.listFeatures(id, sectionId)),
    listProductFeatures: (product) => ((calls += sections(product)), inner.listProductFeatures(product)),
    listUserStories: (id, sectionId) => (calls++, inner.listUserStories(id, sectionId)),
    listProductUserStories: (product) => (
      (calls += sections(product)),
      inner.listProductUserStories(product)
    ),
    getTest: (id) => (calls++, inner.getTest(id)),
    listTestsPage: (id, page, perPage) => (calls++, inner.listTestsPage(id, page, perPage)),
    walkTests: (productId: number, options?: TestListOptions): AsyncIterable<TestListPage> => ({
      async *[Symbol.asyncIterator]() {
        for await (const page of inner.walkTests(productId, options)) {
          calls++;
          yield page;
        }
      },
    }),
    listBugsForTests: (ids) => (
      (calls += Math.ceil(new Set(ids).size / MAX_TESTS_PER_BUG_REQUEST)),
      inner.listBugsForTests(ids)
    ),
    getBug: (id) => (calls++, inner.getBug(id)),
  };
  return { api, count: () => calls };
}
