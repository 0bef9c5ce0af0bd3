import {
  usersOfBug,
  usersOfTest,
  type Bug,
  type Feature,
  type Lease,
  type LeaseResult,
  type NewProblematicRange,
  type ProblematicRange,
  type Product,
  type ProductSyncState,
  type Stored,
  type SyncCounts,
  type SyncMode,
  type SyncRun,
  type SyncRunStatus,
  type SyncStores,
  type SyncTrigger,
  type Test,
  type TestSyncState,
  type UpstreamBug,
  type UpstreamExploratoryTest,
  type UpstreamFeature,
  type UpstreamProduct,
  type UpstreamUserStory,
  type UserStory,
} from '@testio-mcp/domain';

/**
 * An in-memory `SyncStores`: the reference behaviour of the storage contract, for tests of the sync
 * engine, the read-through cache and the services. Every method behaves like one transaction (it
 * validates first, then applies), and dates are copied in and out so callers cannot alias state.
 */

export interface MemoryProduct {
  entity: Product;
  raw: UpstreamProduct;
  syncedAt: Date;
  featuresSyncedAt: Date | null;
  testsSyncedAt: Date | null;
  lastFullSyncAt: Date | null;
}

export interface MemoryTest {
  entity: Test;
  raw: UpstreamExploratoryTest;
  syncedAt: Date;
  bugsSyncedAt: Date | null;
}

export interface MemoryUser {
  username: string;
  tester: boolean;
  customer: boolean;
}

export interface MemoryState {
  products: Map<number, MemoryProduct>;
  features: Map<number, { entity: Feature; raw: UpstreamFeature }>;
  userStories: Map<string, { entity: UserStory; raw: UpstreamUserStory }>;
  tests: Map<number, MemoryTest>;
  bugs: Map<number, { entity: Bug; raw: UpstreamBug }>;
  users: Map<string, MemoryUser>;
  lease: Lease | null;
  runs: SyncRun[];
  problematic: ProblematicRange[];
}

/** How often each store method was called (writes and reads), for "made no writes" assertions. */
export type MemoryCallCounts = Record<string, number>;

export interface MemorySyncStores extends SyncStores {
  readonly state: MemoryState;
  readonly calls: MemoryCallCounts;
  resetCalls(): void;
  /** Counts per product like the sandbox's ground truth. */
  countsByProduct(): Map<number, MirrorCounts>;
}

export interface MirrorCounts {
  tests: number;
  bugs: number;
  testsByStatus: Record<string, number>;
  bugsByStatus: Record<string, number>;
  bugsBySeverity: Record<string, number>;
}

const copy = (d: Date | null): Date | null => (d === null ? null : new Date(d.getTime()));

function endAtOf(test: Test): Date | null {
  return test.end_at ? new Date(test.end_at) : null;
}

export function createMemoryStores(): MemorySyncStores {
  const state: MemoryState = {
    products: new Map(),
    features: new Map(),
    userStories: new Map(),
    tests: new Map(),
    bugs: new Map(),
    users: new Map(),
    lease: null,
    runs: [],
    problematic: [],
  };
  const calls: MemoryCallCounts = {};
  const track = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  let nextRunId = 1;
  let nextRangeId = 1;

  const addUser = (username: string, role: 'tester' | 'customer') => {
    const user = state.users.get(username) ?? { username, tester: false, customer: false };
    user[role] = true;
    state.users.set(username, user);
  };

  const deleteTestCascade = (testId: number): boolean => {
    if (!state.tests.delete(testId)) return false;
    for (const [id, bug] of state.bugs) if (bug.entity.test_id === testId) state.bugs.delete(id);
    return true;
  };

  const testState = (id: number, t: MemoryTest): TestSyncState => ({
    id,
    productId: t.entity.product_id,
    status: t.entity.status,
    endAt: endAtOf(t.entity),
    syncedAt: copy(t.syncedAt),
    bugsSyncedAt: copy(t.bugsSyncedAt),
  });

  const productState = (p: MemoryProduct): ProductSyncState => ({
    id: p.entity.id,
    title: p.entity.title,
    hasSections: p.entity.has_sections,
    raw: p.raw,
    featuresSyncedAt: copy(p.featuresSyncedAt),
    testsSyncedAt: copy(p.testsSyncedAt),
    lastFullSyncAt: copy(p.lastFullSyncAt),
  });

  const cloneRun = (r: SyncRun): SyncRun => ({
    ...r,
    productIds: r.productIds ? [...r.productIds] : null,
    startedAt: new Date(r.startedAt.getTime()),
    finishedAt: copy(r.finishedAt),
    heartbeatAt: copy(r.heartbeatAt),
    counts: r.counts ? { ...r.counts } : null,
    warnings: [...r.warnings],
  });

  const sameBoundaries = (a: NewProblematicRange, b: ProblematicRange) =>
    a.productId === b.productId &&
    a.boundaryBeforeId === b.boundaryBeforeId &&
    a.boundaryAfterId === b.boundaryAfterId;

  const stores: MemorySyncStores = {
    state,
    calls,
    resetCalls() {
      for (const key of Object.keys(calls)) delete calls[key];
    },
    countsByProduct() {
      const out = new Map<number, MirrorCounts>();
      const get = (productId: number) => {
        let c = out.get(productId);
        if (!c)
          out.set(
            productId,
            (c = { tests: 0, bugs: 0, testsByStatus: {}, bugsByStatus: {}, bugsBySeverity: {} }),
          );
        return c;
      };
      for (const id of state.products.keys()) get(id);
      for (const t of state.tests.values()) {
        const c = get(t.entity.product_id);
        c.tests++;
        c.testsByStatus[t.entity.status] = (c.testsByStatus[t.entity.status] ?? 0) + 1;
      }
      for (const b of state.bugs.values()) {
        const test = state.tests.get(b.entity.test_id);
        const c = get(test?.entity.product_id ?? b.entity.product_id ?? -1);
        c.bugs++;
        const status = b.entity.status ?? 'unknown';
        c.bugsByStatus[status] = (c.bugsByStatus[status] ?? 0) + 1;
        const severity = b.entity.severity ?? 'unknown';
        c.bugsBySeverity[severity] = (c.bugsBySeverity[severity] ?? 0) + 1;
      }
      return out;
    },

    products: {
      async upsertProducts(items: ReadonlyArray<Stored<Product, UpstreamProduct>>, syncedAt: Date) {
        track('upsertProducts');
        for (const { entity, raw } of items) {
          const existing = state.products.get(entity.id);
          state.products.set(entity.id, {
            entity,
            raw,
            syncedAt: new Date(syncedAt.getTime()),
            featuresSyncedAt: existing?.featuresSyncedAt ?? null,
            testsSyncedAt: existing?.testsSyncedAt ?? null,
            lastFullSyncAt: existing?.lastFullSyncAt ?? null,
          });
        }
      },
      async deleteProductsExcept(keepIds: readonly number[]) {
        track('deleteProductsExcept');
        const keep = new Set(keepIds);
        const deleted = [...state.products.keys()].filter((id) => !keep.has(id)).sort((a, b) => a - b);
        for (const id of deleted) {
          state.products.delete(id);
          for (const [fid, f] of state.features) if (f.entity.product_id === id) state.features.delete(fid);
          for (const [sid, s] of state.userStories)
            if (s.entity.product_id === id) state.userStories.delete(sid);
          for (const [tid, t] of state.tests) if (t.entity.product_id === id) deleteTestCascade(tid);
          state.problematic = state.problematic.filter((r) => r.productId !== id);
        }
        return deleted;
      },
      async listProductSyncStates(productIds?: readonly number[]) {
        track('listProductSyncStates');
        const wanted = productIds ? new Set(productIds) : null;
        return [...state.products.values()]
          .filter((p) => !wanted || wanted.has(p.entity.id))
          .sort((a, b) => a.entity.id - b.entity.id)
          .map(productState);
      },
      async markTestsWalked(productId: number, at: Date, complete: boolean) {
        track('markTestsWalked');
        const p = state.products.get(productId);
        if (!p) return;
        p.testsSyncedAt = new Date(at.getTime());
        if (complete) p.lastFullSyncAt = new Date(at.getTime());
      },
    },

    features: {
      async replaceProductFeatures(productId, features, userStories, syncedAt) {
        track('replaceProductFeatures');
        const product = state.products.get(productId);
        if (!product) throw new Error(`replaceProductFeatures: product ${productId} is not in the mirror`);
        const keep = new Set(features.map((f) => f.entity.id));
        let deleted = 0;
        for (const [id, f] of state.features) {
          if (f.entity.product_id === productId && !keep.has(id)) {
            state.features.delete(id);
            deleted++;
          }
        }
        for (const f of features) state.features.set(f.entity.id, { entity: f.entity, raw: f.raw });
        const storyKey = (s: UserStory) => `${s.id}:${s.section_id ?? ''}`;
        const keepStories = new Set(userStories.map((s) => storyKey(s.entity)));
        for (const [key, s] of state.userStories) {
          if (s.entity.product_id === productId && !keepStories.has(key)) state.userStories.delete(key);
        }
        for (const s of userStories)
          state.userStories.set(storyKey(s.entity), { entity: s.entity, raw: s.raw });
        product.featuresSyncedAt = new Date(syncedAt.getTime());
        return { upserted: features.length, deleted };
      },
      async findMissingFeatureIds(featureIds) {
        track('findMissingFeatureIds');
        return [...new Set(featureIds)].filter((id) => !state.features.has(id));
      },
    },

    tests: {
      async findKnownTestIds(testIds) {
        track('findKnownTestIds');
        return new Set(testIds.filter((id) => state.tests.has(id)));
      },
      async upsertTests(items: ReadonlyArray<Stored<Test, UpstreamExploratoryTest>>, syncedAt: Date) {
        track('upsertTests');
        for (const { entity } of items) {
          if (!state.products.has(entity.product_id)) {
            throw new Error(
              `upsertTests: product ${entity.product_id} of test ${entity.id} is not in the mirror`,
            );
          }
        }
        for (const { entity, raw } of items) {
          const existing = state.tests.get(entity.id);
          state.tests.set(entity.id, {
            entity,
            raw,
            syncedAt: new Date(syncedAt.getTime()),
            bugsSyncedAt: existing?.bugsSyncedAt ?? null,
          });
          for (const user of usersOfTest(raw)) addUser(user.username, 'customer');
        }
      },
      async deleteTests(testIds) {
        track('deleteTests');
        let n = 0;
        for (const id of new Set(testIds)) if (deleteTestCascade(id)) n++;
        return n;
      },
      async getTestSyncStates(testIds) {
        track('getTestSyncStates');
        const out: TestSyncState[] = [];
        for (const id of new Set(testIds)) {
          const t = state.tests.get(id);
          if (t) out.push(testState(id, t));
        }
        return out;
      },
      async listProductTestStates(productId) {
        track('listProductTestStates');
        return [...state.tests.entries()]
          .filter(([, t]) => t.entity.product_id === productId)
          .map(([id, t]) => testState(id, t))
          .sort(
            (a, b) =>
              (b.endAt?.getTime() ?? Number.NEGATIVE_INFINITY) -
                (a.endAt?.getTime() ?? Number.NEGATIVE_INFINITY) || b.id - a.id,
          );
      },
    },

    bugs: {
      async replaceBugsOfTests(testIds, bugs: ReadonlyArray<Stored<Bug, UpstreamBug>>, syncedAt: Date) {
        track('replaceBugsOfTests');
        const ids = new Set(testIds);
        for (const { entity } of bugs) {
          if (!ids.has(entity.test_id))
            throw new Error(
              `replaceBugsOfTests: bug ${entity.id} belongs to test ${entity.test_id}, which was not listed`,
            );
          if (!state.tests.has(entity.test_id))
            throw new Error(
              `replaceBugsOfTests: test ${entity.test_id} of bug ${entity.id} is not in the mirror`,
            );
        }
        const keep = new Set(bugs.map((b) => b.entity.id));
        let deleted = 0;
        for (const [id, bug] of state.bugs) {
          if (ids.has(bug.entity.test_id) && !keep.has(id)) {
            state.bugs.delete(id);
            deleted++;
          }
        }
        for (const { entity, raw } of bugs) {
          state.bugs.set(entity.id, { entity, raw });
          for (const user of usersOfBug(raw)) addUser(user.username, 'tester');
        }
        for (const id of ids) {
          const test = state.tests.get(id);
          if (test) test.bugsSyncedAt = new Date(syncedAt.getTime());
        }
        return { upserted: bugs.length, deleted };
      },
    },

    syncState: {
      async acquireLease(
        holder: string,
        ttlMs: number,
        now: Date,
        canSteal?: (current: Lease) => boolean,
      ): Promise<LeaseResult> {
        track('acquireLease');
        const current = state.lease;
        const free =
          current === null ||
          current.holder === holder ||
          current.expiresAt.getTime() <= now.getTime() ||
          (canSteal?.({ ...current }) ?? false);
        if (!free && current) return { acquired: false, current: { ...current } };
        const lease: Lease = {
          holder,
          acquiredAt: current?.holder === holder ? current.acquiredAt : new Date(now.getTime()),
          expiresAt: new Date(now.getTime() + ttlMs),
        };
        state.lease = lease;
        return { acquired: true, lease: { ...lease } };
      },
      async renewLease(holder: string, ttlMs: number, now: Date) {
        track('renewLease');
        if (state.lease?.holder !== holder) return false;
        state.lease = { ...state.lease, expiresAt: new Date(now.getTime() + ttlMs) };
        return true;
      },
      async releaseLease(holder: string) {
        track('releaseLease');
        if (state.lease?.holder === holder) state.lease = null;
      },
      async readLease() {
        track('readLease');
        return state.lease ? { ...state.lease } : null;
      },
      async startRun(run: {
        trigger: SyncTrigger;
        mode: SyncMode;
        productIds: readonly number[] | null;
        startedAt: Date;
      }) {
        track('startRun');
        const id = nextRunId++;
        state.runs.push({
          id,
          trigger: run.trigger,
          mode: run.mode,
          productIds: run.productIds ? [...run.productIds] : null,
          status: 'running',
          startedAt: new Date(run.startedAt.getTime()),
          finishedAt: null,
          heartbeatAt: new Date(run.startedAt.getTime()),
          durationMs: null,
          counts: null,
          warnings: [],
          error: null,
        });
        return id;
      },
      async heartbeatRun(runId: number, at: Date) {
        track('heartbeatRun');
        const i = state.runs.findIndex((r) => r.id === runId);
        const run = state.runs[i];
        if (run && run.status === 'running') state.runs[i] = { ...run, heartbeatAt: new Date(at.getTime()) };
      },
      async finishRun(
        runId,
        outcome: {
          status: Exclude<SyncRunStatus, 'running'>;
          finishedAt: Date;
          counts: SyncCounts;
          warnings: readonly string[];
          error: string | null;
        },
      ) {
        track('finishRun');
        const i = state.runs.findIndex((r) => r.id === runId);
        const run = state.runs[i];
        if (!run) throw new Error(`finishRun: no run ${runId}`);
        state.runs[i] = {
          ...run,
          status: outcome.status,
          finishedAt: new Date(outcome.finishedAt.getTime()),
          durationMs: outcome.finishedAt.getTime() - run.startedAt.getTime(),
          counts: { ...outcome.counts },
          warnings: [...outcome.warnings],
          error: outcome.error,
        };
      },
      async interruptStaleRuns(staleBefore: Date, now: Date) {
        track('interruptStaleRuns');
        let n = 0;
        state.runs = state.runs.map((r) => {
          if (r.status !== 'running' || (r.heartbeatAt ?? r.startedAt).getTime() >= staleBefore.getTime())
            return r;
          n++;
          return {
            ...r,
            status: 'interrupted',
            finishedAt: new Date(now.getTime()),
            durationMs: now.getTime() - r.startedAt.getTime(),
            error: 'The process running this sync stopped before it finished',
          };
        });
        return n;
      },
      async listRuns(limit: number) {
        track('listRuns');
        return [...state.runs]
          .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || b.id - a.id)
          .slice(0, limit)
          .map(cloneRun);
      },
      async getRun(runId: number) {
        track('getRun');
        const run = state.runs.find((r) => r.id === runId);
        return run ? cloneRun(run) : null;
      },
      async countRunsSince(statuses: readonly SyncRunStatus[], since: Date) {
        track('countRunsSince');
        return state.runs.filter(
          (r) => statuses.includes(r.status) && r.startedAt.getTime() >= since.getTime(),
        ).length;
      },
      async lastRunWithStatus(statuses: readonly SyncRunStatus[]) {
        track('lastRunWithStatus');
        const run = [...state.runs]
          .filter((r) => statuses.includes(r.status))
          .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || b.id - a.id)[0];
        return run ? cloneRun(run) : null;
      },
      async recordProblematicRange(range: NewProblematicRange, seenAt: Date) {
        track('recordProblematicRange');
        // Like the SQLite store: the open range with these boundaries, else the newest resolved one, reopened.
        const matching = state.problematic
          .map((r, index) => ({ r, index }))
          .filter(({ r }) => sameBoundaries(range, r))
          .sort(
            (a, b) => Number(a.r.resolvedAt !== null) - Number(b.r.resolvedAt !== null) || b.r.id - a.r.id,
          );
        const i = matching[0]?.index ?? -1;
        const existing = state.problematic[i];
        if (existing) {
          const updated: ProblematicRange = {
            ...existing,
            offsetFrom: range.offsetFrom,
            offsetTo: range.offsetTo,
            boundaryBeforeEndAt: copy(range.boundaryBeforeEndAt),
            boundaryAfterEndAt: copy(range.boundaryAfterEndAt),
            lastError: range.lastError,
            attempts: existing.attempts + 1,
            lastSeenAt: new Date(seenAt.getTime()),
            resolvedAt: null,
          };
          state.problematic[i] = updated;
          return { ...updated };
        }
        const created: ProblematicRange = {
          ...range,
          boundaryBeforeEndAt: copy(range.boundaryBeforeEndAt),
          boundaryAfterEndAt: copy(range.boundaryAfterEndAt),
          id: nextRangeId++,
          attempts: 1,
          firstSeenAt: new Date(seenAt.getTime()),
          lastSeenAt: new Date(seenAt.getTime()),
          resolvedAt: null,
        };
        state.problematic.push(created);
        return { ...created };
      },
      async listProblematicRanges(options: { productId?: number; includeResolved?: boolean } = {}) {
        track('listProblematicRanges');
        return state.problematic
          .filter((r) => options.productId === undefined || r.productId === options.productId)
          .filter((r) => options.includeResolved || r.resolvedAt === null)
          .map((r) => ({ ...r }));
      },
      async resolveProblematicRange(id: number, at: Date) {
        track('resolveProblematicRange');
        const i = state.problematic.findIndex((r) => r.id === id);
        const range = state.problematic[i];
        if (range && range.resolvedAt === null)
          state.problematic[i] = { ...range, resolvedAt: new Date(at.getTime()) };
      },
      async clearProblematicRanges(productId?: number) {
        track('clearProblematicRanges');
        const before = state.problematic.length;
        state.problematic = state.problematic.filter(
          (r) => productId !== undefined && r.productId !== productId,
        );
        return before - state.problematic.length;
      },
    },
  };
  return stores;
}
