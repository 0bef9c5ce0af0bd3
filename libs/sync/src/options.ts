import { randomUUID } from 'node:crypto';
import { DEFAULT_TEST_PAGE_SIZE, type Lease } from '@testio-mcp/domain';

export interface SyncEngineOptions {
  /** TTL of mutable tests, their bugs and product features (`CACHE_TTL_SECONDS`). Default 3600. */
  readonly cacheTtlSeconds?: number;
  /** Test-list page size. Default 25 (TestIO's). */
  readonly pageSize?: number;
  /** Known tests an incremental walk must see (counting the first one) before it may stop. Default: one page. */
  readonly safetyMarginTests?: number;
  /** How long the one-writer lease lives without a heartbeat. Default 60 s. */
  readonly leaseTtlMs?: number;
  /** How often the lease and the run row are renewed while running. Default 15 s. */
  readonly heartbeatMs?: number;
  /** Who holds the lease, e.g. `sync-worker:4242@host`. Default a random id. */
  readonly holderId?: string;
  /** Judges a live-looking lease holder dead (e.g. its PID on this host is gone). */
  readonly canStealLease?: (lease: Lease) => boolean;
  /** Tests whose bugs are fetched and written per transaction (whole requests of 15). Default 30. */
  readonly bugBatchTests?: number;
  /**
   * Products walked at the same time (their test pages are sequential, TestIO gives no page count), and
   * bug batches of one product fetched while its walk goes on. The API client's queue still caps the
   * requests in flight (`MAX_CONCURRENT_API_REQUESTS`); pass that value. Default 5.
   */
  readonly productConcurrency?: number;
  /** The configured product scope (`TESTIO_PRODUCT_IDS`); runs may narrow it, never widen it. */
  readonly productIds?: readonly number[];
  /** Total HTTP requests made by the API client so far; the run reports the delta. */
  readonly countUpstreamCalls?: () => number;
  /** Interval of automatic syncs, used by the startup/staleness decision. Default 3600 s. */
  readonly refreshIntervalMs?: number;
  /** Circuit breaker: this many `failure` runs within `breakerWindowMs` pause automatic syncs. Default 3. */
  readonly breakerMaxFailures?: number;
  /** Default 5 minutes. */
  readonly breakerWindowMs?: number;
  /** Minimum time between two per-page progress callbacks. Default 500 ms. */
  readonly progressIntervalMs?: number;
}

export interface ResolvedSyncEngineOptions {
  readonly cacheTtlSeconds: number;
  readonly pageSize: number;
  readonly safetyMarginTests: number;
  readonly leaseTtlMs: number;
  readonly heartbeatMs: number;
  readonly holderId: string;
  readonly canStealLease: ((lease: Lease) => boolean) | undefined;
  readonly bugBatchTests: number;
  readonly productConcurrency: number;
  readonly productIds: readonly number[] | undefined;
  readonly countUpstreamCalls: (() => number) | undefined;
  readonly refreshIntervalMs: number;
  readonly breakerMaxFailures: number;
  readonly breakerWindowMs: number;
  readonly progressIntervalMs: number;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`sync engine: ${name} must be a positive integer, got ${value}`);
  return value;
}

export function resolveSyncEngineOptions(options: SyncEngineOptions = {}): ResolvedSyncEngineOptions {
  const pageSize = positiveInt('pageSize', options.pageSize ?? DEFAULT_TEST_PAGE_SIZE);
  const leaseTtlMs = positiveInt('leaseTtlMs', options.leaseTtlMs ?? 60_000);
  const heartbeatMs = positiveInt(
    'heartbeatMs',
    options.heartbeatMs ?? Math.min(15_000, Math.floor(leaseTtlMs / 4) || 1),
  );
  if (heartbeatMs >= leaseTtlMs) {
    throw new RangeError(
      `sync engine: heartbeatMs (${heartbeatMs}) must be shorter than leaseTtlMs (${leaseTtlMs})`,
    );
  }
  return {
    cacheTtlSeconds: positiveInt('cacheTtlSeconds', options.cacheTtlSeconds ?? 3600),
    pageSize,
    safetyMarginTests: positiveInt('safetyMarginTests', options.safetyMarginTests ?? pageSize),
    leaseTtlMs,
    heartbeatMs,
    holderId: options.holderId ?? `sync-${randomUUID()}`,
    canStealLease: options.canStealLease,
    bugBatchTests: positiveInt('bugBatchTests', options.bugBatchTests ?? 30),
    productConcurrency: positiveInt('productConcurrency', options.productConcurrency ?? 5),
    productIds: options.productIds,
    countUpstreamCalls: options.countUpstreamCalls,
    refreshIntervalMs: positiveInt('refreshIntervalMs', options.refreshIntervalMs ?? 3_600_000),
    breakerMaxFailures: positiveInt('breakerMaxFailures', options.breakerMaxFailures ?? 3),
    breakerWindowMs: positiveInt('breakerWindowMs', options.breakerWindowMs ?? 5 * 60_000),
    progressIntervalMs: options.progressIntervalMs ?? 500,
  };
}
