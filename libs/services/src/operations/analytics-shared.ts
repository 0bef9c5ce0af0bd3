import {
  EXECUTED_TEST_STATUSES,
  InvalidInputError,
  MUTABLE_TEST_STATUSES,
  parseFlexibleDate,
  ProductNotFoundError,
  type AnalyticsReader,
  type ProductRef,
  type ReportTestRow,
} from '@testio-mcp/domain';
import type { ThresholdsOutput } from '../contracts/thresholds.js';
import { refreshWarnings, type ServiceContext } from '../context.js';

/** What the analytics operations (query_metrics, quality report, capabilities) share. */

const MUTABLE = new Set<string>(MUTABLE_TEST_STATUSES);
/** Most tests whose bugs one analytics call re-reads from TestIO (the newest stale ones first). */
export const MAX_REFRESHED_TESTS = 300;

export function dateRange(
  ctx: ServiceContext,
  start: string | undefined,
  end: string | undefined,
): { from?: Date; to?: Date } {
  const now = ctx.clock.now();
  const from = start ? parseFlexibleDate(start, { startOfDay: true, now, field: 'start_date' }) : undefined;
  const to = end ? parseFlexibleDate(end, { startOfDay: false, now, field: 'end_date' }) : undefined;
  if (from && to && from > to) {
    throw new InvalidInputError({
      field: 'start_date',
      message: `Invalid date range: start_date '${start}' (${from.toISOString().slice(0, 10)}) is after end_date '${end}' (${to.toISOString().slice(0, 10)})`,
      reason: 'The start date must come before or equal the end date',
      hint: 'Swap the dates; for a single day use the same date for both',
    });
  }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

export function periodLabel(from: Date | undefined, to: Date | undefined): string {
  const d = (x: Date) => x.toISOString().slice(0, 10);
  if (from && to) return `${d(from)} to ${d(to)}`;
  if (from) return `${d(from)} to present`;
  if (to) return `through ${d(to)}`;
  return 'all time';
}

/** `undefined` = every status; absent input = executed tests. */
export function testStatuses(input: readonly string[] | undefined): string[] | undefined {
  if (!input || input.length === 0) return [...EXECUTED_TEST_STATUSES];
  if (input.includes('all')) return undefined;
  return [...input];
}

export interface FreshenOutcome {
  warnings: string[];
  refreshFailed: boolean;
  refreshed: boolean;
}

export interface AnalyticsShared {
  /** The analytics reader, or an error saying the server was wired without it. */
  analytics(): AnalyticsReader;
  thresholdsOutput(): ThresholdsOutput;
  inScope(productId: number): boolean;
  /** The products of these ids, or a not-found error naming every missing (or out-of-scope) one. */
  requireProducts(ids: readonly number[]): Promise<ProductRef[]>;
  /** Every product this server may see. */
  allProducts(): Promise<ProductRef[]>;
  /** Refresh first, aggregate second, so the summary is never staler than the rows beside it: re-reads the bugs of stale mutable tests. */
  freshen(rows: readonly ReportTestRow[]): Promise<FreshenOutcome>;
}

export function createAnalyticsShared(ctx: ServiceContext): AnalyticsShared {
  const { reader, readThrough, settings } = ctx;
  const thresholds = settings.playbookThresholds;

  function analytics(): AnalyticsReader {
    if (ctx.analytics) return ctx.analytics;
    throw new InvalidInputError({
      message: 'Analytics are not available on this server',
      reason: 'The server was started without the analytics reader',
      hint: 'Ask whoever runs this server to wire createAnalyticsReader into the services',
    });
  }

  function thresholdsOutput(): ThresholdsOutput {
    return {
      rejection_rate: { ...thresholds.rejection_rate },
      auto_acceptance_rate: { ...thresholds.auto_acceptance_rate },
      review_rate: { ...thresholds.review_rate },
    };
  }

  const inScope = (productId: number): boolean =>
    !settings.productIds || settings.productIds.includes(productId);

  async function requireProducts(ids: readonly number[]): Promise<ProductRef[]> {
    const refs = await Promise.all(ids.map((id) => reader.getProduct(id)));
    const missing = ids.filter((id, i) => !refs[i] || !inScope(id));
    if (missing.length === 1) throw new ProductNotFoundError(missing[0] ?? 0);
    if (missing.length > 1) {
      throw new ProductNotFoundError(missing.join(', '), {
        message: `Products not found: ${missing.join(', ')}`,
        reason: 'These products may not exist, or they are not visible to this account',
      });
    }
    return refs.filter((r): r is ProductRef => r !== null);
  }

  async function allProducts(): Promise<ProductRef[]> {
    const now = ctx.clock.now();
    const page = await reader.listProducts({
      offset: 0,
      limit: 1000,
      sortBy: 'title',
      sortOrder: 'asc',
      ...(settings.productIds ? { productIds: settings.productIds } : {}),
      recentSince: { days30: now, days90: now },
    });
    const refs = await Promise.all(page.items.map((p) => reader.getProduct(p.id)));
    return refs.filter((r): r is ProductRef => r !== null);
  }

  async function freshen(rows: readonly ReportTestRow[]): Promise<FreshenOutcome> {
    const mutable = rows.filter((r) => MUTABLE.has(r.status));
    if (mutable.length === 0) return { warnings: [], refreshFailed: false, refreshed: false };
    const ids = mutable.slice(0, MAX_REFRESHED_TESTS).map((r) => r.id);
    const outcome = await readThrough.ensureBugsFresh(ids);
    const failures = refreshWarnings('bugs of test', outcome);
    const warnings =
      failures.length > 5
        ? [...failures.slice(0, 5), `…and ${failures.length - 5} more refresh failures`]
        : failures;
    if (mutable.length > MAX_REFRESHED_TESTS) {
      warnings.push(
        `Only the bugs of the newest ${MAX_REFRESHED_TESTS} of ${mutable.length} still-changing tests were checked for freshness; older ones are shown as last synced`,
      );
    }
    return {
      warnings,
      refreshFailed: outcome.failed.length > 0,
      refreshed: outcome.refreshed.length > 0 || outcome.deleted.length > 0,
    };
  }

  return { analytics, thresholdsOutput, inScope, requireProducts, allProducts, freshen };
}
