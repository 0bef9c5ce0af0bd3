import {
  ConflictError,
  DatabaseBusyError,
  emptySyncCounts,
  NotFoundError,
  ProductNotFoundError,
  type SyncCounts,
  type SyncStores,
} from '@testio-mcp/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bug, feature, product, test as testOf, userStory } from './__fixtures__/entities.js';
import { decodeRawText } from './raw-codec.js';
import { openSqlite } from './sqlite.js';
import { createTestDatabase, type EngineTestDatabase, type TestDatabase, testEngines } from './testing.js';
import { fromDbTime, toDbTime } from './time.js';

const T0 = new Date('2025-02-01T08:00:00.000Z');
const T1 = new Date('2025-02-01T09:00:00.000Z');

const ZERO: SyncCounts = emptySyncCounts();

/**
 * A row as SQLite returns it, whichever the engine: timestamps in the stored text form, booleans 0/1, JSON
 * as text. The assertions below are written once against that shape.
 */
function sqliteShaped(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      v instanceof Date
        ? toDbTime(v)
        : typeof v === 'boolean'
          ? Number(v)
          : v !== null && typeof v === 'object' && !(v instanceof Uint8Array)
            ? JSON.stringify(v)
            : v,
    ]),
  );
}

describe.each(testEngines)('stores on $name', (engine) => {
  let db: EngineTestDatabase;
  let stores: SyncStores;

  beforeEach(async () => {
    db = await engine.open();
    stores = db.stores;
  });
  afterEach(async () => {
    await db.cleanup();
  });

  /** `?` placeholders on both engines. */
  const placeholders = (sql: string) => {
    if (engine.name === 'sqlite') return sql;
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };

  async function all<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
    return (await db.rows(placeholders(sql), params)).map(
      (r) => sqliteShaped(r as Record<string, unknown>) as T,
    );
  }

  async function row<T>(sql: string, ...params: unknown[]): Promise<T> {
    return (await all<T>(sql, ...params))[0] as T;
  }

  async function count(table: string, where = 'true'): Promise<number> {
    return Number((await row<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).n);
  }

  async function readUsers() {
    return (
      await all<Record<string, string | number | null>>(
        'SELECT username, is_customer, is_tester, first_activity_at, last_activity_at, first_seen_at, last_seen_at FROM users ORDER BY username',
      )
    ).map((u) => ({
      username: u.username,
      isCustomer: u.is_customer === 1,
      isTester: u.is_tester === 1,
      firstActivityAt: fromDbTime(u.first_activity_at as string | null),
      lastActivityAt: fromDbTime(u.last_activity_at as string | null),
      firstSeenAt: fromDbTime(u.first_seen_at as string | null),
      lastSeenAt: fromDbTime(u.last_seen_at as string | null),
    }));
  }

  describe('ProductStore', () => {
    it('upserts products with their sections and raw payload, and lists sync states', async () => {
      await stores.products.upsertProducts(
        [
          product(2),
          product(1, {
            sections: [
              { id: 11, name: 'Web' },
              { id: 12, name: 'App' },
            ],
          }),
        ],
        T0,
      );
      const states = await stores.products.listProductSyncStates();
      expect(states.map((s) => [s.id, s.title, s.hasSections])).toEqual([
        [1, 'Product 1', true],
        [2, 'Product 2', false],
      ]);
      expect(states[0]?.raw.sections?.map((s) => s.id)).toEqual([11, 12]);
      expect(states[0]?.featuresSyncedAt).toBeNull();
      expect(await count('sections')).toBe(2);
      expect(await row('SELECT synced_at FROM products WHERE id = 1')).toEqual({
        synced_at: '2025-02-01T08:00:00.000+00:00',
      });

      // Sections not given again are removed; the title follows upstream.
      await stores.products.upsertProducts(
        [product(1, { name: 'Renamed', sections: [{ id: 12, name: 'App' }] })],
        T1,
      );
      expect((await stores.products.listProductSyncStates([1]))[0]?.title).toBe('Renamed');
      expect(await count('sections', 'product_id = 1')).toBe(1);
      expect(await stores.products.listProductSyncStates([3])).toEqual([]);
    });

    it('keeps bookkeeping timestamps apart and marks test walks', async () => {
      await stores.products.upsertProducts([product(1)], T0);
      await stores.products.markTestsWalked(1, T0, false);
      let [state] = await stores.products.listProductSyncStates([1]);
      expect(state?.testsSyncedAt).toEqual(T0);
      expect(state?.lastFullSyncAt).toBeNull();
      await stores.products.markTestsWalked(1, T1, true);
      await stores.products.upsertProducts([product(1)], T1);
      [state] = await stores.products.listProductSyncStates([1]);
      expect(state?.testsSyncedAt).toEqual(T1);
      expect(state?.lastFullSyncAt).toEqual(T1);
      expect(state?.featuresSyncedAt).toBeNull();
      await expect(stores.products.markTestsWalked(99, T1, true)).rejects.toBeInstanceOf(
        ProductNotFoundError,
      );
    });

    it('deletes products except the kept ones, cascading to everything under them', async () => {
      await stores.products.upsertProducts(
        [product(1), product(2, { sections: [{ id: 21, name: 'Web' }] }), product(3)],
        T0,
      );
      await stores.features.replaceProductFeatures(2, [feature(21, 2)], [userStory(210, 2)], T0);
      await stores.tests.upsertTests([testOf(200, 2)], T0);
      await stores.bugs.replaceBugsOfTests([200], [bug(2000, 200)], T0);
      await stores.syncState.recordProblematicRange(
        {
          productId: 2,
          offsetFrom: 0,
          offsetTo: 0,
          boundaryBeforeId: null,
          boundaryBeforeEndAt: null,
          boundaryAfterId: null,
          boundaryAfterEndAt: null,
          lastError: 'HTTP 500',
        },
        T0,
      );
      expect(await stores.products.deleteProductsExcept([1])).toEqual([2, 3]);
      for (const table of [
        'features',
        'user_stories',
        'tests',
        'test_features',
        'test_platforms',
        'bugs',
        'sections',
        'problematic_ranges',
      ]) {
        expect(await count(table), table).toBe(0);
      }
      expect(await count('products')).toBe(1);
      expect(await stores.products.deleteProductsExcept([1])).toEqual([]);
    });

    it('strips credentials from stored payloads', async () => {
      await stores.products.upsertProducts([product(1)], T0);
      await stores.tests.upsertTests([testOf(100, 1)], T0);
      const raw = await row<{ raw: string | Uint8Array; environment: string }>(
        'SELECT raw, environment FROM tests WHERE id = 100',
      );
      // SQLite stores the payload compressed (ADR 0039), PostgreSQL as jsonb
      expect(decodeRawText(raw.raw)).not.toMatch(/s3cret-pass|qa-user|magic-link/);
      expect(JSON.parse(decodeRawText(raw.raw)).test_environment).toEqual({
        id: 7,
        title: 'Staging',
        url: 'https://staging.example.com',
      });
      expect(JSON.parse(raw.environment)).toEqual({
        id: 7,
        title: 'Staging',
        url: 'https://staging.example.com',
      });
    });
  });

  describe('FeatureStore', () => {
    beforeEach(async () => {
      await stores.products.upsertProducts([product(1), product(2)], T0);
    });

    it('replaces a product catalogue and its user stories, and sets featuresSyncedAt', async () => {
      expect(
        await stores.features.replaceProductFeatures(
          1,
          [feature(10, 1, { user_stories: ['As a user'] }, [11]), feature(11, 1)],
          [userStory(100, 1), userStory(101, 1)],
          T0,
        ),
      ).toEqual({ upserted: 2, deleted: 0 });
      await stores.features.replaceProductFeatures(2, [feature(20, 2)], [userStory(200, 2)], T0);
      expect(
        await stores.features.replaceProductFeatures(
          1,
          [feature(11, 1, { title: 'Renamed' })],
          [userStory(101, 1)],
          T1,
        ),
      ).toEqual({
        upserted: 1,
        deleted: 1,
      });
      expect(await all('SELECT id, title FROM features ORDER BY id')).toEqual([
        { id: 11, title: 'Renamed' },
        { id: 20, title: 'Feature 20' },
      ]);
      expect(await all('SELECT id FROM user_stories ORDER BY id')).toEqual([{ id: 101 }, { id: 200 }]);
      const [state] = await stores.products.listProductSyncStates([1]);
      expect(state?.featuresSyncedAt).toEqual(T1);
    });

    it('stores section ids and story paths as JSON arrays', async () => {
      await stores.features.replaceProductFeatures(
        1,
        [feature(10, 1, { user_stories: ['A', { id: 5, path: 'B' }] }, [12, 11])],
        [],
        T0,
      );
      const f = await row<{ section_ids: string; user_stories: string }>(
        'SELECT section_ids, user_stories FROM features WHERE customer_id = 1 AND id = 10',
      );
      expect(JSON.parse(f.section_ids)).toEqual([11, 12]);
      expect(JSON.parse(f.user_stories)).toEqual(['A', 'B']);
    });

    it('finds feature ids the mirror does not hold', async () => {
      await stores.features.replaceProductFeatures(1, [feature(10, 1)], [], T0);
      expect(await stores.features.findMissingFeatureIds([12, 10, 11, 12])).toEqual([11, 12]);
      expect(await stores.features.findMissingFeatureIds([])).toEqual([]);
    });

    it('refuses features of an unknown product', async () => {
      await expect(
        stores.features.replaceProductFeatures(9, [feature(90, 9)], [], T0),
      ).rejects.toBeInstanceOf(ProductNotFoundError);
    });
  });

  describe('TestStore', () => {
    beforeEach(async () => {
      await stores.products.upsertProducts([product(1), product(2)], T0);
    });

    it('upserts tests with features, platforms and customer users; timestamps in one form', async () => {
      await stores.tests.upsertTests(
        [testOf(100, 1), testOf(101, 1, { end_at: '2025-01-05T00:00:00Z' })],
        T0,
      );
      expect(await stores.tests.findKnownTestIds([100, 101, 102])).toEqual(new Set([100, 101]));
      expect(
        await row('SELECT start_at, end_at, synced_at, bugs_synced_at FROM tests WHERE id = 100'),
      ).toEqual({
        start_at: '2025-01-01T08:00:00.000+00:00',
        end_at: '2025-01-03T08:00:00.000+00:00',
        synced_at: '2025-02-01T08:00:00.000+00:00',
        bugs_synced_at: null,
      });
      expect(await count('test_features', 'test_id = 100')).toBe(2);
      expect(
        await all(
          'SELECT position, category, operating_system, min_version, max_version, browsers FROM test_platforms WHERE test_id = 100',
        ),
      ).toEqual([
        {
          position: 0,
          category: 'Computers',
          operating_system: 'Windows',
          min_version: '10',
          max_version: '11',
          browsers: '["Chrome"]',
        },
      ]);
      const users = await readUsers();
      expect(users.map((u) => [u.username, u.isCustomer, u.isTester])).toEqual([
        ['customer.anna', true, false],
        ['customer.bob', true, false],
      ]);
      expect(users[0]?.firstActivityAt).toEqual(new Date('2025-01-01T08:00:00.000Z'));
      expect(users[0]?.lastActivityAt).toEqual(new Date('2025-01-05T00:00:00.000Z'));
    });

    it('replaces the children of a test and never touches bugsSyncedAt', async () => {
      await stores.tests.upsertTests([testOf(100, 1)], T0);
      await stores.bugs.replaceBugsOfTests([100], [], T0);
      await stores.tests.upsertTests(
        [testOf(100, 1, { status: 'locked', features: [{ id: 99, feature_id: 503 }], requirements: [] })],
        T1,
      );
      const [state] = await stores.tests.getTestSyncStates([100]);
      expect(state).toEqual({
        id: 100,
        productId: 1,
        status: 'locked',
        endAt: new Date('2025-01-03T08:00:00.000Z'),
        syncedAt: T1,
        bugsSyncedAt: T0,
      });
      expect(await all('SELECT id, feature_id FROM test_features')).toEqual([{ id: 99, feature_id: 503 }]);
      expect(await count('test_platforms')).toBe(0);
    });

    it('lists a product’s tests newest end first, tests without end last', async () => {
      await stores.tests.upsertTests(
        [
          testOf(1, 1, { end_at: '2025-01-01T00:00:00Z' }),
          testOf(2, 1, { end_at: '2025-03-01T00:00:00Z' }),
          testOf(3, 1, { end_at: null }),
          testOf(4, 2, { end_at: '2025-04-01T00:00:00Z' }),
        ],
        T0,
      );
      expect((await stores.tests.listProductTestStates(1)).map((s) => s.id)).toEqual([2, 1, 3]);
      expect(await stores.tests.getTestSyncStates([4, 5])).toHaveLength(1);
    });

    it("reads a test's sync state as it is now: after this connection's writes and another's", async () => {
      await stores.tests.upsertTests([testOf(100, 1)], T0);
      const read = async () =>
        (await stores.tests.getTestSyncStates([101, 100])).map((s) => [
          s.id,
          s.status,
          s.syncedAt,
          s.bugsSyncedAt,
        ]);
      expect(await read()).toEqual([[100, 'archived', T0, null]]);
      expect(await read()).toEqual([[100, 'archived', T0, null]]);
      // Another process (the sync worker, a second server) writes; the next read sees it at once.
      const other = await db.connectAgain();
      try {
        await other.stores.tests.upsertTests([testOf(100, 1, { status: 'locked' }), testOf(101, 1)], T1);
        expect(await read()).toEqual([
          [100, 'locked', T1, null],
          [101, 'archived', T1, null],
        ]);
        await stores.bugs.replaceBugsOfTests([100], [], T1);
        expect(await read()).toEqual([
          [100, 'locked', T1, T1],
          [101, 'archived', T1, null],
        ]);
        await other.stores.tests.deleteTests([101]);
        expect(await read()).toEqual([[100, 'locked', T1, T1]]);
      } finally {
        await other.close();
      }
    });

    it('deletes tests with their bugs and children', async () => {
      await stores.tests.upsertTests([testOf(100, 1), testOf(101, 1)], T0);
      await stores.bugs.replaceBugsOfTests([100, 101], [bug(1, 100), bug(2, 101)], T0);
      expect(await stores.tests.deleteTests([100, 999])).toBe(1);
      expect(await count('bugs')).toBe(1);
      expect(await count('test_features', 'test_id = 100')).toBe(0);
      expect(await count('test_platforms', 'test_id = 100')).toBe(0);
    });

    it('refuses tests of a product the mirror does not hold, writing nothing', async () => {
      await expect(stores.tests.upsertTests([testOf(100, 1), testOf(300, 3)], T0)).rejects.toBeInstanceOf(
        ProductNotFoundError,
      );
      expect(await count('tests')).toBe(0);
    });
  });

  describe('BugStore', () => {
    beforeEach(async () => {
      await stores.products.upsertProducts([product(1)], T0);
      await stores.tests.upsertTests([testOf(100, 1), testOf(101, 1), testOf(102, 1)], T0);
    });

    it('makes the mirror hold exactly the given bugs of these tests', async () => {
      expect(
        await stores.bugs.replaceBugsOfTests([100, 101], [bug(1, 100), bug(2, 100), bug(3, 101)], T0),
      ).toEqual({ upserted: 3, deleted: 0 });
      await stores.bugs.replaceBugsOfTests([102], [bug(4, 102)], T0);
      expect(
        await stores.bugs.replaceBugsOfTests([100, 101], [bug(2, 100, { title: 'Changed' })], T1),
      ).toEqual({ upserted: 1, deleted: 2 });
      expect(await all('SELECT id, title FROM bugs ORDER BY id')).toEqual([
        { id: 2, title: 'Changed' },
        { id: 4, title: 'Bug 4' },
      ]);
      const states = await stores.tests.getTestSyncStates([100, 101, 102]);
      expect(states.map((s) => s.bugsSyncedAt)).toEqual([T1, T1, T0]);
    });

    it('writes a bug listed twice in one batch once, as last listed', async () => {
      expect(
        await stores.bugs.replaceBugsOfTests(
          [100],
          [bug(1, 100, { title: 'First' }), bug(2, 100), bug(1, 100, { title: 'Second' })],
          T0,
        ),
      ).toEqual({ upserted: 2, deleted: 0 });
      expect(await all('SELECT id, title FROM bugs ORDER BY id')).toEqual([
        { id: 1, title: 'Second' },
        { id: 2, title: 'Bug 2' },
      ]);
      expect(await count('bugs')).toBe(2);
    });

    it("writes single bugs after a triage without touching the tests' other bugs or their sync time", async () => {
      await stores.bugs.replaceBugsOfTests([100], [bug(1, 100), bug(2, 100)], T0);
      expect(
        await stores.bugs.upsertBugs([bug(1, 100, { status: 'rejected', known: true }), bug(9, 999)], T1),
      ).toEqual({ upserted: 1, skipped: 1 });
      expect(await all('SELECT id, status, known FROM bugs ORDER BY id')).toEqual([
        { id: 1, status: 'rejected', known: 1 },
        { id: 2, status: 'accepted', known: 0 },
      ]);
      expect((await stores.tests.getTestSyncStates([100]))[0]?.bugsSyncedAt).toEqual(T0);
    });

    it('stores enriched status, product of the test, UTC report time and tester users', async () => {
      await stores.bugs.replaceBugsOfTests(
        [100],
        [
          bug(1, 100, { status: 'accepted', auto_accepted: true, product: { id: 777 } }),
          bug(2, 100, { author: { name: 'customer.anna' } }),
        ],
        T0,
      );
      expect(
        await row('SELECT status, product_id, reported_at, known, steps FROM bugs WHERE id = 1'),
      ).toEqual({
        status: 'auto_accepted',
        product_id: 1,
        reported_at: '2025-01-02T11:00:00.000+00:00',
        known: 0,
        steps: 'Open the cart\nPress pay',
      });
      const users = await readUsers();
      expect(users.map((u) => [u.username, u.isCustomer, u.isTester])).toEqual([
        ['customer.anna', true, true],
        ['customer.bob', true, false],
        ['tester.tom', false, true],
      ]);
      expect(users[2]?.lastActivityAt).toEqual(new Date('2025-01-02T11:00:00.000Z'));
    });

    it('keeps the users table unique per tenant and username', async () => {
      await stores.bugs.replaceBugsOfTests([100], [bug(1, 100)], T0);
      await stores.bugs.replaceBugsOfTests([101], [bug(2, 101, { reported_at: '2024-12-01T00:00:00Z' })], T1);
      const tom = (await readUsers()).filter((u) => u.username === 'tester.tom');
      expect(tom).toHaveLength(1);
      expect(tom[0]?.firstActivityAt).toEqual(new Date('2024-12-01T00:00:00.000Z'));
      expect(tom[0]?.lastActivityAt).toEqual(new Date('2025-01-02T11:00:00.000Z'));
      expect(tom[0]?.firstSeenAt).toEqual(T0);
      expect(tom[0]?.lastSeenAt).toEqual(T1);
    });

    it('refuses bugs of a test the mirror does not hold, writing nothing', async () => {
      const error = await stores.bugs
        .replaceBugsOfTests([100, 555], [bug(1, 100), bug(2, 555)], T0)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).entity).toBe('test');
      expect(await count('bugs')).toBe(0);
    });

    it('cascades from the product down to bugs', async () => {
      await stores.bugs.replaceBugsOfTests([100], [bug(1, 100)], T0);
      await stores.products.deleteProductsExcept([]);
      expect(await count('bugs')).toBe(0);
    });
  });

  describe('tenant isolation', () => {
    it('lets two tenants hold the same TestIO ids without seeing each other', async () => {
      const other = db.forCustomer(2).stores;
      await stores.products.upsertProducts([product(1)], T0);
      await other.products.upsertProducts([product(1, { name: 'Other tenant' })], T0);
      await stores.tests.upsertTests([testOf(100, 1)], T0);
      await other.tests.upsertTests([testOf(100, 1, { title: 'Other test' })], T0);
      await stores.bugs.replaceBugsOfTests([100], [bug(1, 100)], T0);
      await other.bugs.replaceBugsOfTests([100], [], T0);

      expect((await stores.products.listProductSyncStates())[0]?.title).toBe('Product 1');
      expect((await other.products.listProductSyncStates())[0]?.title).toBe('Other tenant');
      expect(await count('bugs', 'customer_id = 1')).toBe(1);
      expect(await count('bugs', 'customer_id = 2')).toBe(0);

      expect(await other.products.deleteProductsExcept([])).toEqual([1]);
      expect(await stores.tests.findKnownTestIds([100])).toEqual(new Set([100]));
      expect(await other.tests.findKnownTestIds([100])).toEqual(new Set());

      await stores.syncState.acquireLease('a', 1000, T0);
      expect(await other.syncState.readLease()).toBeNull();
      const run = await stores.syncState.startRun({
        trigger: 'mcp',
        mode: 'incremental',
        productIds: null,
        startedAt: T0,
      });
      expect(await other.syncState.getRun(run)).toBeNull();
      expect(await other.syncState.listRuns(10)).toEqual([]);
    });
  });

  describe('SyncStateStore: lease', () => {
    const at = (ms: number) => new Date(T0.getTime() + ms);

    it('acquires a free lease, renews it, and releases it', async () => {
      const first = await stores.syncState.acquireLease('host:1', 10_000, T0);
      expect(first).toEqual({
        acquired: true,
        lease: { holder: 'host:1', acquiredAt: T0, expiresAt: at(10_000) },
      });
      expect(await stores.syncState.renewLease('host:1', 10_000, at(5_000))).toBe(true);
      expect((await stores.syncState.readLease())?.expiresAt).toEqual(at(15_000));
      // Re-acquiring our own live lease keeps the tenure.
      const again = await stores.syncState.acquireLease('host:1', 10_000, at(6_000));
      expect(again.acquired && again.lease.acquiredAt).toEqual(T0);
      await stores.syncState.releaseLease('host:2');
      expect(await stores.syncState.readLease()).not.toBeNull();
      await stores.syncState.releaseLease('host:1');
      expect(await stores.syncState.readLease()).toBeNull();
    });

    it('refuses a live lease held by someone else, takes an expired one', async () => {
      await stores.syncState.acquireLease('host:1', 10_000, T0);
      const refused = await stores.syncState.acquireLease('host:2', 10_000, at(9_999));
      expect(refused).toEqual({
        acquired: false,
        current: { holder: 'host:1', acquiredAt: T0, expiresAt: at(10_000) },
      });
      const taken = await stores.syncState.acquireLease('host:2', 10_000, at(10_000));
      expect(taken.acquired).toBe(true);
      expect(await stores.syncState.renewLease('host:1', 10_000, at(10_001))).toBe(false);
    });

    it('steals a live lease when the caller judges its holder dead', async () => {
      await stores.syncState.acquireLease('host:1', 60_000, T0);
      const seen: string[] = [];
      const stolen = await stores.syncState.acquireLease('host:2', 60_000, at(1), (current) => {
        seen.push(current.holder);
        return true;
      });
      expect(seen).toEqual(['host:1']);
      expect(stolen.acquired && stolen.lease).toEqual({
        holder: 'host:2',
        acquiredAt: at(1),
        expiresAt: at(60_001),
      });
      const kept = await stores.syncState.acquireLease('host:3', 60_000, at(2), () => false);
      expect(kept.acquired).toBe(false);
    });
  });

  describe('SyncStateStore: runs', () => {
    const counts: SyncCounts = {
      ...ZERO,
      productsSynced: 3,
      testsDiscovered: 5,
      testsUpdated: 7,
      bugsSynced: 11,
      upstreamCalls: 20,
    };

    it('starts, heartbeats and finishes a run', async () => {
      const id = await stores.syncState.startRun({
        trigger: 'startup',
        mode: 'refresh',
        productIds: [1, 2],
        startedAt: T0,
      });
      expect(await stores.syncState.getRun(id)).toMatchObject({
        status: 'running',
        productIds: [1, 2],
        heartbeatAt: T0,
        counts: null,
        warnings: [],
      });
      await stores.syncState.heartbeatRun(id, T1);
      expect((await stores.syncState.getRun(id))?.heartbeatAt).toEqual(T1);
      await stores.syncState.finishRun(id, {
        status: 'partial_failure',
        finishedAt: new Date(T0.getTime() + 90_000),
        counts,
        warnings: ['w1'],
        error: null,
      });
      expect(await stores.syncState.getRun(id)).toEqual({
        id,
        trigger: 'startup',
        mode: 'refresh',
        productIds: [1, 2],
        status: 'partial_failure',
        startedAt: T0,
        finishedAt: new Date(T0.getTime() + 90_000),
        heartbeatAt: new Date(T0.getTime() + 90_000),
        durationMs: 90_000,
        counts,
        warnings: ['w1'],
        error: null,
      });
      await expect(stores.syncState.heartbeatRun(9999, T1)).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        stores.syncState.finishRun(9999, {
          status: 'success',
          finishedAt: T1,
          counts,
          warnings: [],
          error: null,
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('interrupts runs without a recent heartbeat, counts and finds runs by status', async () => {
      const stale = await stores.syncState.startRun({
        trigger: 'background',
        mode: 'incremental',
        productIds: null,
        startedAt: T0,
      });
      const live = await stores.syncState.startRun({
        trigger: 'mcp',
        mode: 'incremental',
        productIds: null,
        startedAt: T0,
      });
      await stores.syncState.heartbeatRun(live, new Date(T0.getTime() + 600_000));
      const failed = await stores.syncState.startRun({
        trigger: 'mcp',
        mode: 'force',
        productIds: null,
        startedAt: T1,
      });
      await stores.syncState.finishRun(failed, {
        status: 'failure',
        finishedAt: T1,
        counts: ZERO,
        warnings: [],
        error: 'boom',
      });

      const now = new Date(T0.getTime() + 700_000);
      expect(await stores.syncState.interruptStaleRuns(new Date(T0.getTime() + 300_000), now)).toBe(1);
      expect(await stores.syncState.getRun(stale)).toMatchObject({
        status: 'interrupted',
        finishedAt: now,
        durationMs: 700_000,
      });
      expect((await stores.syncState.getRun(live))?.status).toBe('running');
      // A heartbeat after the interruption does not resurrect the run.
      await stores.syncState.heartbeatRun(stale, now);
      expect((await stores.syncState.getRun(stale))?.status).toBe('interrupted');

      expect((await stores.syncState.listRuns(10)).map((r) => r.id)).toEqual([failed, live, stale]);
      expect((await stores.syncState.listRuns(1)).map((r) => r.id)).toEqual([failed]);
      expect(await stores.syncState.countRunsSince(['failure', 'interrupted'], T0)).toBe(2);
      expect(await stores.syncState.countRunsSince(['failure'], new Date(T1.getTime() + 1))).toBe(0);
      expect((await stores.syncState.lastRunWithStatus(['interrupted', 'running']))?.id).toBe(live);
      expect(await stores.syncState.lastRunWithStatus(['success'])).toBeNull();
    });

    it('rejects a status outside the vocabulary at the database level', async () => {
      await expect(
        db.rows(
          "INSERT INTO sync_runs (customer_id, trigger, mode, status, started_at, warnings) VALUES (1, 'mcp', 'incremental', 'failed', '2025-01-01T00:00:00.000+00:00', '[]')",
        ),
      ).rejects.toThrow(/CHECK constraint failed|sync_runs_status_check/);
    });
  });

  describe('SyncStateStore: problematic ranges', () => {
    const range = {
      productId: 1,
      offsetFrom: 50,
      offsetTo: 54,
      boundaryBeforeId: 900,
      boundaryBeforeEndAt: new Date('2025-01-10T00:00:00Z'),
      boundaryAfterId: 800,
      boundaryAfterEndAt: new Date('2025-01-05T00:00:00Z'),
      lastError: 'HTTP 500',
    };

    it('records, bumps, resolves, reopens and clears ranges', async () => {
      const first = await stores.syncState.recordProblematicRange(range, T0);
      expect(first).toMatchObject({
        ...range,
        attempts: 1,
        firstSeenAt: T0,
        lastSeenAt: T0,
        resolvedAt: null,
      });
      const again = await stores.syncState.recordProblematicRange(
        { ...range, offsetFrom: 75, offsetTo: 79, lastError: 'HTTP 502' },
        T1,
      );
      expect(again).toMatchObject({
        id: first.id,
        attempts: 2,
        offsetFrom: 75,
        lastError: 'HTTP 502',
        firstSeenAt: T0,
        lastSeenAt: T1,
      });
      const other = await stores.syncState.recordProblematicRange(
        { ...range, productId: 2, boundaryBeforeId: null, boundaryBeforeEndAt: null },
        T0,
      );
      expect(other.id).not.toBe(first.id);
      expect(
        await stores.syncState.recordProblematicRange(
          { ...range, productId: 2, boundaryBeforeId: null, boundaryBeforeEndAt: null },
          T1,
        ),
      ).toMatchObject({
        id: other.id,
        attempts: 2,
      });

      await stores.syncState.resolveProblematicRange(first.id, T1);
      expect((await stores.syncState.listProblematicRanges()).map((r) => r.id)).toEqual([other.id]);
      expect(
        (await stores.syncState.listProblematicRanges({ includeResolved: true, productId: 1 }))[0]
          ?.resolvedAt,
      ).toEqual(T1);
      const reopened = await stores.syncState.recordProblematicRange(range, T1);
      expect(reopened).toMatchObject({ id: first.id, attempts: 3, resolvedAt: null });
      await expect(stores.syncState.resolveProblematicRange(12345, T1)).rejects.toBeInstanceOf(NotFoundError);

      expect(await stores.syncState.clearProblematicRanges(2)).toBe(1);
      expect(await stores.syncState.clearProblematicRanges()).toBe(1);
      expect(await stores.syncState.listProblematicRanges({ includeResolved: true })).toEqual([]);
    });
  });
  describe('queries', () => {
    it('counts per product in the shape of the sandbox ground truth', async () => {
      await stores.products.upsertProducts(
        [product(1), product(2, { sections: [{ id: 21, name: 'Web' }] })],
        T0,
      );
      await stores.features.replaceProductFeatures(
        1,
        [feature(10, 1)],
        [userStory(100, 1), userStory(101, 1)],
        T0,
      );
      await stores.tests.upsertTests(
        [testOf(100, 1), testOf(101, 1, { status: 'running' }), testOf(200, 2)],
        T0,
      );
      await stores.bugs.replaceBugsOfTests(
        [100, 200],
        [
          bug(1, 100),
          bug(2, 100, { status: 'rejected', severity: 'low' }),
          bug(3, 200, { status: 'forwarded', severity: 'visual' }),
        ],
        T0,
      );
      const counts = await db.queries.countsForTruthComparison();
      expect(counts.totals).toMatchObject({ products: 2, features: 1, userStories: 2, tests: 3, bugs: 3 });
      expect(counts.totals.testsByStatus).toMatchObject({ archived: 2, running: 1, locked: 0 });
      expect(counts.totals.bugsByStatus).toEqual({
        accepted: 1,
        auto_accepted: 0,
        rejected: 1,
        forwarded: 1,
      });
      expect(counts.products[1]).toMatchObject({
        id: 2,
        hasSections: true,
        sectionIds: [21],
        tests: 1,
        bugs: 1,
      });
      expect(counts.products[1]?.bugsBySeverity).toMatchObject({ visual: 1, high: 0 });
    });
  });
});

describe('on SQLite only', () => {
  let db: TestDatabase;
  let stores: SyncStores;
  beforeEach(() => {
    db = createTestDatabase();
    stores = db.stores;
  });
  afterEach(async () => {
    await db.cleanup();
  });

  describe('error mapping', () => {
    it('turns unique violations into ConflictError', async () => {
      const { toDomainError } = await import('./errors.js');
      await stores.products.upsertProducts([product(1)], T0);
      const error = await db.prisma.product
        .create({ data: { customerId: 1, id: 1, title: 'dup', hasSections: false, raw: {}, syncedAt: T0 } })
        .catch((e: unknown) => toDomainError(e, { entity: 'product', id: 1 }));
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).message).toBe("The product '1' already exists");
      const missing = await db.prisma.product
        .update({ where: { customerId_id: { customerId: 1, id: 42 } }, data: { title: 'x' } })
        .catch((e: unknown) => toDomainError(e, { entity: 'product', id: 42 }));
      expect(missing).toBeInstanceOf(NotFoundError);
      expect((missing as NotFoundError).message).toBe("Product ID '42' not found");
    });

    it('turns a database locked past the busy timeout into DatabaseBusyError', async () => {
      const impatient = createTestDatabase({ busyTimeoutMs: 50 });
      const blocker = openSqlite(impatient.path);
      try {
        blocker.exec('BEGIN IMMEDIATE');
        const error = await impatient.stores.products
          .upsertProducts([product(1)], T0)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DatabaseBusyError);
        expect((error as DatabaseBusyError).code).toBe('database_busy');
        expect((error as DatabaseBusyError).message).toBe('The local database is busy');
        blocker.exec('ROLLBACK');
        await impatient.stores.products.upsertProducts([product(1)], T0);
      } finally {
        blocker.close();
        await impatient.cleanup();
      }
    });
  });
});
