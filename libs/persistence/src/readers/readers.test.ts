import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, type MirrorReader, type SearchPort } from '@testio-mcp/domain';
import { bug, feature, product, test as testOf, userStory } from '../__fixtures__/entities.js';
import { READ_ENGINES, type ReadTestDatabase } from '../__fixtures__/read-engines.js';

const T0 = new Date('2025-02-01T08:00:00.000Z');
const T1 = new Date('2025-02-02T08:00:00.000Z');
describe.each(READ_ENGINES)('readers on $name', (engine) => {
  let db: ReadTestDatabase;
  let reader: MirrorReader;
  let other: MirrorReader;
  let search: SearchPort;
  let otherSearch: SearchPort;

  const page = { offset: 0, limit: 100 };
  const recentSince = { days30: new Date('2025-01-01T00:00:00Z'), days90: new Date('2024-11-01T00:00:00Z') };

  beforeAll(async () => {
    db = await engine.open();
    await db.write(async (stores) => {
      const s = stores();
      await s.products.upsertProducts(
        [
          product(1, { name: 'Web shop', description: 'The customer facing storefront', type: 'website' }),
          product(2, { name: 'banking app', description: 'iOS and Android apps', type: 'mobile_app_ios' }),
          product(3, { name: 'Zebra', description: null, type: 'website' }),
        ],
        T0,
      );
      await s.features.replaceProductFeatures(
        1,
        [
          feature(10, 1, { title: 'Checkout', user_stories: ['Pay by card', 'Pay by invoice'] }),
          feature(11, 1, { title: 'Search', user_stories: [] }),
        ],
        [userStory(500, 1, 'Pay by card'), userStory(501, 1, 'Pay by invoice')],
        T0,
      );
      await s.tests.upsertTests(
        [
          testOf(100, 1, {
            title: 'Checkout regression',
            status: 'archived',
            start_at: '2025-01-10T10:00:00Z',
            end_at: '2025-01-12T10:00:00Z',
            created_by: 'anna',
          }),
          testOf(101, 1, {
            title: 'smoke',
            status: 'running',
            start_at: '2025-01-20T10:00:00Z',
            end_at: '2025-01-21T10:00:00Z',
            created_by: 'anna',
            submitted_by: 'ben',
          }),
          testOf(102, 1, {
            title: 'Apple',
            status: 'initialized',
            start_at: null,
            end_at: null,
            created_by: null,
            submitted_by: null,
          }),
          testOf(200, 2, { title: 'Transfers', status: 'archived', end_at: '2024-06-01T10:00:00Z' }),
        ],
        T0,
      );
      await s.bugs.replaceBugsOfTests(
        [100, 101],
        [
          bug(1000, 100, {
            title: 'b-low',
            severity: 'low',
            status: 'accepted',
            reported_at: '2025-01-11T10:00:00Z',
            author: { name: 'tom' },
          }),
          bug(1001, 100, {
            title: 'b-critical',
            severity: 'critical',
            status: 'rejected',
            reported_at: '2025-01-11T11:00:00Z',
            author: { name: 'tom' },
          }),
          bug(1002, 101, {
            title: 'b-content',
            severity: 'content',
            status: 'forwarded',
            reported_at: '2025-01-20T12:00:00Z',
            author: { name: 'uma' },
          }),
          bug(1003, 101, {
            title: 'b-high',
            severity: 'high',
            status: 'accepted',
            auto_accepted: true,
            reported_at: null,
            author: { name: 'uma' },
          }),
        ],
        T1,
      );
      // Another tenant with overlapping ids and words must never show up.
      const t2 = stores(2);
      await t2.products.upsertProducts(
        [
          product(1, { name: 'Web shop of the other tenant', type: 'website' }),
          product(9, { name: 'Other only' }),
        ],
        T0,
      );
      await t2.tests.upsertTests(
        [testOf(100, 1, { title: 'Checkout elsewhere' }), testOf(900, 9, { title: 'Checkout secret' })],
        T0,
      );
      await t2.bugs.replaceBugsOfTests(
        [100],
        [bug(9000, 100, { title: 'Checkout leak', author: { name: 'tom' } })],
        T0,
      );
    });
    reader = db.reader(1);
    other = db.reader(2);
    search = db.mirrorSearch(1);
    otherSearch = db.mirrorSearch(2);
  });

  afterAll(async () => {
    await db?.cleanup();
  });

  describe('tenant isolation', () => {
    it('never returns another tenant’s rows, whatever the ids', async () => {
      const mine = await reader.listProducts({ ...page, sortBy: 'title', sortOrder: 'asc', recentSince });
      expect(mine.items.map((p) => p.title)).toEqual(['banking app', 'Web shop', 'Zebra']);
      expect(mine.items.find((p) => p.id === 1)?.testCount).toBe(3);
      const theirs = await other.listProducts({ ...page, sortBy: 'title', sortOrder: 'asc', recentSince });
      expect(theirs.items.map((p) => p.id)).toEqual([9, 1]);
      expect(theirs.items.find((p) => p.id === 1)?.testCount).toBe(1);

      expect(await reader.getProduct(9)).toBeNull();
      expect(await other.getTestDetail(101)).toBeNull();
      expect((await reader.getTestRefs([100, 900])).map((t) => t.id)).toEqual([100]);
      expect(await reader.getBugDetail(9000)).toBeNull();
      const bugs = await reader.listBugs({
        ...page,
        testIds: [100],
        sortBy: 'reported_at',
        sortOrder: 'desc',
      });
      expect(bugs.items.map((b) => b.id).sort()).toEqual([1000, 1001]);
      const stats = await reader.stats();
      expect(stats).toMatchObject({ products: 3, features: 2, tests: 4, bugs: 4 });
      expect((await other.stats()).bugs).toBe(1);
    });

    it('scopes search by tenant', async () => {
      const mine = await search.search({ query: 'checkout' });
      expect(mine.results.map((r) => `${r.entity_type}:${r.entity_id}`).sort()).toEqual([
        'feature:10',
        'test:100',
      ]);
      const theirs = await otherSearch.search({ query: 'checkout' });
      expect(theirs.results.map((r) => `${r.entity_type}:${r.entity_id}`).sort()).toEqual([
        'bug:9000',
        'test:100',
        'test:900',
      ]);
    });
  });

  describe('sorting and filtering', () => {
    it('sorts tests by whitelisted fields with NULLs last in both directions', async () => {
      const q = { ...page, productId: 1 } as const;
      const desc = await reader.listTests({ ...q, sortBy: 'end_at', sortOrder: 'desc' });
      expect(desc.items.map((t) => t.id)).toEqual([101, 100, 102]);
      const asc = await reader.listTests({ ...q, sortBy: 'end_at', sortOrder: 'asc' });
      expect(asc.items.map((t) => t.id)).toEqual([100, 101, 102]);
      const byTitle = await reader.listTests({ ...q, sortBy: 'title', sortOrder: 'asc' });
      expect(byTitle.items.map((t) => t.title)).toEqual(['Apple', 'Checkout regression', 'smoke']);
      expect(desc.items.find((t) => t.id === 100)?.bugCount).toBe(2);
    });

    it('refuses sort fields outside the whitelist instead of building SQL from them', async () => {
      const bad = {
        ...page,
        productId: 1,
        sortBy: 'title; DROP TABLE tests' as never,
        sortOrder: 'asc' as const,
      };
      await expect(reader.listTests(bad)).rejects.toThrow(/invalid sort field/);
      await expect(
        reader.listTests({ ...page, productId: 1, sortBy: 'title', sortOrder: 'sideways' as never }),
      ).rejects.toThrow(/invalid sort order/);
      expect((await reader.stats()).tests).toBe(4);
    });

    it('counts exactly and windows with offset and limit', async () => {
      const all = await reader.listTests({
        productId: 1,
        sortBy: 'end_at',
        sortOrder: 'desc',
        offset: 1,
        limit: 1,
      });
      expect(all.total).toBe(3);
      expect(all.items.map((t) => t.id)).toEqual([100]);
      const filtered = await reader.listTests({
        ...page,
        productId: 1,
        statuses: ['running', 'initialized'],
        sortBy: 'end_at',
        sortOrder: 'desc',
      });
      expect(filtered.total).toBe(2);
    });

    it('sorts bug severity by rank, not alphabetically, and filters by status, severity and author', async () => {
      const q = { ...page, testIds: [100, 101] };
      const desc = await reader.listBugs({ ...q, sortBy: 'severity', sortOrder: 'desc' });
      expect(desc.items.map((b) => b.severity)).toEqual(['critical', 'high', 'low', 'content']);
      const asc = await reader.listBugs({ ...q, sortBy: 'severity', sortOrder: 'asc' });
      expect(asc.items.map((b) => b.severity)).toEqual(['content', 'low', 'high', 'critical']);
      expect(
        (
          await reader.listBugs({
            ...q,
            statuses: ['auto_accepted'],
            sortBy: 'reported_at',
            sortOrder: 'desc',
          })
        ).items.map((b) => b.id),
      ).toEqual([1003]);
      expect(
        (
          await reader.listBugs({
            ...q,
            author: 'tom',
            severities: ['low', 'critical'],
            sortBy: 'title',
            sortOrder: 'asc',
          })
        ).total,
      ).toBe(2);
      const byDate = await reader.listBugs({ ...q, sortBy: 'reported_at', sortOrder: 'desc' });
      expect(byDate.items.at(-1)?.id).toBe(1003);
    });

    it('searches products by title or description, case-insensitively, with LIKE wildcards as text', async () => {
      const q = { ...page, sortBy: 'title', sortOrder: 'asc', recentSince } as const;
      expect((await reader.listProducts({ ...q, search: 'STOREFRONT' })).items.map((p) => p.id)).toEqual([1]);
      expect((await reader.listProducts({ ...q, search: 'BANK' })).items.map((p) => p.id)).toEqual([2]);
      expect((await reader.listProducts({ ...q, search: '%' })).total).toBe(0);
      expect((await reader.listProducts({ ...q, productTypes: ['website'] })).total).toBe(2);
      expect((await reader.listProducts({ ...q, productIds: [3] })).items.map((p) => p.id)).toEqual([3]);
      const recent = (await reader.listProducts(q)).items.find((p) => p.id === 1);
      expect(recent).toMatchObject({ testsLast30Days: 2, testsLast90Days: 2, featureCount: 2 });
    });
  });

  describe('summaries', () => {
    it('summarises a product, a feature, a user and a bug', async () => {
      const p = await reader.getProductSummary(1);
      expect(p).toMatchObject({
        testCount: 3,
        testsByStatus: { archived: 1, running: 1, initialized: 1 },
        featureCount: 2,
        userStoryCount: 2,
      });
      const features = await reader.listFeatures({
        ...page,
        productId: 1,
        hasUserStories: true,
        sortBy: 'title',
        sortOrder: 'asc',
      });
      expect(features.items.map((f) => f.id)).toEqual([10]);
      expect(features.items[0]?.userStories).toEqual(['Pay by card', 'Pay by invoice']);
      const f = await reader.getFeatureDetail(10);
      expect(f).toMatchObject({
        userStories: ['Pay by card', 'Pay by invoice'],
        userStoryCount: 2,
        product: { id: 1, title: 'Web shop' },
      });

      const users = await reader.listUsers({
        ...page,
        activeSince: new Date('2000-01-01T00:00:00Z'),
        sortBy: 'username',
        sortOrder: 'asc',
      });
      expect(users.items.map((u) => u.username)).toEqual([
        'anna',
        'ben',
        'customer.anna',
        'customer.bob',
        'tom',
        'uma',
      ]);
      const tom = users.items.find((u) => u.username === 'tom');
      expect(tom?.lastActivityAt?.toISOString()).toBe('2025-01-11T11:00:00.000Z');
      const anna = await reader.getUserSummary(users.items[0]?.id ?? -1);
      expect(anna).toMatchObject({ isCustomer: true, testsCreated: 2, testsSubmitted: 0 });
      expect(
        (
          await reader.listUsers({
            ...page,
            userType: 'tester',
            activeSince: new Date('2000-01-01T00:00:00Z'),
            sortBy: 'username',
            sortOrder: 'asc',
          })
        ).total,
      ).toBe(2);

      const b = await reader.getBugDetail(1001);
      expect(b).toMatchObject({
        id: 1001,
        severity: 'critical',
        test: { id: 100 },
        product: { id: 1, title: 'Web shop' },
        reporter: { username: 'tom' },
      });
    });

    it('lists problematic ranges of this tenant only', async () => {
      await db.write((stores) =>
        stores().syncState.recordProblematicRange(
          {
            productId: 1,
            offsetFrom: 25,
            offsetTo: 26,
            boundaryBeforeId: 100,
            boundaryBeforeEndAt: T0,
            boundaryAfterId: 101,
            boundaryAfterEndAt: T0,
            lastError: 'HTTP 500',
          },
          T1,
        ),
      );
      expect((await reader.listProblematicRanges()).map((r) => r.offsetFrom)).toEqual([25]);
      expect(await other.listProblematicRanges()).toEqual([]);
      expect(await reader.listProblematicRanges({ productId: 2 })).toEqual([]);
    });
  });

  describe('search port', () => {
    it('bounds tests and bugs by date and leaves undated entities out', async () => {
      const from = new Date('2025-01-15T00:00:00Z');
      const out = await search.search({ query: 'b', from });
      expect(out.results.every((r) => r.entity_type === 'bug' || r.entity_type === 'test')).toBe(true);
      const dated = await search.search({ query: 'checkout regression smoke', mode: 'raw' });
      expect(dated.total).toBe(0);
      const tests = await search.search({ query: 'checkout OR smoke', mode: 'raw', entityTypes: ['test'] });
      expect(tests.results.map((r) => r.entity_id).sort()).toEqual([100, 101]);
      const late = await search.search({
        query: 'checkout OR smoke',
        mode: 'raw',
        entityTypes: ['test'],
        from,
      });
      expect(late.results.map((r) => r.entity_id)).toEqual([101]);
      const early = await search.search({ query: 'checkout OR smoke', mode: 'raw', to: from });
      expect(early.results.map((r) => `${r.entity_type}:${r.entity_id}`)).toEqual(['test:100']);
    });

    it('turns an FTS5 syntax error into an InvalidInputError and ranks higher-is-better', async () => {
      await expect(search.search({ query: 'checkout AND (', mode: 'raw' })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
      const out = await search.search({ query: 'checkout' });
      const scores = out.results.map((r) => r.score);
      expect(scores.every((s) => s > 0)).toBe(true);
    });
  });
});
