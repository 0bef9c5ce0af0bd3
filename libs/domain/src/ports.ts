import type {
  UpstreamBug,
  UpstreamExploratoryTest,
  UpstreamFeature,
  UpstreamProduct,
  UpstreamUserStory,
} from './upstream/index.js';
import type { UpstreamError } from './errors.js';

/**
 * Ports: what services and sync need from the outside world, implemented by adapters in
 * `libs/api-client` and `libs/persistence` and wired together in each app's composition root.
 */

/** Structured logger; pino satisfies it. Libraries receive one, they never create their own. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A product-level feature and the sections it was listed under (features are shared across sections). */
export interface FeatureWithSections {
  readonly feature: UpstreamFeature;
  readonly sectionIds: number[];
}

export interface UserStoryWithSection {
  readonly userStory: UpstreamUserStory;
  readonly sectionId: number | null;
}

/** A contiguous range of positions in a product's newest-first test list that could not be read. */
export interface FailedTestRange {
  readonly productId: number;
  /** 0-based position of the first test of the range in the newest-first list. */
  readonly offset: number;
  readonly count: number;
  readonly error: UpstreamError;
}

/** One page of a product's test list as delivered by the paginated walk. */
export interface TestListPage {
  readonly productId: number;
  /** 1-based page number at the nominal page size. */
  readonly page: number;
  /** 0-based position of `tests[0]` in the newest-first list. */
  readonly offset: number;
  readonly tests: UpstreamExploratoryTest[];
  /** Ranges inside this page that still failed after shrinking the page size down to 1. */
  readonly failedRanges: FailedTestRange[];
  /** True when this page is the last one (short or empty). */
  readonly isLast: boolean;
}

export interface TestListOptions {
  /** Nominal page size (TestIO's default 25). */
  readonly pageSize?: number;
  /** First page to read (1-based); lets a caller resume a walk. */
  readonly startPage?: number;
  readonly signal?: AbortSignal;
}

/**
 * The TestIO Customer API as services and sync see it: every method returns validated payloads and
 * throws `UpstreamError` (never a transport-specific error) when the call fails.
 */
export interface TestIOApi {
  listProducts(): Promise<UpstreamProduct[]>;
  getProduct(productId: number): Promise<UpstreamProduct>;
  /** Features of a legacy product (`/products/{id}/features`) or of one section. */
  listFeatures(productId: number, sectionId?: number): Promise<UpstreamFeature[]>;
  /** All features of a product, per section where it has sections, de-duplicated by feature id. */
  listProductFeatures(product: UpstreamProduct): Promise<FeatureWithSections[]>;
  listUserStories(productId: number, sectionId?: number): Promise<UpstreamUserStory[]>;
  /** All user stories of a product, per section where it has sections. */
  listProductUserStories(product: UpstreamProduct): Promise<UserStoryWithSection[]>;
  getTest(testId: number): Promise<UpstreamExploratoryTest>;
  listTestsPage(productId: number, page: number, perPage: number): Promise<UpstreamExploratoryTest[]>;
  /** Walks a product's tests newest first, page by page, recovering from failing pages. */
  walkTests(productId: number, options?: TestListOptions): AsyncIterable<TestListPage>;
  /** Bugs of the given tests, fetched in batches of at most 15 test ids per request. */
  listBugsForTests(testIds: readonly number[]): Promise<UpstreamBug[]>;
  getBug(bugId: number): Promise<UpstreamBug>;
}

/** The customer's decisions on a bug (`PUT /bugs/{id}/...`, ADR 0032). */
export const BUG_TRIAGE_ACTIONS = ['accept', 'reject', 'mark_known', 'mark_fixed'] as const;
export type BugTriageAction = (typeof BUG_TRIAGE_ACTIONS)[number];

/** A reason a customer may give when rejecting (`GET /bugs/reject_reasons`). */
export interface RejectReason {
  readonly key: string;
  readonly name: string;
  readonly defaultComment: string;
}

/**
 * The write endpoints of the TestIO API for bug triage. Kept apart from `TestIOApi` (reads), so only
 * the code that triages can write. Each call answers the bug as TestIO returns it after the change and
 * throws `UpstreamError` when TestIO refuses it; writes are never retried.
 */
export interface BugTriageApi {
  listRejectReasons(): Promise<RejectReason[]>;
  triageBug(
    bugId: number,
    action: BugTriageAction,
    rejection?: { readonly reason: string; readonly comment: string },
  ): Promise<UpstreamBug>;
}
