import {
  MUTABLE_TEST_STATUSES,
  ProductNotFoundError,
  TEST_STATUSES,
  TestNotFoundError,
  UserNotFoundError,
} from '@testio-mcp/domain';
import { listTextCap, MAX_USER_STORIES, truncate } from '../bounds.js';
import { DEFAULT_PRODUCT_PAGE_SIZE } from '../contracts/common.js';
import type {
  FeatureUserStoriesOutput,
  ListBugsInput,
  ListBugsOutput,
  ListFeaturesInput,
  ListFeaturesOutput,
  ListProductsInput,
  ListProductsOutput,
  ListTestsInput,
  ListTestsOutput,
  ListUsersInput,
  ListUsersOutput,
} from '../contracts/discovery.js';
import {
  createProductListRefresher,
  freshnessBlock,
  iso,
  oldest,
  refreshWarnings,
  type ServiceContext,
} from '../context.js';
import { buildPagination, resolvePage } from '../paging.js';
import { createReadAhead } from '../read-ahead.js';

const DAY_MS = 86_400_000;
const MUTABLE = new Set<string>(MUTABLE_TEST_STATUSES);

export function minutesBetween(start: Date | null, end: Date | null): number | null {
  if (!start || !end) return null;
  return Math.max(0, Math.round((end.getTime() - start.getTime()) / 60_000));
}

export function createDiscoveryOperations(ctx: ServiceContext) {
  const { reader, readThrough, clock, settings } = ctx;
  const refreshProductList = createProductListRefresher(ctx);
  const readAhead = createReadAhead(ctx);

  async function requireProduct(productId: number) {
    if (settings.productIds && !settings.productIds.includes(productId))
      throw new ProductNotFoundError(productId);
    let product = await reader.getProduct(productId);
    if (!product) {
      // Not in the mirror: the first sync may not have listed the products yet, or the product is new.
      await refreshProductList();
      product = await reader.getProduct(productId);
    }
    if (!product) throw new ProductNotFoundError(productId);
    return product;
  }

  async function listProducts(input: ListProductsInput): Promise<ListProductsOutput> {
    const refresh = await refreshProductList();
    const page = resolvePage(input, DEFAULT_PRODUCT_PAGE_SIZE);
    const now = clock.now();
    const query = {
      search: input.search || undefined,
      productTypes: input.product_type,
      productIds: settings.productIds ?? undefined,
      sortBy: input.sort_by,
      sortOrder: input.sort_order,
      offset: page.offset,
      limit: page.perPage,
      recentSince: {
        days30: new Date(now.getTime() - 30 * DAY_MS),
        days90: new Date(now.getTime() - 90 * DAY_MS),
      },
    };
    let result = await reader.listProducts(query);
    // Counts of products the first sync has not walked yet would read 0: read their tests first.
    const unwalked = result.items.filter((item) => item.testsSyncedAt === null).map((item) => item.id);
    const ahead = await readAhead(unwalked);
    if (unwalked.length > ahead.pending.length) result = await reader.listProducts(query);
    const syncedAt = await reader.productsSyncedAt(settings.productIds ?? undefined);
    const cap = listTextCap(result.items.length, 1);
    return {
      total_count: result.total,
      filters_applied: { search: input.search || null, product_type: input.product_type ?? null },
      products: result.items.map((p) => ({
        id: p.id,
        name: p.title,
        type: p.type,
        description: truncate(p.description, cap),
        test_count: p.testCount,
        feature_count: p.featureCount,
        tests_last_30_days: p.testsLast30Days,
        tests_last_90_days: p.testsLast90Days,
        last_test_end_at: iso(p.lastTestEndAt),
        last_synced: iso(p.syncedAt),
      })),
      page: page.page,
      per_page: page.perPage,
      pagination: buildPagination(page, result.items.length, result.total),
      ...freshnessBlock(ctx, syncedAt, {
        warnings: [...(refresh.warning ? [refresh.warning] : []), ...ahead.warnings],
        refreshFailed: refresh.failed,
        policy: ctx.api && ctx.productStore ? 'read_through' : 'ttl',
      }),
    };
  }

  async function listTests(input: ListTestsInput): Promise<ListTestsOutput> {
    let product = await requireProduct(input.product_id);
    const warnings: string[] = [];
    if (product.testsSyncedAt === null) {
      // The first sync has not reached this product: read its tests now rather than answer "none".
      const ahead = await readAhead([product.id]);
      warnings.push(...ahead.warnings);
      if (ahead.pending.length === 0) product = await requireProduct(input.product_id);
    }
    const page = resolvePage(input, settings.defaultPageSize);
    const query = {
      productId: product.id,
      statuses: input.statuses,
      testingType: input.testing_type,
      sortBy: input.sort_by,
      sortOrder: input.sort_order,
      offset: page.offset,
      limit: page.perPage,
    };
    let result = await reader.listTests(query);
    // Refresh only the mutable tests of this page whose copy is older than the TTL.
    const ttlMs = settings.cacheTtlSeconds * 1000;
    const now = clock.now().getTime();
    const stale = result.items
      .filter((t) => MUTABLE.has(t.status) && now - t.syncedAt.getTime() > ttlMs)
      .map((t) => t.id);
    let refreshFailed = false;
    if (stale.length > 0) {
      const outcome = await readThrough.ensureTestsFresh(stale);
      warnings.push(...refreshWarnings('test', outcome));
      refreshFailed = outcome.failed.length > 0;
      if (outcome.refreshed.length > 0 || outcome.deleted.length > 0) result = await reader.listTests(query);
    }
    const mutableSyncedAt = result.items.filter((t) => MUTABLE.has(t.status)).map((t) => t.syncedAt);
    const cap = listTextCap(result.items.length, 2);
    return {
      product: { id: product.id, name: product.title, type: product.type },
      statuses_filter: input.statuses ?? [...TEST_STATUSES],
      testing_type_filter: input.testing_type ?? null,
      pagination: buildPagination(page, result.items.length, result.total),
      total_tests: result.items.length,
      tests: result.items.map((t) => ({
        test_id: t.id,
        title: truncate(t.title, Math.max(cap, 120)) ?? '',
        goal: truncate(t.goal, cap),
        status: t.status,
        review_status: t.reviewStatus,
        testing_type: t.testingType,
        duration: minutesBetween(t.startAt, t.endAt),
        starts_at: iso(t.startAt),
        ends_at: iso(t.endAt),
        test_environment: t.environment
          ? { id: t.environment.id, title: truncate(t.environment.title, 120) }
          : null,
        bug_count: t.bugCount,
      })),
      ...freshnessBlock(ctx, oldest([product.testsSyncedAt, ...mutableSyncedAt]), {
        warnings,
        refreshFailed,
      }),
    };
  }

  /** A page of a product's features, its catalogue refreshed first when stale. */
  async function featurePage(input: ListFeaturesInput) {
    await requireProduct(input.product_id);
    const outcome = await readThrough.ensureFeaturesFresh([input.product_id]);
    const warnings = refreshWarnings('features of product', outcome);
    const product = await requireProduct(input.product_id);
    const page = resolvePage(input, settings.defaultPageSize);
    const result = await reader.listFeatures({
      productId: product.id,
      hasUserStories: input.has_user_stories === true ? true : undefined,
      sortBy: input.sort_by,
      sortOrder: input.sort_order,
      offset: page.offset,
      limit: page.perPage,
    });
    return {
      product_id: product.id,
      pagination: buildPagination(page, result.items.length, result.total),
      items: result.items,
      freshness: freshnessBlock(ctx, product.featuresSyncedAt, {
        warnings,
        refreshFailed: outcome.failed.length > 0,
        policy: 'read_through',
      }),
    };
  }

  async function listFeatures(input: ListFeaturesInput): Promise<ListFeaturesOutput> {
    const { items, freshness, ...page } = await featurePage(input);
    const cap = listTextCap(items.length, 2);
    return {
      ...page,
      features: items.map((f) => ({
        id: f.id,
        title: truncate(f.title, Math.max(cap, 120)) ?? '',
        description: truncate(f.description, cap),
        howtofind: truncate(f.howtofind, cap),
        user_story_count: f.userStoryCount,
        test_count: f.testCount,
        bug_count: f.bugCount,
      })),
      total: items.length,
      ...freshness,
    };
  }

  /** One reader query for the page, instead of a feature summary per feature. */
  async function listFeatureUserStories(input: ListFeaturesInput): Promise<FeatureUserStoriesOutput> {
    const { items, freshness, ...page } = await featurePage(input);
    return {
      ...page,
      features: items.map((f) => {
        const { stale, warnings } = freshnessBlock(ctx, f.syncedAt, {
          warnings:
            f.userStories.length > MAX_USER_STORIES
              ? [`Only the first ${MAX_USER_STORIES} of ${f.userStories.length} user stories are listed`]
              : [],
        });
        return {
          id: f.id,
          title: f.title,
          user_stories: f.userStories.slice(0, MAX_USER_STORIES).map((s) => truncate(s, 300) ?? ''),
          user_story_count: f.userStoryCount,
          stale,
          ...(warnings ? { warnings } : {}),
        };
      }),
      total: items.length,
      ...freshness,
    };
  }

  async function listUsers(input: ListUsersInput): Promise<ListUsersOutput> {
    const page = resolvePage(input, settings.defaultPageSize);
    const activeSince = new Date(clock.now().getTime() - input.days * DAY_MS);
    const result = await reader.listUsers({
      userType: input.user_type,
      activeSince,
      sortBy: input.sort_by,
      sortOrder: input.sort_order,
      offset: page.offset,
      limit: page.perPage,
    });
    const hint =
      result.total > 0
        ? undefined
        : input.user_type === 'tester'
          ? `No testers active in the last ${input.days} days. Testers are the authors of bug reports; try a larger days value or make sure bugs have been synced.`
          : input.user_type === 'customer'
            ? `No customers active in the last ${input.days} days. Customers are the creators and submitters of tests; try a larger days value or make sure tests have been synced.`
            : `No users active in the last ${input.days} days. Users are extracted from bugs (testers) and tests (customers) during sync; try a larger days value.`;
    return {
      users: result.items.map((u) => ({
        id: u.id,
        username: u.username,
        user_type: u.isTester ? ('tester' as const) : ('customer' as const),
        roles: [
          ...(u.isTester ? (['tester'] as const) : []),
          ...(u.isCustomer ? (['customer'] as const) : []),
        ],
        first_seen: iso(u.firstSeenAt),
        last_activity: iso(u.lastActivityAt),
      })),
      pagination: buildPagination(page, result.items.length, result.total),
      total: result.items.length,
      filter: {
        user_type: input.user_type ?? null,
        days: input.days,
        active_since: activeSince.toISOString(),
      },
      ...(hint ? { hint } : {}),
      ...freshnessBlock(ctx, await reader.usersSeenAt()),
    };
  }

  async function listBugs(input: ListBugsInput): Promise<ListBugsOutput> {
    const testIds = input.test_ids;
    let known = await reader.getTestRefs(testIds);
    if (known.length < testIds.length) {
      // Tests the mirror lacks (the first sync has not reached them, or they are new): ask TestIO.
      const mirrored = new Set(known.map((t) => t.id));
      const outcome = await readThrough.ensureTestsFresh(testIds.filter((id) => !mirrored.has(id)));
      if (outcome.refreshed.length > 0) known = await reader.getTestRefs(testIds);
    }
    const scope = settings.productIds;
    const visible = scope ? known.filter((t) => scope.includes(t.productId)) : known;
    const visibleIds = new Set(visible.map((t) => t.id));
    const missing = testIds.filter((id) => !visibleIds.has(id));
    if (visible.length === 0) {
      throw new TestNotFoundError(testIds.join(', '), {
        message: `Test ID${testIds.length > 1 ? 's' : ''} '${testIds.join(', ')}' not found`,
        reason: 'These tests may not exist, may have been deleted, or have not been synced yet',
        hint: 'Use the list_tests tool to see available tests',
      });
    }
    const warnings: string[] = [];
    if (missing.length > 0) {
      warnings.push(
        `${missing.length} test(s) not found (IDs: ${missing.join(', ')}). They may not exist, may have been deleted, or have not been synced yet. Use list_tests to see available tests.`,
      );
    }
    let author: string | undefined;
    if (input.reported_by_user_id !== undefined) {
      const user = await reader.getUserSummary(input.reported_by_user_id);
      if (!user) throw new UserNotFoundError(input.reported_by_user_id);
      author = user.username;
    }
    // The bugs of the given tests are refreshed (when stale), not just the tests' metadata.
    const outcome = await readThrough.ensureBugsFresh([...visibleIds]);
    warnings.push(...refreshWarnings('bugs of test', outcome));
    if (outcome.deleted.length > 0) {
      warnings.push(
        `Test(s) ${outcome.deleted.join(', ')} no longer exist upstream and were removed from the mirror.`,
      );
    }
    const page = resolvePage(input, settings.defaultPageSize);
    const result = await reader.listBugs({
      testIds: [...visibleIds],
      statuses: input.status,
      severities: input.severity,
      rejectionReasons: input.rejection_reason,
      author,
      sortBy: input.sort_by,
      sortOrder: input.sort_order,
      offset: page.offset,
      limit: page.perPage,
    });
    const refs = await reader.getTestRefs([...visibleIds]);
    const cap = listTextCap(result.items.length, 1, 200);
    return {
      bugs: result.items.map((b) => ({
        id: b.id,
        title: truncate(b.title, Math.max(cap, 120)) ?? '',
        severity: b.severity,
        status: b.status,
        known: b.known,
        rejection_reason: b.rejectionReason,
        test_id: b.testId,
        reported_at: iso(b.reportedAt),
      })),
      pagination: buildPagination(page, result.items.length, result.total),
      filters_applied: {
        test_ids: testIds,
        status: input.status ?? null,
        severity: input.severity ?? null,
        rejection_reason: input.rejection_reason ?? null,
        reported_by_user_id: input.reported_by_user_id ?? null,
      },
      ...freshnessBlock(ctx, oldest(refs.map((r) => r.bugsSyncedAt)), {
        warnings,
        refreshFailed: outcome.failed.length > 0,
        policy: 'read_through',
      }),
    };
  }

  return { listProducts, listTests, listFeatures, listFeatureUserStories, listUsers, listBugs };
}
