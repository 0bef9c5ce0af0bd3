import { isAxiosError } from 'axios';
import type { z } from 'zod';
import {
  bugListResponse,
  bugResponse,
  exploratoryTestListResponse,
  exploratoryTestResponse,
  featureListResponse,
  productHasSections,
  productListResponse,
  productResponse,
  productSectionList,
  rejectReasonListResponse,
  userStoryListResponse,
  type BugTriageAction,
  type BugTriageApi,
  type RejectReason,
  type FeatureWithSections,
  type Logger,
  type TestIOApi,
  type TestListOptions,
  type TestListPage,
  type UpstreamBug,
  type UpstreamError,
  type UpstreamExploratoryTest,
  type UpstreamFeature,
  type UpstreamOperation,
  type UpstreamProduct,
  type UpstreamUserStory,
  type UserStoryWithSection,
} from '@testio-mcp/domain';
import { apiPath, withQuery } from './api-path.js';
import { bugRequestBatches } from './chunk.js';
import { createUpstreamError, extractUpstreamMessage } from './errors.js';
import { noopLogger } from './logger.js';
import { resolveClientOptions, type ResolvedClientOptions, type TestIOClientOptions } from './options.js';
import { parseResponseBody } from './parse.js';
import { attemptsOf, isTimeoutError, retryAfterSecondsOf } from './retry.js';
import { createTransport, type Transport, type TransportStats } from './transport.js';
import { walkTestPages } from './walk-tests.js';

/** Per-call options every method accepts as its last argument. */
export interface RequestOptions {
  readonly signal?: AbortSignal;
}

interface GetOptions extends RequestOptions {
  /** Overrides the client's retry count for this request. */
  readonly retries?: number;
}

/**
 * Typed client for the TestIO Customer API v2 (read endpoints), implementing the domain's `TestIOApi`.
 * Every response is validated with the domain's zod schemas; every failure is an `UpstreamError`
 * (an aborted call rejects with the signal's reason instead).
 */
export class TestIOClient implements TestIOApi, BugTriageApi {
  readonly options: Omit<ResolvedClientOptions, 'token'>;
  private readonly token: string;
  private readonly transport: Transport;
  private readonly logger: Logger;

  constructor(options: TestIOClientOptions) {
    const resolved = resolveClientOptions(options);
    const { token, ...visible } = resolved;
    this.options = Object.freeze(visible);
    // Not enumerable, so neither `util.inspect(client)` nor JSON.stringify shows it.
    this.token = token;
    Object.defineProperty(this, 'token', { enumerable: false });
    this.logger = (options.logger ?? noopLogger).child({ component: 'testio-api-client' });
    this.transport = createTransport(resolved, options, this.logger);
    Object.defineProperty(this, 'transport', { enumerable: false });
  }

  /** Attempts in flight and waiting for a slot right now. */
  stats(): TransportStats {
    return this.transport.stats();
  }

  /** Releases the keep-alive sockets of the agents the client created. */
  close(): void {
    this.transport.close();
  }

  async listProducts(options?: RequestOptions): Promise<UpstreamProduct[]> {
    return this.get(
      'products',
      productListResponse,
      'an object with `products` (a list of products)',
      options,
    ).then((body) => body.products);
  }

  async getProduct(productId: number, options?: RequestOptions): Promise<UpstreamProduct> {
    return this.get(
      apiPath`products/${id(productId, 'productId')}`,
      productResponse,
      'an object with `product`',
      options,
    ).then((body) => body.product);
  }

  async listFeatures(
    productId: number,
    sectionId?: number,
    options?: RequestOptions,
  ): Promise<UpstreamFeature[]> {
    const path =
      sectionId === undefined
        ? apiPath`products/${id(productId, 'productId')}/features`
        : apiPath`products/${id(productId, 'productId')}/sections/${id(sectionId, 'sectionId')}/features`;
    return this.get(
      path,
      featureListResponse,
      'an object with `features` (a list of features)',
      options,
    ).then((body) => body.features);
  }

  /**
   * Legacy products: `/products/{id}/features` (section ids `[]`). Sectioned products: every section's
   * list, de-duplicated by feature id (first occurrence wins) with the union of its section ids.
   */
  async listProductFeatures(
    product: UpstreamProduct,
    options?: RequestOptions,
  ): Promise<FeatureWithSections[]> {
    if (!productHasSections(product)) {
      const features = await this.listFeatures(product.id, undefined, options);
      return features.map((feature) => ({ feature, sectionIds: [] }));
    }
    const sections = productSectionList(product);
    const lists = await Promise.all(
      sections.map(async ({ id: sectionId }) => ({
        sectionId,
        features: await this.listFeatures(product.id, sectionId, options),
      })),
    );
    const byId = new Map<number, { feature: UpstreamFeature; sectionIds: number[] }>();
    for (const { sectionId, features } of lists) {
      for (const feature of features) {
        const entry = byId.get(feature.id);
        if (!entry) byId.set(feature.id, { feature, sectionIds: [sectionId] });
        else if (!entry.sectionIds.includes(sectionId)) entry.sectionIds.push(sectionId);
      }
    }
    return [...byId.values()];
  }

  async listUserStories(
    productId: number,
    sectionId?: number,
    options?: RequestOptions,
  ): Promise<UpstreamUserStory[]> {
    const path = withQuery(apiPath`products/${id(productId, 'productId')}/user_stories`, {
      section_id: sectionId === undefined ? undefined : id(sectionId, 'sectionId'),
    });
    return this.get(
      path,
      userStoryListResponse,
      'an object with `user_stories` (a list of user stories)',
      options,
    ).then((body) => body.user_stories);
  }

  /**
   * Legacy products: one list (section `null`). Sectioned products: one entry per story and section it
   * was listed under (a story of a feature shared by two sections comes back twice, once per section).
   */
  async listProductUserStories(
    product: UpstreamProduct,
    options?: RequestOptions,
  ): Promise<UserStoryWithSection[]> {
    if (!productHasSections(product)) {
      const stories = await this.listUserStories(product.id, undefined, options);
      return stories.map((userStory) => ({ userStory, sectionId: null }));
    }
    const sections = productSectionList(product);
    const lists = await Promise.all(
      sections.map(async ({ id: sectionId }) => ({
        sectionId,
        stories: await this.listUserStories(product.id, sectionId, options),
      })),
    );
    const seen = new Set<string>();
    const out: UserStoryWithSection[] = [];
    for (const { sectionId, stories } of lists) {
      for (const userStory of stories) {
        const key = `${userStory.id}:${sectionId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ userStory, sectionId });
      }
    }
    return out;
  }

  async getTest(testId: number, options?: RequestOptions): Promise<UpstreamExploratoryTest> {
    return this.get(
      apiPath`exploratory_tests/${id(testId, 'testId')}`,
      exploratoryTestResponse,
      'an object with `exploratory_test`',
      options,
    ).then((body) => body.exploratory_test);
  }

  async listTestsPage(
    productId: number,
    page: number,
    perPage: number,
    options?: RequestOptions,
  ): Promise<UpstreamExploratoryTest[]> {
    return this.readTestsPage(productId, page, perPage, options);
  }

  /**
   * Newest-first walk over a product's tests; see `walkTestPages` for the end condition and the
   * recovery of failing pages. Re-reads of a failing page use `recoveryRetries` instead of `retries`,
   * so a broken record costs a few extra requests, not a retry storm.
   */
  async *walkTests(
    productId: number,
    options: TestListOptions = {},
  ): AsyncGenerator<TestListPage, void, undefined> {
    const checkedId = id(productId, 'productId');
    const { signal } = options;
    yield* walkTestPages<UpstreamExploratoryTest>(
      checkedId,
      (page, perPage, { recovery }) =>
        this.readTestsPage(checkedId, page, perPage, {
          signal,
          retries: recovery ? this.options.recoveryRetries : undefined,
        }),
      { pageSize: options.pageSize, startPage: options.startPage, signal, logger: this.logger },
    );
  }

  /**
   * Bugs of the given tests: ids are de-duplicated and sent in batches of at most 15 per `/bugs`
   * request; batches run in parallel under the client's concurrency cap. Bugs come back in batch
   * order, each bug once.
   */
  async listBugsForTests(testIds: readonly number[], options?: RequestOptions): Promise<UpstreamBug[]> {
    const batches = bugRequestBatches(testIds.map((t) => id(t, 'testIds')));
    const results = await Promise.all(
      batches.map((batch) =>
        this.get(
          withQuery('bugs', { filter_test_cycle_ids: batch }),
          bugListResponse,
          'an object with `bugs` (a list of bugs)',
          options,
        ),
      ),
    );
    const seen = new Set<number>();
    const bugs: UpstreamBug[] = [];
    for (const body of results) {
      for (const bug of body.bugs) {
        if (seen.has(bug.id)) continue;
        seen.add(bug.id);
        bugs.push(bug);
      }
    }
    return bugs;
  }

  async getBug(bugId: number, options?: RequestOptions): Promise<UpstreamBug> {
    return this.get(apiPath`bugs/${id(bugId, 'bugId')}`, bugResponse, 'an object with `bug`', options).then(
      (body) => body.bug,
    );
  }

  /** `GET /bugs/reject_reasons`: the reasons a customer may give, with their default comments. */
  async listRejectReasons(options?: RequestOptions): Promise<RejectReason[]> {
    const body = await this.get(
      'bugs/reject_reasons',
      rejectReasonListResponse,
      'an object with `reject_reasons` (a list of reasons)',
      options,
    );
    return body.reject_reasons.map((r) => ({
      key: r.key,
      name: r.name ?? r.key,
      defaultComment: r.default_comment ?? r.name ?? r.key,
    }));
  }

  /**
   * One triage decision: `PUT /bugs/{id}/accept|reject|mark_as_known|mark_as_fixed` (the reject body is
   * `{reason, comment}` at the top level). Never retried: a write that timed out may have happened.
   */
  async triageBug(
    bugId: number,
    action: BugTriageAction,
    rejection?: { readonly reason: string; readonly comment: string },
    options?: RequestOptions,
  ): Promise<UpstreamBug> {
    const segment = TRIAGE_PATHS[action];
    const path = apiPath`bugs/${id(bugId, 'bugId')}/${segment}`;
    const body = action === 'reject' ? { reason: rejection?.reason, comment: rejection?.comment } : undefined;
    return this.send('PUT', path, body, bugResponse, 'an object with `bug`', options).then((b) => b.bug);
  }

  private async send<S extends z.ZodType>(
    method: 'PUT',
    path: string,
    body: unknown,
    schema: S,
    expected: string,
    options: RequestOptions = {},
  ): Promise<z.output<S>> {
    const operation: UpstreamOperation = { method, path };
    const { signal } = options;
    signal?.throwIfAborted();
    let response;
    try {
      response = await this.transport.http.request<string>({
        method,
        url: path,
        signal,
        ...(body === undefined ? {} : { data: body, headers: { 'Content-Type': 'application/json' } }),
        'axios-retry': { retries: 0 },
      });
    } catch (error) {
      throw this.toUpstreamError(error, operation, signal);
    }
    try {
      return parseResponseBody(response.data, schema, {
        operation,
        status: response.status,
        attempts: 1,
        expected,
        secrets: [this.token],
      });
    } catch (error) {
      this.logFailure(error as UpstreamError);
      throw error;
    }
  }

  private async readTestsPage(
    productId: number,
    page: number,
    perPage: number,
    options?: GetOptions,
  ): Promise<UpstreamExploratoryTest[]> {
    const path = withQuery(apiPath`products/${id(productId, 'productId')}/exploratory_tests`, {
      page: id(page, 'page'),
      per_page: id(perPage, 'perPage'),
    });
    const body = await this.get(
      path,
      exploratoryTestListResponse,
      'an object with `exploratory_tests` (a list of tests)',
      options,
    );
    return body.exploratory_tests;
  }

  /** One validated GET: transport errors and bad bodies become `UpstreamError`s. */
  private async get<S extends z.ZodType>(
    path: string,
    schema: S,
    expected: string,
    options: GetOptions = {},
  ): Promise<z.output<S>> {
    const operation: UpstreamOperation = { method: 'GET', path };
    const { signal, retries } = options;
    signal?.throwIfAborted();
    let response;
    try {
      response = await this.transport.http.get<string>(path, {
        signal,
        ...(retries === undefined ? {} : { 'axios-retry': { retries } }),
      });
    } catch (error) {
      throw this.toUpstreamError(error, operation, signal);
    }
    const attempts = attemptsOf(response.config);
    try {
      return parseResponseBody(response.data, schema, {
        operation,
        status: response.status,
        attempts,
        expected,
        secrets: [this.token],
      });
    } catch (error) {
      this.logFailure(error as UpstreamError);
      throw error;
    }
  }

  private toUpstreamError(
    error: unknown,
    operation: UpstreamOperation,
    signal: AbortSignal | undefined,
  ): unknown {
    if (signal?.aborted) return signal.reason;
    const secrets = [this.token];
    let result: UpstreamError;
    if (isAxiosError(error)) {
      const attempts = attemptsOf(error.config);
      const response = error.response;
      if (response) {
        result = createUpstreamError({
          operation,
          attempts,
          secrets,
          failure: {
            kind: 'http',
            status: response.status,
            upstreamMessage:
              response.status === 400 || response.status === 422
                ? extractUpstreamMessage(response.data, secrets)
                : undefined,
            retryAfterSeconds: retryAfterSecondsOf(error),
            maxRetryAfterSeconds: this.options.maxRetryAfterSeconds,
          },
        });
      } else if (isTimeoutError(error)) {
        result = createUpstreamError({
          operation,
          attempts,
          secrets,
          failure: { kind: 'timeout', timeoutMs: this.options.timeoutMs },
        });
      } else {
        result = createUpstreamError({
          operation,
          attempts,
          secrets,
          failure: { kind: 'network', code: error.code },
        });
      }
    } else {
      const code =
        error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
      result = createUpstreamError({ operation, secrets, failure: { kind: 'network', code } });
    }
    this.logFailure(result);
    return result;
  }

  private logFailure(error: UpstreamError): void {
    this.logger.debug(
      {
        method: error.operation.method,
        path: error.operation.path,
        status: error.status,
        attempts: error.attempts,
      },
      error.message,
    );
  }
}

export function createTestIOClient(options: TestIOClientOptions): TestIOClient {
  return new TestIOClient(options);
}

const TRIAGE_PATHS: Readonly<Record<BugTriageAction, string>> = {
  accept: 'accept',
  reject: 'reject',
  mark_known: 'mark_as_known',
  mark_fixed: 'mark_as_fixed',
};

/** Checks an id argument (a positive integer, or ≥ `min`); throws a RangeError naming the argument. */
function id(value: number, name: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`TestIOClient: \`${name}\` must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}
