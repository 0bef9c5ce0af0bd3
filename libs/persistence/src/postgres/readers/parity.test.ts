import type {
  BugSortField,
  FeatureSortField,
  MirrorReader,
  ProductSortField,
  SearchPort,
  SearchPortOptions,
  SyncStores,
  TestSortField,
  UserRow,
  UserSortField,
} from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bug, feature, product, test as testOf, userStory } from '../../__fixtures__/entities.js';
import { READ_ENGINES, type ReadTestDatabase } from '../../__fixtures__/read-engines.js';

/**
 * The same mirror on both engines, every reader method with every sort field, direction and filter, and
 * searches of every kind: PostgreSQL answers exactly what SQLite answers (search: the same hits, counts,
 * title matches and pages; scores are each engine's own, ADR 0030).
 */

const T0 = new Date('2025-02-01T08:00:00.000Z');
const ORDERS = ['asc', 'desc'] as const;
const PRODUCT_SORT_FIELDS: ProductSortField[] = ['title', 'product_type', 'last_synced'];
const TEST_SORT_FIELDS: TestSortField[] = ['start_at', 'end_at', 'status', 'title'];
const FEATURE_SORT_FIELDS: FeatureSortField[] = ['title', 'test_count', 'bug_count', 'last_synced'];
const USER_SORT_FIELDS: UserSortField[] = ['username', 'user_type', 'last_activity', 'first_seen'];
const BUG_SORT_FIELDS: BugSortField[] = ['reported_at', 'severity', 'status', 'title'];
const TITLES = [
  'apple pie',
  'Apple tart',
  'Éclair',
  'zebra crossing',
  'Checkout flow',
  'checkout v2',
  'Login',
  '_under',
];
const STATUSES = ['archived', 'running', 'locked', 'initialized', 'customer_finalized'];
const SEVERITIES = ['critical', 'high', 'low', 'visual', 'content', 'custom', undefined];
const BUG_STATUSES = ['accepted', 'rejected', 'forwarded'];
const AUTHORS = ['tom', 'Uma', 'ann', 'zed', 'Émile'];

let seed = 7;
const random = (n: number): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return Math.floor((seed / 2_147_483_648) * n);
};
const pick = <T>(list: readonly T[]): T => list[random(list.length)] as T;
const day = (d: number, h = 10) => new Date(Date.UTC(2025, 0, 1 + d, h)).toISOString();

async function fill(stores: (customerId?: number) => SyncStores): Promise<void> {
  seed = 7;
  const s = stores();
  await s.products.upsertProducts(
    [
      product(1, { name: 'Web shop', description: 'The storefront', type: 'website' }),
      product(2, { name: 'banking app', description: null, type: 'mobile_app_ios' }),
      product(3, { name: 'Éclair', description: '50% off_sale', type: 'website' }),
      product(4, { name: 'web Shop', description: 'Second shop', type: 'mobile_app_android' }),
    ],
    T0,
  );
  for (const productId of [1, 2, 3]) {
    await s.features.replaceProductFeatures(
      productId,
      Array.from({ length: 3 }, (_, i) =>
        feature(productId * 10 + i, productId, {
          title: pick(TITLES),
          description: i === 0 ? null : `Feature body ${pick(TITLES)}`,
          user_stories: i === 1 ? [] : [`Story ${productId}.${i}`, `Pay by card ${i}`],
        }),
      ),
      [userStory(productId * 100, productId, `Story ${productId}.0`)],
      T0,
    );
  }
  const tests = Array.from({ length: 36 }, (_, i) => {
    const id = 100 + i;
    const start = random(60);
    const dated = random(5) > 0;
    return testOf(id, 1 + (i % 3), {
      title: `${pick(TITLES)} ${i % 4 === 0 ? 'regression' : 'smoke'}`,
      status: pick(STATUSES),
      testing_type: pick(['coverage', 'focused', 'rapid']),
      goal_text: `Goal ${pick(TITLES)} checkout`,
      start_at: dated ? day(start) : null,
      end_at: dated ? day(start + 1 + random(3)) : null,
      created_by: pick(['customer.anna', 'customer.bob', null]),
      submitted_by: pick(['customer.bob', null]),
      features: [
        { id: id * 100 + 1, feature_id: 10 + (i % 3), title: 'Checkout', user_stories: [] },
        { id: id * 100 + 2, feature_id: 999, title: 'Not synced' },
      ],
    });
  });
  await s.tests.upsertTests(tests, T0);
  const testIds = tests.map((t) => t.entity.id);
  await s.bugs.replaceBugsOfTests(
    testIds,
    Array.from({ length: 160 }, (_, i) => {
      const testId = testIds[random(testIds.length)] ?? 100;
      const status = pick(BUG_STATUSES);
      const severity = pick(SEVERITIES);
      return bug(5000 + i, testId, {
        title: `${pick(TITLES)} crash ${i}`,
        ...(severity === undefined ? { severity: undefined as never } : { severity }),
        status,
        auto_accepted: status === 'accepted' && random(3) === 0,
        known: random(4) === 0,
        ...(status === 'rejected'
          ? { rejection_reason: pick(['duplicate', 'not_reproducible', 'intended']) }
          : {}),
        reported_at: random(6) === 0 ? null : day(random(60), random(24)),
        author: { name: pick(AUTHORS) },
        steps: ['Open the cart', `Press ${pick(TITLES)}`],
        actual_result: random(2) === 0 ? 'Nothing happens' : 'Après le virement, rien',
        test_feature: { id: testId * 100 + (1 + random(2)), feature_id: 501 },
      });
    }).concat([
      // What a bug's summary must still answer, whichever way its joins are planned: no author and no
      // feature; a new author (the store records the user); a test feature whose feature is synced.
      bug(5160, 100, { author: null, test_feature: null }),
      bug(5161, 101, { author: { name: 'nobody.known' }, test_feature: { id: 10_101, feature_id: null } }),
      bug(5162, 102, { test_feature: { id: 10_201, feature_id: 12 } }),
    ]),
    T0,
  );
  await stores(2).products.upsertProducts([product(1, { name: 'Web shop of tenant 2' })], T0);
  await stores(2).tests.upsertTests([testOf(100, 1, { title: 'Checkout elsewhere' })], T0);
  // The same bug id in another tenant, on that tenant's test 100: tenant 1's summary must not see it.
  await stores(2).bugs.replaceBugsOfTests([100], [bug(5160, 100, { title: 'Tenant 2 bug' })], T0);
  await s.syncState.recordProblematicRange(
    {
      productId: 1,
      offsetFrom: 25,
      offsetTo: 26,
      boundaryBeforeId: 100,
      boundaryBeforeEndAt: T0,
      boundaryAfterId: 101,
      boundaryAfterEndAt: null,
      lastError: 'HTTP 500',
    },
    T0,
  );
}

const page = (offset: number, limit: number) => ({ offset, limit });
const PAGES = [page(0, 100), page(3, 5)];

/**
 * Users' `id`s are surrogate keys each engine's stores assign in their own way (PostgreSQL's
 * `INSERT … ON CONFLICT` takes an identity value even when it updates, and users arrive in another
 * order): users are compared by username, and lists by the sequence of their sort values.
 */
function withoutUserIds(key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (key.startsWith('users ')) {
    // Ties of the sort key are ordered by id: the sequence of sort values, and the rows by username.
    const page = value as { total: number; items: (UserRow & Record<string, unknown>)[] };
    const sortBy = key.split(' ')[1] as UserSortField;
    const sortValue = (u: UserRow) =>
      sortBy === 'username'
        ? u.username.toLowerCase()
        : sortBy === 'user_type'
          ? u.isTester
          : sortBy === 'last_activity'
            ? u.lastActivityAt?.getTime()
            : u.firstSeenAt.getTime();
    return {
      total: page.total,
      order: page.items.map(sortValue),
      items: page.items
        .map(({ id: _id, ...rest }) => rest)
        .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0)),
    };
  }
  if (key.startsWith('user ')) {
    const { id: _id, ...rest } = value as Record<string, unknown>;
    return rest;
  }
  if (key.startsWith('bug ') && (value as { reporter?: unknown }).reporter) {
    const bug = value as { reporter: { username: string } };
    return { ...bug, reporter: { username: bug.reporter.username } };
  }
  return value;
}

/** Every reader method, in a fixed order, with every sort field, direction, filter and a page window. */
async function readAll(reader: MirrorReader): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const recentSince = { days30: new Date('2025-02-01T00:00:00Z'), days90: new Date('2025-01-15T00:00:00Z') };
  for (const sortBy of PRODUCT_SORT_FIELDS)
    for (const sortOrder of ORDERS)
      for (const filter of [
        {},
        { search: 'SHOP' },
        { search: '%' },
        { search: '_' },
        { productTypes: ['website'] },
        { productIds: [2, 3] },
      ])
        out[`products ${sortBy} ${sortOrder} ${JSON.stringify(filter)}`] = await reader.listProducts({
          ...page(0, 10),
          sortBy,
          sortOrder,
          recentSince,
          ...filter,
        });
  out['products window'] = await reader.listProducts({
    ...page(1, 2),
    sortBy: 'title',
    sortOrder: 'asc',
    recentSince,
  });
  out['productsSyncedAt'] = [await reader.productsSyncedAt(), await reader.productsSyncedAt([2])];
  for (const id of [1, 2, 3, 4, 9]) {
    out[`product ${id}`] = await reader.getProduct(id);
    out[`product summary ${id}`] = await reader.getProductSummary(id);
  }
  for (const productId of [1, 2, 3])
    for (const sortBy of TEST_SORT_FIELDS)
      for (const sortOrder of ORDERS)
        for (const p of PAGES)
          for (const filter of [{}, { statuses: ['archived', 'locked'] }, { testingType: 'rapid' }])
            out[`tests ${productId} ${sortBy} ${sortOrder} ${p.offset} ${JSON.stringify(filter)}`] =
              await reader.listTests({ productId, sortBy, sortOrder, ...p, ...filter });
  out['test refs'] = (await reader.getTestRefs([100, 101, 135, 9999])).sort((a, b) => a.id - b.id);
  for (const id of [100, 101, 102, 117, 9999]) {
    out[`test ${id}`] = await reader.getTestDetail(id);
    out[`bugs of test ${id}`] = await reader.listBugsOfTest(id);
  }
  const testIds = Array.from({ length: 36 }, (_, i) => 100 + i);
  for (const sortBy of BUG_SORT_FIELDS)
    for (const sortOrder of ORDERS)
      for (const p of PAGES)
        for (const filter of [
          {},
          { statuses: ['rejected'], rejectionReasons: ['duplicate', 'intended'] },
          { severities: ['critical', 'custom'], author: 'tom' },
          { statuses: ['auto_accepted'] },
        ])
          out[`bugs ${sortBy} ${sortOrder} ${p.offset} ${JSON.stringify(filter)}`] = await reader.listBugs({
            testIds: testIds.slice(0, 30),
            sortBy,
            sortOrder,
            ...p,
            ...filter,
          });
  for (const id of [5000, 5001, 5050, 5159, 5160, 5161, 5162, 1])
    out[`bug ${id}`] = await reader.getBugDetail(id);
  for (const productId of [1, 2, 4])
    for (const sortBy of FEATURE_SORT_FIELDS)
      for (const sortOrder of ORDERS)
        for (const hasUserStories of [undefined, true, false])
          out[`features ${productId} ${sortBy} ${sortOrder} ${String(hasUserStories)}`] =
            await reader.listFeatures({
              productId,
              sortBy,
              sortOrder,
              ...page(0, 10),
              ...(hasUserStories === undefined ? {} : { hasUserStories }),
            });
  for (const id of [10, 11, 22, 99]) out[`feature ${id}`] = await reader.getFeatureDetail(id);
  for (const sortBy of USER_SORT_FIELDS)
    for (const sortOrder of ORDERS)
      for (const userType of [undefined, 'tester', 'customer'] as const)
        for (const activeSince of [new Date('2000-01-01T00:00:00Z'), new Date('2025-02-01T00:00:00Z')])
          out[`users ${sortBy} ${sortOrder} ${String(userType)} ${activeSince.toISOString()}`] =
            await reader.listUsers({
              sortBy,
              sortOrder,
              activeSince,
              ...page(0, 50),
              ...(userType ? { userType } : {}),
            });
  const users = await reader.listUsers({
    sortBy: 'username',
    sortOrder: 'asc',
    activeSince: new Date(0),
    ...page(0, 50),
  });
  for (const u of users.items) out[`user ${u.username}`] = await reader.getUserSummary(u.id);
  out['user 0'] = await reader.getUserSummary(0);
  for (const key of Object.keys(out)) out[key] = withoutUserIds(key, out[key]);
  out['usersSeenAt'] = await reader.usersSeenAt();
  out['stats'] = await reader.stats();
  out['lastTestsSyncAt'] = await reader.lastTestsSyncAt();
  out['ranges'] = [
    await reader.listProblematicRanges(),
    await reader.listProblematicRanges({ productId: 2 }),
    await reader.listProblematicRanges({ includeResolved: true, limit: 1 }),
  ];
  return out;
}

const SEARCHES: SearchPortOptions[] = [
  { query: 'checkout' },
  { query: 'CHECKOUT flow' },
  { query: 'crash', entityTypes: ['bug'], limit: 7, offset: 3 },
  { query: 'apres virement' },
  { query: 'eclair' },
  { query: 'pay', productIds: [2] },
  { query: 'crash', from: new Date('2025-01-20T00:00:00Z'), to: new Date('2025-02-10T00:00:00Z') },
  { query: 'e-mail "" )(' },
  { query: 'checkout OR zebra', mode: 'raw' },
  { query: 'title:checkout', mode: 'raw', entityTypes: ['test', 'bug'] },
  { query: 'crash NOT apple', mode: 'raw', entityTypes: ['bug'] },
  { query: '"nothing happens"', mode: 'raw' },
  { query: 'check* AND (pie OR tart)', mode: 'raw' },
];

/**
 * What both engines must agree on: the count, its bound, title matches first, and, when the page holds
 * every match, the hits (type, id, product, title, title match). A page of a longer list is chosen by
 * score, and scores are each engine's own (BM25 vs ts_rank_cd): there only the sizes must agree.
 */
async function searchAll(search: SearchPort): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const options of SEARCHES) {
    const r = await search.search({ limit: 100, ...options });
    const hit = (h: (typeof r.results)[number]) =>
      `${h.entity_type}:${h.entity_id}:${h.product_id}:${h.title}`;
    const complete = (options.offset ?? 0) === 0 && r.results.length === r.total;
    const hits = (titles: boolean) =>
      r.results
        .filter((h) => h.title_match === titles)
        .map(hit)
        .sort();
    out.push({
      options,
      match: r.match,
      total: r.total,
      totalIsLowerBound: r.totalIsLowerBound,
      count: r.results.length,
      complete,
      ...(complete ? { titleHits: hits(true), bodyHits: hits(false) } : {}),
      titleFirst: r.results.every((h, i, all) => i === 0 || !h.title_match || all[i - 1]?.title_match),
      positive: r.results.every((h) => h.score > 0),
      snippets: r.results.every((h) => h.snippet?.includes('**')),
    });
  }
  return out;
}

describe('PostgreSQL answers what SQLite answers', () => {
  const dbs = new Map<string, ReadTestDatabase>();
  beforeAll(async () => {
    for (const engine of READ_ENGINES) {
      const db = await engine.open();
      dbs.set(engine.name, db);
      await db.write(fill);
    }
  });
  afterAll(async () => {
    for (const db of dbs.values()) await db.cleanup();
  });
  const both = () => {
    const sqlite = dbs.get('sqlite');
    const postgres = dbs.get('postgres');
    if (!sqlite || !postgres) throw new Error('engines not open');
    return { sqlite, postgres };
  };

  it('for every reader method, sort, filter and page', async () => {
    const { sqlite, postgres } = both();
    const expected = await readAll(sqlite.reader());
    const actual = await readAll(postgres.reader());
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const key of Object.keys(expected)) expect(actual[key], key).toEqual(expected[key]);
    // The data is rich enough for the comparison to mean something.
    expect(expected['stats']).toMatchObject({ products: 4, tests: 36, bugs: 163 });
    // The bugs added for the summary's lookups answer what a user expects, not only the same on both.
    expect(actual['bug 5160']).toMatchObject({ title: 'Bug 5160', reporter: null, feature: null });
    expect(actual['bug 5161']).toMatchObject({
      reporter: { username: 'nobody.known' },
      feature: { id: 11, title: expect.any(String) },
    });
    expect(actual['bug 5162']).toMatchObject({ feature: { id: 12 }, test: { id: 102 } });
    expect((expected['bugs severity desc 0 {}'] as { total: number }).total).toBeGreaterThan(100);
  });

  it('for searches of every kind', async () => {
    const { sqlite, postgres } = both();
    const expected = await searchAll(sqlite.mirrorSearch());
    const actual = await searchAll(postgres.mirrorSearch());
    for (const [i, e] of expected.entries()) expect(actual[i], JSON.stringify(SEARCHES[i])).toEqual(e);
    expect(expected.filter((r) => (r as { complete: boolean }).complete).length).toBeGreaterThan(6);
    expect(expected.filter((r) => (r as { total: number }).total > 0).length).toBeGreaterThan(8);
  });
});
