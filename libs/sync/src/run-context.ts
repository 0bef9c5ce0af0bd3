import {
  emptySyncCounts,
  type Clock,
  type Logger,
  type SyncMode,
  type SyncStores,
  type TestIOApi,
} from '@testio-mcp/domain';
import { Semaphore } from './concurrency.js';
import type { ResolvedSyncEngineOptions } from './options.js';
import type { ProgressReporter } from './progress.js';
import type { FailedRangeReport, ProductSyncOutcome } from './types.js';

/** Bug batches in flight (fetched, not yet written) across a run, whatever the product count. */
export const MAX_BUG_BATCHES_IN_FLIGHT = 4;

export type MutableCounts = ReturnType<typeof emptySyncCounts>;

export function emptyCounts(): MutableCounts {
  return emptySyncCounts();
}

/** Lists stored with a run stay bounded however much goes wrong. */
const MAX_MESSAGES = 200;

/** What a run starts with (the rest of `RunContext` is what it gathers on the way). */
export interface RunContextInit {
  readonly api: TestIOApi;
  readonly stores: SyncStores;
  readonly clock: Clock;
  /** The run's logger (carries the run id). */
  readonly logger: Logger;
  readonly options: ResolvedSyncEngineOptions;
  readonly mode: SyncMode;
  /** Tests that ended before this date are not written (tests without an end are). */
  readonly since: Date | undefined;
  /** Aborted when the caller cancels or the lease is lost. */
  readonly signal: AbortSignal;
  readonly progress: ProgressReporter;
}

/** Everything one run shares between its phases. */
export class RunContext {
  readonly counts = emptyCounts();
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  readonly failedRanges: FailedRangeReport[] = [];
  readonly products = new Map<number, ProductSyncOutcome>();
  /** Products whose features were refreshed in this run (the missing-feature check refreshes once). */
  readonly featuresRefreshed = new Set<number>();
  /** Bug batches in flight across the run's products (`phases/bugs.ts`). */
  readonly bugSlots = new Semaphore(MAX_BUG_BATCHES_IN_FLIGHT);
  problematicResolved = 0;
  private droppedMessages = 0;

  readonly api: TestIOApi;
  readonly stores: SyncStores;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly options: ResolvedSyncEngineOptions;
  readonly mode: SyncMode;
  readonly since: Date | undefined;
  readonly signal: AbortSignal;
  readonly progress: ProgressReporter;

  constructor(init: RunContextInit) {
    this.api = init.api;
    this.stores = init.stores;
    this.clock = init.clock;
    this.logger = init.logger;
    this.options = init.options;
    this.mode = init.mode;
    this.since = init.since;
    this.signal = init.signal;
    this.progress = init.progress;
  }

  warn(message: string, details: object = {}): void {
    this.logger.warn(details, message);
    this.push(this.warnings, message);
  }

  /** Something could not be synced: the run ends `partial_failure` at best. */
  fail(message: string, details: object = {}): void {
    this.logger.warn(details, message);
    this.push(this.errors, message);
  }

  private push(list: string[], message: string): void {
    if (list.length < MAX_MESSAGES) list.push(message);
    else this.droppedMessages++;
  }

  /** Messages beyond the cap, summarised as one line. */
  overflowNote(): string | null {
    return this.droppedMessages > 0 ? `… and ${this.droppedMessages} more message(s), see the logs` : null;
  }

  outcome(productId: number): ProductSyncOutcome {
    let outcome = this.products.get(productId);
    if (!outcome) {
      outcome = {
        productId,
        features: 'skipped',
        tests: 'skipped',
        stoppedBy: null,
        pages: 0,
        testsSeen: 0,
        testsDiscovered: 0,
        testsUpdated: 0,
        testsDeleted: 0,
        bugTestsRequested: 0,
        complete: false,
        failedRanges: 0,
        deletionSkipped: false,
      };
      this.products.set(productId, outcome);
    }
    return outcome;
  }
}
