import {
  MUTABLE_TEST_STATUSES,
  type BugStatus,
  type ExportStatus,
  type UpstreamBugStatus,
  type UpstreamTestStatus,
} from '@testio-mcp/domain';
import { DAY_MS } from '../clock.js';
import type { SandboxScale } from '../types.js';
import type { BugJson, BugTestContext, BugView, CommentJson } from '../generator/bug-payload.js';
import { renderBug } from '../generator/bug-payload.js';
import { type BugCore, deriveBugCore } from '../generator/bugs.js';
import { type Catalog, generateCatalog } from '../generator/catalog.js';
import { type TestTable, generateSchedule, indexOfBugId, indexOfTestId } from '../generator/schedule.js';
import {
  type ExploratoryTestJson,
  type GeneratedAccount,
  renderTest,
  requirementsOf,
  testFeatures,
  testLanguage,
  testTitle,
} from '../generator/test-payload.js';

/** A customer action on a bug, layered over what the generator decided. */
export interface BugOverride {
  /** When the action happened; a generated decision due later no longer applies. */
  at: number;
  status?: UpstreamBugStatus;
  autoAccepted?: boolean;
  known?: boolean;
  exportedAt?: number;
  fixed?: boolean;
  comments: CommentJson[];
}

export interface EffectiveBugState {
  status: UpstreamBugStatus;
  autoAccepted: boolean;
  /** Whether the generated decision (and its rejection comment) has happened. */
  generatedDecision: boolean;
}

/**
 * One simulated TestIO account: the generated data plus the small overlay of everything that happened to
 * it since (time moving on, deleted tests, customer actions on bugs).
 */
export class Account implements GeneratedAccount {
  readonly catalog: Catalog;
  readonly table: TestTable;
  now: number;
  readonly deletedTests = new Set<number>();
  readonly bugOverrides = new Map<number, BugOverride>();
  advanceCount = 0;
  private version = 0;
  private nextCommentId = 9_000_000;
  private listCache: { now: number; version: number; lists: Array<number[] | undefined> } = {
    now: Number.NaN,
    version: -1,
    lists: [],
  };

  constructor(
    readonly seed: number,
    readonly scale: SandboxScale,
    readonly anchorMs: number,
  ) {
    this.catalog = generateCatalog(seed, scale);
    this.table = generateSchedule(seed, scale, anchorMs, this.catalog);
    this.now = anchorMs;
  }

  /** The status at `at`, or null before the test was created. Deletion is not considered here. */
  testStatusAt(index: number, at: number): UpstreamTestStatus | null {
    const t = this.table;
    if (at < (t.createdAt[index] ?? 0)) return null;
    const cancelAt = t.cancelAt[index] ?? Number.NaN;
    if (!Number.isNaN(cancelAt) && at >= cancelAt) return 'cancelled';
    const start = t.startAt[index] ?? 0;
    if (at < start - DAY_MS) return 'initialized';
    if (at < start) return 'waiting';
    if (at < (t.endAt[index] ?? 0)) return 'running';
    if (at < (t.lockedUntil[index] ?? 0)) return 'locked';
    if (at < (t.archivedAt[index] ?? 0)) return 'customer_finalized';
    return 'archived';
  }

  testExists(index: number): boolean {
    return !this.deletedTests.has(index) && this.now >= (this.table.createdAt[index] ?? 0);
  }

  /** Index of an existing test, or -1 (never generated, not created yet, or deleted). */
  findTest(id: number): number {
    const index = indexOfTestId(this.table, id);
    return index >= 0 && this.testExists(index) ? index : -1;
  }

  /** Existing tests of a product, newest first. */
  productTests(productIndex: number): readonly number[] {
    if (this.listCache.now !== this.now || this.listCache.version !== this.version) {
      this.listCache = { now: this.now, version: this.version, lists: [] };
    }
    let list = this.listCache.lists[productIndex];
    if (!list) {
      list = [];
      for (const index of this.table.byProduct[productIndex] ?? [])
        if (this.testExists(index)) list.push(index);
      this.listCache.lists[productIndex] = list;
    }
    return list;
  }

  renderTest(index: number): ExploratoryTestJson {
    return renderTest(this, index, this.testStatusAt(index, this.now) ?? 'initialized', this.now);
  }

  deleteTest(index: number): void {
    this.deletedTests.add(index);
    this.version++;
  }

  bugId(index: number, k: number): number {
    return this.table.bugIdBase + (this.table.bugOffset[index] ?? 0) + k;
  }

  bugCore(index: number, k: number): BugCore {
    return deriveBugCore(this.seed, this.table, index, k);
  }

  effectiveBugState(bugId: number, core: BugCore, at: number): EffectiveBugState {
    const override = this.bugOverrides.get(bugId);
    const generatedDecision =
      at >= core.decidedAt && !(override?.status !== undefined && override.at < core.decidedAt);
    if (override?.status !== undefined) {
      return { status: override.status, autoAccepted: override.autoAccepted ?? false, generatedDecision };
    }
    if (!generatedDecision) return { status: 'forwarded', autoAccepted: false, generatedDecision };
    if (core.fate === 'rejected') return { status: 'rejected', autoAccepted: false, generatedDecision };
    return { status: 'accepted', autoAccepted: core.fate === 'auto_accepted', generatedDecision };
  }

  /** The status as the project stores it: auto-accepted bugs split from customer-accepted ones. */
  bugStatusKey(bugId: number, core: BugCore, at: number): BugStatus {
    const state = this.effectiveBugState(bugId, core, at);
    return state.status === 'accepted' && state.autoAccepted ? 'auto_accepted' : state.status;
  }

  exportedAt(bugId: number, core: BugCore, state: EffectiveBugState): number | null {
    const override = this.bugOverrides.get(bugId);
    if (override?.exportedAt !== undefined) return override.exportedAt;
    const generated = core.exportedAt;
    if (
      state.generatedDecision &&
      state.status === 'accepted' &&
      !Number.isNaN(generated) &&
      this.now >= generated
    ) {
      return generated;
    }
    return null;
  }

  exportStatus(bugId: number, core: BugCore): ExportStatus {
    const state = this.effectiveBugState(bugId, core, this.now);
    if (this.exportedAt(bugId, core, state) !== null) return 'exported';
    return core.exportRequested && state.status === 'accepted' ? 'export_requested' : 'not_exported';
  }

  /** Bugs reported so far on an existing test, in id order. Stops early: report times rise with k. */
  forEachVisibleBug(
    index: number,
    visit: (k: number, bugId: number, core: BugCore) => void,
    at = this.now,
  ): void {
    const count = this.table.bugCount[index] ?? 0;
    for (let k = 0; k < count; k++) {
      const core = this.bugCore(index, k);
      if (core.reportedAt > at) return;
      visit(k, this.bugId(index, k), core);
    }
  }

  /** Locates a visible bug of an existing test. */
  findBug(bugId: number): { index: number; k: number; core: BugCore } | null {
    const location = indexOfBugId(this.table, bugId);
    if (!location || !this.testExists(location.test)) return null;
    const core = this.bugCore(location.test, location.k);
    if (core.reportedAt > this.now) return null;
    return { index: location.test, k: location.k, core };
  }

  bugContext(index: number): BugTestContext {
    const features = testFeatures(this, index);
    return {
      index,
      features,
      testTitle: testTitle(this, index, features),
      requirements: requirementsOf(this, index),
      language: testLanguage(this, index),
    };
  }

  renderBug(context: BugTestContext, k: number, bugId: number, core: BugCore): BugJson {
    const state = this.effectiveBugState(bugId, core, this.now);
    const override = this.bugOverrides.get(bugId);
    const view: BugView = {
      status: state.status,
      autoAccepted: state.autoAccepted,
      known: override?.known ?? core.known,
      exportedAt: this.exportedAt(bugId, core, state),
      showRejection: state.generatedDecision && core.fate === 'rejected',
      extraComments: override?.comments ?? [],
    };
    return renderBug(this, context, k, bugId, core, view);
  }

  overrideBug(bugId: number, change: Omit<Partial<BugOverride>, 'comments' | 'at'>, comment?: string): void {
    const existing = this.bugOverrides.get(bugId);
    // Only a status decision records its time: it is what outranks a generated decision due later.
    const at = change.status !== undefined ? this.now : (existing?.at ?? this.now);
    const next: BugOverride = { ...existing, ...change, at, comments: [...(existing?.comments ?? [])] };
    if (comment !== undefined) {
      next.comments.push({ id: this.nextCommentId++, body: comment, author: { name: 'sandbox.customer' } });
    }
    this.bugOverrides.set(bugId, next);
  }

  isMutable(status: UpstreamTestStatus | null): boolean {
    return status !== null && (MUTABLE_TEST_STATUSES as readonly string[]).includes(status);
  }
}
