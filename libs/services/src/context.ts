import {
  DEFAULT_PLAYBOOK_THRESHOLDS,
  DomainError,
  normalizeProduct,
  type AnalyticsReader,
  type PlaybookThresholds,
  type ReportFileWriter,
  type Clock,
  type Logger,
  type MirrorReader,
  type ProductStore,
  type SearchPort,
  type TestIOApi,
  type BugStore,
  type BugTriageApi,
} from '@testio-mcp/domain';
import type { ReadThrough, RefreshOutcome, SyncEngine } from '@testio-mcp/sync';
import { DEFAULT_PAGE_SIZE } from './contracts/common.js';
import { computeFreshness } from './freshness.js';

export interface ServicesSettings {
  /** `TESTIO_DEFAULT_PAGE_SIZE`: `per_page` when a list call leaves it out (default 100). */
  readonly defaultPageSize?: number;
  /** `CACHE_TTL_SECONDS`: data older than this is reported stale (default 3600). */
  readonly cacheTtlSeconds?: number;
  /** `AUTO_ACCEPTANCE_ALERT_THRESHOLD` (default 0.20). */
  readonly autoAcceptanceAlertThreshold?: number;
  /** `TESTIO_PRODUCT_IDS`: the products this deployment mirrors; null/absent = all. */
  readonly productIds?: readonly number[] | null;
  /** Shown by diagnostics. */
  readonly databasePath?: string;
  /** Size of the database files in bytes (null when unknown); must not throw. */
  readonly databaseSizeBytes?: () => number | null | Promise<number | null>;
  /** `list_products` re-reads the product list from TestIO when it is older than this (default 60 s). */
  readonly productListRefreshSeconds?: number;
  /** Longest the diagnostics API probe may take (default 10 s). */
  readonly apiProbeTimeoutMs?: number;
  /** PLAYBOOK_* thresholds of the quality report (default: the reference's 0.20/0.35, 0.20/0.40, 0.80/0.60). */
  readonly playbookThresholds?: PlaybookThresholds;
  /**
   * Longest an answer waits for the tests of a product the first sync has not reached (default 20 s,
   * well inside MCP clients' 60 s request timeout); past it the answer comes with a warning.
   */
  readonly firstSyncWaitMs?: number;
}

export interface ServicesDeps {
  readonly reader: MirrorReader;
  readonly search: SearchPort;
  readonly readThrough: ReadThrough;
  readonly engine: SyncEngine;
  /** TestIO: `list_products` refreshes the product list through it, diagnostics probe it. Optional. */
  readonly api?: TestIOApi;
  /** Where `list_products` writes the refreshed product list; without it there is no refresh. */
  readonly productStore?: ProductStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: ServicesSettings;
  /** The metric cube and report aggregates (`createAnalyticsReader`); analytics operations need it. */
  readonly analytics?: AnalyticsReader;
  /** Where `output_file` of the quality report writes (`createReportFileWriter(TESTIO_EXPORT_DIR)`); without it exports are refused. */
  readonly reportFiles?: ReportFileWriter;
  /** Bug triage (ADR 0032): TestIO's write endpoints and the store the answers go to. Without it triage is refused. */
  readonly triage?: TriageDeps;
}

export interface TriageDeps {
  readonly api: BugTriageApi;
  readonly bugs: Pick<BugStore, 'upsertBugs'>;
  /**
   * HMAC key of the confirmation tokens, or where to load it from (the key every instance shares, ADR
   * 0035; undefined there means none is configured). Default one random key per process.
   */
  readonly confirmationKey?: Buffer | (() => Promise<Buffer | undefined>);
  /** How long a preview may be confirmed (default 300 s). */
  readonly confirmationTtlSeconds?: number;
}

export interface ResolvedSettings {
  readonly defaultPageSize: number;
  readonly cacheTtlSeconds: number;
  readonly autoAcceptanceAlertThreshold: number;
  readonly productIds: readonly number[] | null;
  readonly databasePath: string;
  readonly databaseSizeBytes: () => number | null | Promise<number | null>;
  readonly productListRefreshSeconds: number;
  readonly apiProbeTimeoutMs: number;
  readonly playbookThresholds: PlaybookThresholds;
  readonly firstSyncWaitMs: number;
}

export interface ServiceContext extends Omit<ServicesDeps, 'settings'> {
  readonly settings: ResolvedSettings;
}

export function resolveContext(deps: ServicesDeps): ServiceContext {
  const s = deps.settings ?? {};
  return {
    ...deps,
    logger: deps.logger.child({ component: 'services' }),
    settings: {
      defaultPageSize: s.defaultPageSize ?? DEFAULT_PAGE_SIZE,
      cacheTtlSeconds: s.cacheTtlSeconds ?? 3600,
      autoAcceptanceAlertThreshold: s.autoAcceptanceAlertThreshold ?? 0.2,
      productIds: s.productIds && s.productIds.length > 0 ? [...s.productIds] : null,
      databasePath: s.databasePath ?? '(unknown)',
      databaseSizeBytes: s.databaseSizeBytes ?? (() => null),
      productListRefreshSeconds: s.productListRefreshSeconds ?? 60,
      apiProbeTimeoutMs: s.apiProbeTimeoutMs ?? 10_000,
      playbookThresholds: s.playbookThresholds ?? DEFAULT_PLAYBOOK_THRESHOLDS,
      firstSyncWaitMs: s.firstSyncWaitMs ?? 20_000,
    },
  };
}

/** A message safe to show: our own domain errors' text, never a driver's or a transport's. */
export function safeMessage(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  return 'unexpected error (see the server log)';
}

export interface FreshnessBlock {
  data_as_of: string | null;
  stale: boolean;
  warnings?: string[];
}

/**
 * The freshness fields of an answer. `policy: 'ttl'` reports stale when the data is older than the cache
 * TTL; `'read_through'` (the answer's rows were just checked by the read-through cache) only when a
 * refresh failed or nothing was ever synced.
 */
export function freshnessBlock(
  ctx: ServiceContext,
  syncedAt: Date | null,
  options: { warnings?: readonly string[]; refreshFailed?: boolean; policy?: 'ttl' | 'read_through' } = {},
): FreshnessBlock {
  const f = computeFreshness(syncedAt, ctx.clock.now(), ctx.settings.cacheTtlSeconds, options.warnings ?? []);
  const stale =
    Boolean(options.refreshFailed) || syncedAt === null || ((options.policy ?? 'ttl') === 'ttl' && f.stale);
  const warnings = [...f.warnings];
  if (stale && syncedAt !== null && !options.refreshFailed && f.age_seconds !== null) {
    warnings.push(
      `Data was last synced ${relativeTime(f.age_seconds)} (older than the ${ctx.settings.cacheTtlSeconds} s cache TTL); run sync_data to refresh`,
    );
  }
  return { data_as_of: f.data_as_of, stale, ...(warnings.length > 0 ? { warnings } : {}) };
}

/** Warnings for the failures of a read-through refresh (the answer then shows the mirror as it was). */
export function refreshWarnings(
  kind: 'test' | 'bugs of test' | 'features of product',
  outcome: RefreshOutcome,
): string[] {
  const warnings = outcome.failed.map(
    (f) =>
      `Could not refresh ${kind} ${f.id} from TestIO (${safeMessage(f.error)}); showing the last synced data`,
  );
  return [...warnings, ...outcome.warnings];
}

export function oldest(dates: Iterable<Date | null>): Date | null {
  let min: Date | null = null;
  for (const d of dates) {
    if (d === null) return null;
    if (min === null || d < min) min = d;
  }
  return min;
}

export function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** `just now`, `42 seconds ago`, `1 minute ago`, `3 hours ago`, `2 days ago`. */
export function relativeTime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} seconds ago`;
  const unit = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'} ago`;
  if (s < 3600) return unit(Math.floor(s / 60), 'minute');
  if (s < 86_400) return unit(Math.floor(s / 3600), 'hour');
  return unit(Math.floor(s / 86_400), 'day');
}

/**
 * Re-reads the product list from TestIO into the mirror (products in scope only), at most once per
 * `productListRefreshSeconds`, one refresh at a time. Never throws: failures come back as a warning.
 */
export function createProductListRefresher(
  ctx: ServiceContext,
): () => Promise<{ warning?: string; failed: boolean }> {
  let inFlight: Promise<{ warning?: string; failed: boolean }> | null = null;
  const refresh = async (): Promise<{ warning?: string; failed: boolean }> => {
    const { api, productStore, reader, clock } = ctx;
    if (!api || !productStore) return { failed: false };
    const scope = ctx.settings.productIds;
    const syncedAt = await reader.productsSyncedAt(scope ?? undefined);
    const now = clock.now();
    if (syncedAt && now.getTime() - syncedAt.getTime() < ctx.settings.productListRefreshSeconds * 1000)
      return { failed: false };
    try {
      const upstream = await api.listProducts();
      const kept = scope ? upstream.filter((p) => scope.includes(p.id)) : upstream;
      await productStore.upsertProducts(
        kept.map((raw) => ({ entity: normalizeProduct(raw), raw })),
        clock.now(),
      );
      return { failed: false };
    } catch (error) {
      ctx.logger.warn({ err: error }, 'product list refresh failed');
      return {
        failed: true,
        warning: `Could not refresh the product list from TestIO (${safeMessage(error)}); showing the last synced products`,
      };
    }
  };
  return () => {
    inFlight ??= refresh().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}
