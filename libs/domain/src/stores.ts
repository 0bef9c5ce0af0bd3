import type { Bug, Feature, Product, Test, UserStory } from './entities.js';
import type {
  UpstreamBug,
  UpstreamExploratoryTest,
  UpstreamFeature,
  UpstreamProduct,
  UpstreamUserStory,
} from './upstream/index.js';

/**
 * Storage ports the sync engine writes through. `libs/persistence` implements them on SQLite; every
 * store is bound to one tenant (`customer_id`) when it is created, so no method takes a customer id.
 * Each method is one transaction: a crash between two calls leaves the mirror consistent.
 */

/** An entity as shown to users, with the API payload it came from (kept beside the typed columns). */
export interface Stored<E, R> {
  readonly entity: E;
  readonly raw: R;
}

export interface ProductSyncState {
  readonly id: number;
  readonly title: string;
  readonly hasSections: boolean;
  readonly raw: UpstreamProduct;
  /** When the product's features and user stories were last replaced from TestIO. */
  readonly featuresSyncedAt: Date | null;
  /** When the product's test list was last walked (incrementally or fully). */
  readonly testsSyncedAt: Date | null;
  /** When the product's test list was last walked to the end without unreadable ranges. */
  readonly lastFullSyncAt: Date | null;
}

export interface ProductStore {
  upsertProducts(items: ReadonlyArray<Stored<Product, UpstreamProduct>>, syncedAt: Date): Promise<void>;
  /** Deletes every product not in `keepIds`, with all its features, tests and bugs. Returns deleted ids. */
  deleteProductsExcept(keepIds: readonly number[]): Promise<number[]>;
  /** Sync bookkeeping of the given products (all when omitted), ordered by id. */
  listProductSyncStates(productIds?: readonly number[]): Promise<ProductSyncState[]>;
  markTestsWalked(productId: number, at: Date, complete: boolean): Promise<void>;
}

export interface FeatureStore {
  /**
   * Replaces a product's feature catalogue and user stories with the given ones (upsert + delete the
   * rest) and sets its `featuresSyncedAt`.
   */
  replaceProductFeatures(
    productId: number,
    features: ReadonlyArray<Stored<Feature, UpstreamFeature>>,
    userStories: ReadonlyArray<Stored<UserStory, UpstreamUserStory>>,
    syncedAt: Date,
  ): Promise<{ upserted: number; deleted: number }>;
  /** Which of these feature ids the mirror does not hold (tests can reference features not yet synced). */
  findMissingFeatureIds(featureIds: readonly number[]): Promise<number[]>;
}

export interface TestSyncState {
  readonly id: number;
  readonly productId: number;
  readonly status: string;
  readonly endAt: Date | null;
  readonly syncedAt: Date | null;
  readonly bugsSyncedAt: Date | null;
}

export interface TestStore {
  /** The subset of `testIds` already in the mirror. */
  findKnownTestIds(testIds: readonly number[]): Promise<Set<number>>;
  /**
   * Upserts tests with their test features, platforms and customer users (replacing the children of
   * each test) and sets `syncedAt`. Never touches `bugsSyncedAt`.
   */
  upsertTests(items: ReadonlyArray<Stored<Test, UpstreamExploratoryTest>>, syncedAt: Date): Promise<void>;
  /** Deletes tests with their bugs, test features and platforms. Returns how many existed. */
  deleteTests(testIds: readonly number[]): Promise<number>;
  /** Sync state of the given tests (missing ids are absent from the result). */
  getTestSyncStates(testIds: readonly number[]): Promise<TestSyncState[]>;
  /** Sync state of every test of a product, newest `endAt` first. */
  listProductTestStates(productId: number): Promise<TestSyncState[]>;
}

export interface BugStore {
  /**
   * Makes the mirror hold exactly `bugs` for these tests: upserts them with their tester users, deletes
   * the tests' other bugs, and sets the tests' `bugsSyncedAt`.
   */
  replaceBugsOfTests(
    testIds: readonly number[],
    bugs: ReadonlyArray<Stored<Bug, UpstreamBug>>,
    syncedAt: Date,
  ): Promise<{ upserted: number; deleted: number }>;
  /**
   * Writes single bugs as TestIO answered them after a change (bug triage), leaving the tests' other
   * bugs and their `bugsSyncedAt` alone. A bug of a test the mirror does not hold is skipped.
   */
  upsertBugs(
    bugs: ReadonlyArray<Stored<Bug, UpstreamBug>>,
    at: Date,
  ): Promise<{ upserted: number; skipped: number }>;
}

export const SYNC_MODES = ['incremental', 'refresh', 'force'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export const SYNC_TRIGGERS = ['startup', 'background', 'manual_cli', 'mcp', 'rest'] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

/** One vocabulary for run outcomes, read by the circuit breaker and diagnostics alike. */
export const SYNC_RUN_STATUSES = ['running', 'success', 'partial_failure', 'failure', 'interrupted'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

export interface SyncCounts {
  readonly productsSynced: number;
  readonly productsDeleted: number;
  readonly featuresRefreshed: number;
  readonly testsDiscovered: number;
  readonly testsUpdated: number;
  readonly testsDeleted: number;
  readonly bugsSynced: number;
  readonly bugsDeleted: number;
  readonly upstreamCalls: number;
}

/** All counters at zero: where a run starts, and what a run that did nothing reports. */
export function emptySyncCounts(): { -readonly [K in keyof SyncCounts]: SyncCounts[K] } {
  return {
    productsSynced: 0,
    productsDeleted: 0,
    featuresRefreshed: 0,
    testsDiscovered: 0,
    testsUpdated: 0,
    testsDeleted: 0,
    bugsSynced: 0,
    bugsDeleted: 0,
    upstreamCalls: 0,
  };
}

export interface SyncRun {
  readonly id: number;
  readonly trigger: SyncTrigger;
  readonly mode: SyncMode;
  readonly productIds: number[] | null;
  readonly status: SyncRunStatus;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly heartbeatAt: Date | null;
  readonly durationMs: number | null;
  readonly counts: SyncCounts | null;
  readonly warnings: string[];
  readonly error: string | null;
}

export interface Lease {
  readonly holder: string;
  readonly acquiredAt: Date;
  readonly expiresAt: Date;
}

export type LeaseResult =
  { readonly acquired: true; readonly lease: Lease } | { readonly acquired: false; readonly current: Lease };

/** A range of a product's newest-first test list that TestIO could not serve (HTTP 5xx even one by one). */
export interface ProblematicRange {
  readonly id: number;
  readonly productId: number;
  /** 0-based positions in the newest-first list when last seen. */
  readonly offsetFrom: number;
  readonly offsetTo: number;
  /** The readable tests just newer and just older than the range, to find it again after the list moves. */
  readonly boundaryBeforeId: number | null;
  readonly boundaryBeforeEndAt: Date | null;
  readonly boundaryAfterId: number | null;
  readonly boundaryAfterEndAt: Date | null;
  readonly attempts: number;
  readonly lastError: string;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly resolvedAt: Date | null;
}

export type NewProblematicRange = Omit<
  ProblematicRange,
  'id' | 'attempts' | 'firstSeenAt' | 'lastSeenAt' | 'resolvedAt'
>;

export interface SyncStateStore {
  /**
   * Takes the one-writer lease when it is free, expired, or already ours. `canSteal` lets the caller
   * judge a live-looking holder dead (e.g. a PID on this host that no longer exists).
   */
  acquireLease(
    holder: string,
    ttlMs: number,
    now: Date,
    canSteal?: (current: Lease) => boolean,
  ): Promise<LeaseResult>;
  /** Extends our lease; false when it was lost (expired and taken by someone else). */
  renewLease(holder: string, ttlMs: number, now: Date): Promise<boolean>;
  releaseLease(holder: string): Promise<void>;
  readLease(): Promise<Lease | null>;

  startRun(run: {
    trigger: SyncTrigger;
    mode: SyncMode;
    productIds: readonly number[] | null;
    startedAt: Date;
  }): Promise<number>;
  heartbeatRun(runId: number, at: Date): Promise<void>;
  finishRun(
    runId: number,
    outcome: {
      status: Exclude<SyncRunStatus, 'running'>;
      finishedAt: Date;
      counts: SyncCounts;
      warnings: readonly string[];
      error: string | null;
    },
  ): Promise<void>;
  /** Marks `running` runs whose heartbeat is older than `staleBefore` as `interrupted`. */
  interruptStaleRuns(staleBefore: Date, now: Date): Promise<number>;
  /** Newest first. */
  listRuns(limit: number): Promise<SyncRun[]>;
  getRun(runId: number): Promise<SyncRun | null>;
  countRunsSince(statuses: readonly SyncRunStatus[], since: Date): Promise<number>;
  lastRunWithStatus(statuses: readonly SyncRunStatus[]): Promise<SyncRun | null>;

  /** Records a failing range; the same product and boundaries seen again bump `attempts` instead. */
  recordProblematicRange(range: NewProblematicRange, seenAt: Date): Promise<ProblematicRange>;
  listProblematicRanges(options?: {
    productId?: number;
    includeResolved?: boolean;
  }): Promise<ProblematicRange[]>;
  resolveProblematicRange(id: number, at: Date): Promise<void>;
  clearProblematicRanges(productId?: number): Promise<number>;
}

/** Everything the sync engine writes through, bound to one tenant. */
export interface SyncStores {
  readonly products: ProductStore;
  readonly features: FeatureStore;
  readonly tests: TestStore;
  readonly bugs: BugStore;
  readonly syncState: SyncStateStore;
}
