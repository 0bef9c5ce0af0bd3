import type { SyncStores } from '@testio-mcp/domain';

export interface BreakerOptions {
  /** Failed runs within the window that open the breaker. Default 3. */
  readonly maxFailures?: number;
  /** Default 5 minutes. */
  readonly windowMs?: number;
}

export interface BreakerState {
  readonly open: boolean;
  /** `failure` runs started within the window. */
  readonly failures: number;
  readonly maxFailures: number;
  readonly windowMs: number;
  /** When the breaker closes again if nothing else fails (null when closed). */
  readonly retryAt: Date | null;
  /** The error of the newest failed run in the window. */
  readonly lastError: string | null;
  readonly reason: string;
}

export interface AutomaticSyncDecision {
  readonly run: boolean;
  readonly reason: string;
  readonly breaker: BreakerState;
}

/** `90 seconds`, `5 minutes`, `3.2 hours`: durations for people. */
export function formatDuration(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms < 120_000) return plural(Math.round(ms / 1000), 'second');
  if (ms < 120 * 60_000) return plural(Math.round(ms / 60_000), 'minute');
  if (ms < 72 * 3_600_000) return plural(Math.round(ms / 360_000) / 10, 'hour');
  return plural(Math.round(ms / 8_640_000) / 10, 'day');
}

/**
 * The circuit breaker of automatic syncs: it counts runs recorded with status `failure` (the same
 * vocabulary the engine writes; the reference counted statuses its sync never wrote, so its breaker never tripped) started within the window.
 */
export async function evaluateCircuitBreaker(
  syncState: SyncStores['syncState'],
  now: Date,
  options: BreakerOptions = {},
): Promise<BreakerState> {
  const maxFailures = options.maxFailures ?? 3;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const since = new Date(now.getTime() - windowMs);
  const failures = await syncState.countRunsSince(['failure'], since);
  if (failures < maxFailures) {
    return {
      open: false,
      failures,
      maxFailures,
      windowMs,
      retryAt: null,
      lastError: null,
      reason: `${failures} failed sync run(s) in the last ${formatDuration(windowMs)}`,
    };
  }
  // The breaker closes when the maxFailures-th newest failure leaves the window.
  const recent = (await syncState.listRuns(Math.max(50, maxFailures * 10)))
    .filter((r) => r.status === 'failure' && r.startedAt.getTime() >= since.getTime())
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  const pivot = recent[maxFailures - 1] ?? recent[recent.length - 1];
  const retryAt = new Date((pivot?.startedAt.getTime() ?? now.getTime()) + windowMs);
  const lastError = recent[0]?.error ?? null;
  const reason =
    `Circuit breaker open: ${failures} sync runs failed in the last ${formatDuration(windowMs)}` +
    (lastError ? ` (last error: ${lastError})` : '') +
    `; automatic syncs are paused until ${retryAt.toISOString()}. Fix the cause or start a manual sync.`;
  return { open: true, failures, maxFailures, windowMs, retryAt, lastError, reason };
}

export interface AutomaticSyncInput {
  readonly stores: Pick<SyncStores, 'products' | 'syncState'>;
  readonly now: Date;
  /** Products are stale when their test list was last walked longer ago than this. */
  readonly refreshIntervalMs: number;
  /** `TESTIO_FORCE_INITIAL_SYNC`: skip the staleness check (never the breaker). */
  readonly force?: boolean;
  readonly productIds?: readonly number[];
  readonly breaker?: BreakerOptions;
}

/**
 * Whether an automatic (startup or periodic) sync should run now, and why (first match wins):
 * breaker open → no; forced → yes; no products in the mirror → yes; a product never walked → yes;
 * the oldest `testsSyncedAt` older than the refresh interval → yes; otherwise no.
 */
export async function decideAutomaticSync(input: AutomaticSyncInput): Promise<AutomaticSyncDecision> {
  const breaker = await evaluateCircuitBreaker(input.stores.syncState, input.now, input.breaker);
  if (breaker.open) return { run: false, reason: breaker.reason, breaker };
  if (input.force) return { run: true, reason: 'forced by configuration', breaker };
  const products = await input.stores.products.listProductSyncStates(input.productIds);
  if (products.length === 0) return { run: true, reason: 'the mirror holds no products yet', breaker };
  const never = products.filter((p) => p.testsSyncedAt === null);
  if (never.length > 0) {
    return {
      run: true,
      reason: `${never.length} product(s) were never synced (e.g. ${never[0]?.id})`,
      breaker,
    };
  }
  const oldest = Math.min(...products.map((p) => p.testsSyncedAt?.getTime() ?? 0));
  const age = input.now.getTime() - oldest;
  if (age >= input.refreshIntervalMs) {
    return {
      run: true,
      reason: `the oldest product was synced ${formatDuration(age)} ago (interval ${formatDuration(input.refreshIntervalMs)})`,
      breaker,
    };
  }
  return {
    run: false,
    reason: `every product was synced within the last ${formatDuration(input.refreshIntervalMs)}; next due at ${new Date(oldest + input.refreshIntervalMs).toISOString()}`,
    breaker,
  };
}
