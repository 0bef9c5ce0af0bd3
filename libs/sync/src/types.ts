import type {
  Lease,
  ProblematicRange,
  SyncCounts,
  SyncMode,
  SyncRun,
  SyncRunStatus,
  SyncTrigger,
} from '@testio-mcp/domain';
import type { BreakerState } from './breaker.js';

/** The phases of a run, always executed in this order. Bugs are fetched inside the tests phase. */
export const SYNC_PHASES = ['products', 'features', 'tests'] as const;
export type SyncPhase = (typeof SYNC_PHASES)[number];

export interface SyncProgress {
  readonly phase: SyncPhase | 'bugs' | 'done';
  readonly productId?: number;
  /** 0-based index of the product being worked on within the phase. */
  readonly productIndex: number;
  readonly productCount: number;
  readonly page?: number;
  readonly testsSeen?: number;
  readonly message: string;
}

export interface SyncRunOptions {
  readonly mode: SyncMode;
  readonly trigger: SyncTrigger;
  /** Restricts the run to these products (must lie inside the engine's configured scope, if any). */
  readonly productIds?: readonly number[];
  /** Ignore tests that ended before this moment (TestIO cannot filter; done client-side). */
  readonly since?: Date;
  /** Defaults to all phases. `['tests']` is the CLI's "incremental only". */
  readonly phases?: readonly SyncPhase[];
  readonly onProgress?: (progress: SyncProgress) => void;
  /** Aborting finishes the current write, then ends the run as `interrupted`. */
  readonly signal?: AbortSignal;
}

/** A range of positions of a product's test list that could not be read in this run. */
export interface FailedRangeReport {
  readonly productId: number;
  readonly offsetFrom: number;
  readonly offsetTo: number;
  readonly boundaryBeforeId: number | null;
  readonly boundaryAfterId: number | null;
  readonly error: string;
}

/** Why a product's test walk ended. */
export type WalkStop = 'end' | 'boundary' | 'since' | 'error' | 'aborted';

export interface ProductSyncOutcome {
  readonly productId: number;
  features: 'refreshed' | 'fresh' | 'failed' | 'skipped';
  tests: 'walked' | 'failed' | 'skipped';
  stoppedBy: WalkStop | null;
  pages: number;
  testsSeen: number;
  testsDiscovered: number;
  testsUpdated: number;
  testsDeleted: number;
  bugTestsRequested: number;
  /** Walked to the end with no unreadable range. */
  complete: boolean;
  failedRanges: number;
  /** Deletion of unseen tests was skipped (failed ranges or walk error). */
  deletionSkipped: boolean;
}

export interface SyncResult {
  readonly runId: number;
  readonly status: Exclude<SyncRunStatus, 'running'>;
  readonly mode: SyncMode;
  readonly trigger: SyncTrigger;
  readonly productIds: number[] | null;
  readonly counts: SyncCounts;
  /** Notes that do not change the outcome. */
  readonly warnings: string[];
  /** Things that could not be synced (they make the run `partial_failure`), or the fatal error. */
  readonly errors: string[];
  readonly failedRanges: FailedRangeReport[];
  readonly products: ProductSyncOutcome[];
  /** Problematic ranges resolved because their product was now walked completely. */
  readonly problematicResolved: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly durationMs: number;
}

export interface SyncStatusReport {
  readonly lease: Lease | null;
  /** The lease exists and has not expired. */
  readonly running: boolean;
  readonly runs: SyncRun[];
  readonly problematicRanges: ProblematicRange[];
  readonly breaker: BreakerState;
  readonly products: Array<{
    id: number;
    title: string;
    featuresSyncedAt: Date | null;
    testsSyncedAt: Date | null;
    lastFullSyncAt: Date | null;
  }>;
}
