import { InvalidInputError, parseFlexibleDate, type SyncRun, type SyncRunStatus } from '@testio-mcp/domain';
import type { SyncResult } from '@testio-mcp/sync';
import { truncate } from '../bounds.js';
import type {
  GetProblematicTestsInput,
  GetProblematicTestsOutput,
  GetServerDiagnosticsInput,
  GetServerDiagnosticsOutput,
  GetSyncHistoryInput,
  GetSyncHistoryOutput,
  SearchInput,
  SearchOutput,
  SyncDataInput,
  SyncDataOutput,
} from '../contracts/management.js';
import { freshnessBlock, iso, relativeTime, safeMessage, type ServiceContext } from '../context.js';
import type { SyncDataOptions } from '../types.js';

const MAX_LISTED_MESSAGES = 20;
const DAY_MS = 86_400_000;

function capMessages(messages: readonly string[]): string[] {
  const listed = messages.slice(0, MAX_LISTED_MESSAGES).map((m) => truncate(m, 500) ?? '');
  if (messages.length > MAX_LISTED_MESSAGES)
    listed.push(`…and ${messages.length - MAX_LISTED_MESSAGES} more`);
  return listed;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function createManagementOperations(ctx: ServiceContext) {
  const { reader, search: searchPort, engine, clock, settings, api } = ctx;

  async function search(input: SearchInput): Promise<SearchOutput> {
    const now = clock.now();
    const from = input.start_date
      ? parseFlexibleDate(input.start_date, { startOfDay: true, now, field: 'start_date' })
      : undefined;
    const to = input.end_date
      ? parseFlexibleDate(input.end_date, { startOfDay: false, now, field: 'end_date' })
      : undefined;
    if (from && to && from > to) {
      throw new InvalidInputError({
        field: 'start_date',
        message: `start_date '${input.start_date}' is after end_date '${input.end_date}'`,
        reason: `The range ${from.toISOString()} – ${to.toISOString()} is empty`,
        hint: 'Swap the dates, or leave one of them out',
      });
    }
    const warnings: string[] = [];
    const dated = from !== undefined || to !== undefined;
    let entities = input.entities;
    if (dated) {
      const undated = (entities ?? ['product', 'feature']).filter((e) => e === 'product' || e === 'feature');
      if (undated.length > 0) {
        warnings.push(
          `Date filters apply to tests (end date) and bugs (reported date) only; ${undated.join(' and ')} results were left out.`,
        );
      }
      entities = (entities ?? ['test', 'bug']).filter((e) => e === 'test' || e === 'bug');
    }
    const scope = settings.productIds;
    let productIds = input.product_ids;
    if (scope) productIds = (productIds ?? [...scope]).filter((id) => scope.includes(id));
    const result =
      entities !== undefined && entities.length === 0
        ? { match: null, total: 0, totalIsLowerBound: false, results: [] }
        : await searchPort.search({
            query: input.query,
            mode: input.match_mode,
            entityTypes: entities,
            productIds,
            from,
            to,
            limit: input.limit,
          });
    if (
      result.match === null &&
      input.match_mode === 'simple' &&
      (entities === undefined || entities.length > 0)
    ) {
      warnings.push(
        'The query holds no searchable word (only punctuation or symbols); nothing was searched.',
      );
    }
    if (result.total > result.results.length) {
      const of = result.totalIsLowerBound ? `at least ${result.total}` : `${result.total}`;
      warnings.push(
        `Showing the best ${result.results.length} of ${of} matches; narrow the query or raise limit (max 100).`,
      );
    }
    const lastTestsSyncAt = await reader.lastTestsSyncAt();
    return {
      query: input.query,
      ...(result.match !== null && result.match !== input.query ? { sanitized_query: result.match } : {}),
      total: result.total,
      total_is_lower_bound: result.totalIsLowerBound,
      results: result.results.map((r, i) => ({
        entity_type: r.entity_type,
        entity_id: r.entity_id,
        product_id: r.product_id,
        title: truncate(r.title, 300) ?? '',
        score: round(r.score, 4),
        rank: i + 1,
        snippet: truncate(r.snippet, 300),
      })),
      ...freshnessBlock(ctx, lastTestsSyncAt, { warnings }),
    };
  }

  async function syncData(input: SyncDataInput, options: SyncDataOptions = {}): Promise<SyncDataOutput> {
    let mode: 'incremental' | 'force' = 'incremental';
    let since: Date | undefined;
    if (input.since !== undefined) {
      mode = 'force';
      if (input.since.trim().toLowerCase() !== 'all') {
        since = parseFlexibleDate(input.since, { startOfDay: true, now: clock.now(), field: 'since' });
      }
    }
    // The engine applies the configured scope (TESTIO_PRODUCT_IDS) and refuses product ids outside it.
    const result: SyncResult = await engine.run({
      mode,
      trigger: options.trigger ?? 'mcp',
      ...(input.product_ids ? { productIds: input.product_ids } : {}),
      ...(since ? { since } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      run_id: result.runId,
      status: result.status,
      mode: result.mode,
      product_ids: result.productIds,
      products_synced: result.counts.productsSynced,
      products_deleted: result.counts.productsDeleted,
      features_refreshed: result.counts.featuresRefreshed,
      tests_discovered: result.counts.testsDiscovered,
      tests_updated: result.counts.testsUpdated,
      tests_deleted: result.counts.testsDeleted,
      bugs_synced: result.counts.bugsSynced,
      failed_ranges: result.failedRanges.length,
      duration_seconds: round(result.durationMs / 1000, 2),
      started_at: result.startedAt.toISOString(),
      finished_at: result.finishedAt.toISOString(),
      errors: capMessages(result.errors),
      warnings: capMessages(result.warnings),
    };
  }

  async function probeApi(): Promise<GetServerDiagnosticsOutput['api']> {
    if (!api)
      return {
        checked: false,
        connected: null,
        latency_ms: null,
        product_count: null,
        message: 'No TestIO API is configured for this process',
      };
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('probe timeout')), settings.apiProbeTimeoutMs);
      });
      const products = await Promise.race([api.listProducts(), timeout]);
      const n = settings.productIds
        ? products.filter((p) => settings.productIds?.includes(p.id)).length
        : products.length;
      return {
        checked: true,
        connected: true,
        latency_ms: Date.now() - started,
        product_count: n,
        message: `Connected. ${n} products available.`,
      };
    } catch (error) {
      const timedOut = error instanceof Error && error.message === 'probe timeout';
      return {
        checked: true,
        connected: false,
        latency_ms: Date.now() - started,
        product_count: null,
        message: timedOut
          ? `API connection failed: no answer within ${settings.apiProbeTimeoutMs / 1000} s`
          : `API connection failed: ${safeMessage(error)}`,
      };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async function databaseSizeMb(): Promise<number | null> {
    try {
      const bytes = await settings.databaseSizeBytes();
      return bytes === null ? null : round(bytes / (1024 * 1024), 2);
    } catch {
      return null;
    }
  }

  async function getServerDiagnostics(input: GetServerDiagnosticsInput): Promise<GetServerDiagnosticsOutput> {
    const now = clock.now();
    const [apiReport, stats, status, sizeMb] = await Promise.all([
      input.check_api
        ? probeApi()
        : Promise.resolve({
            checked: false,
            connected: null,
            latency_ms: null,
            product_count: null,
            message: 'Not checked (check_api false)',
          }),
      reader.stats(),
      engine.status({ runs: 50 }),
      databaseSizeMb(),
    ]);
    const since = now.getTime() - DAY_MS;
    const recent = status.runs.filter((r) => r.startedAt.getTime() >= since);
    const count = (s: SyncRunStatus): number => recent.filter((r) => r.status === s).length;
    const finished = recent.filter((r) => r.status !== 'running').length;
    const succeeded = count('success') + count('partial_failure');
    const lastFinished = status.runs.find((r) => r.finishedAt !== null) ?? null;
    const lastGood =
      status.runs.find(
        (r) => r.finishedAt !== null && (r.status === 'success' || r.status === 'partial_failure'),
      ) ?? null;
    const ago = (d: Date): string => relativeTime((now.getTime() - d.getTime()) / 1000);
    const event = (r: SyncRun) => ({
      run_id: r.id,
      trigger: r.trigger,
      mode: r.mode,
      status: r.status,
      started_at: r.startedAt.toISOString(),
      started_at_relative: ago(r.startedAt),
      completed_at: iso(r.finishedAt),
      duration_seconds: r.durationMs === null ? null : round(r.durationMs / 1000, 2),
      products_synced: r.counts?.productsSynced ?? null,
      tests_discovered: r.counts?.testsDiscovered ?? null,
      tests_updated: r.counts?.testsUpdated ?? null,
      bugs_synced: r.counts?.bugsSynced ?? null,
      warnings_count: r.warnings.length,
      error: truncate(r.error, 500),
    });
    const warnings: string[] = [];
    if (status.breaker.open) warnings.push(`Automatic syncs are paused: ${status.breaker.reason}`);
    if (apiReport.checked && apiReport.connected === false) warnings.push(apiReport.message);
    return {
      api: apiReport,
      database: {
        path: settings.databasePath,
        size_mb: sizeMb,
        product_count: stats.products,
        feature_count: stats.features,
        test_count: stats.tests,
        bug_count: stats.bugs,
        user_count: stats.users,
      },
      sync: {
        running: status.running,
        last_sync: iso(lastFinished?.finishedAt),
        last_sync_relative: lastFinished?.finishedAt ? ago(lastFinished.finishedAt) : null,
        last_sync_status: lastFinished?.status ?? null,
        last_sync_duration_seconds:
          lastFinished?.durationMs != null ? round(lastFinished.durationMs / 1000, 2) : null,
        last_successful_sync: iso(lastGood?.finishedAt),
        success_rate_24h: finished === 0 ? null : round((succeeded / finished) * 100, 1),
        syncs_completed_24h: count('success'),
        syncs_partial_24h: count('partial_failure'),
        syncs_failed_24h: count('failure'),
        syncs_interrupted_24h: count('interrupted'),
        circuit_breaker_active: status.breaker.open,
        circuit_breaker: {
          failures: status.breaker.failures,
          max_failures: status.breaker.maxFailures,
          window_seconds: Math.round(status.breaker.windowMs / 1000),
          retry_at: iso(status.breaker.retryAt),
          last_error: truncate(status.breaker.lastError, 500),
          reason: status.breaker.reason,
        },
        open_problematic_ranges: status.problematicRanges.filter((r) => r.resolvedAt === null).length,
      },
      storage: { oldest_test_date: iso(stats.oldestTestEndAt), newest_test_date: iso(stats.newestTestEndAt) },
      ...(input.include_sync_events
        ? { events: status.runs.slice(0, input.sync_event_limit).map(event) }
        : {}),
      data_as_of: iso(lastGood?.finishedAt),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  async function getProblematicTests(input: GetProblematicTestsInput): Promise<GetProblematicTestsOutput> {
    const ranges = await reader.listProblematicRanges({
      ...(input.product_id !== undefined ? { productId: input.product_id } : {}),
      includeResolved: input.include_resolved,
      limit: 100,
    });
    return {
      count: ranges.length,
      tests: ranges.map((r) => ({
        id: r.id,
        product_id: r.productId,
        position_range: `${r.offsetFrom}-${r.offsetTo}`,
        recovery_attempts: r.attempts,
        boundary_before_id: r.boundaryBeforeId,
        boundary_before_end_at: iso(r.boundaryBeforeEndAt),
        boundary_after_id: r.boundaryAfterId,
        boundary_after_end_at: iso(r.boundaryAfterEndAt),
        last_error: truncate(r.lastError, 500) ?? '',
        first_seen_at: r.firstSeenAt.toISOString(),
        last_seen_at: r.lastSeenAt.toISOString(),
        resolved_at: iso(r.resolvedAt),
      })),
      message:
        ranges.length > 0
          ? 'Ranges of test lists TestIO could not serve (HTTP 5xx) during sync. Use the boundary ids for support tickets; a later complete sync (sync_data since="all") resolves them.'
          : input.include_resolved
            ? 'No problematic test ranges were ever recorded.'
            : 'No open problematic test ranges: every test list was read completely.',
    };
  }

  /** The sync history as REST serves it: the diagnostics' runs and 24 h counts, without the API probe. */
  async function getSyncHistory(input: GetSyncHistoryInput): Promise<GetSyncHistoryOutput> {
    const d = await getServerDiagnostics({
      include_sync_events: true,
      sync_event_limit: input.limit,
      check_api: false,
    });
    const runs = d.events ?? [];
    return {
      runs,
      count: runs.length,
      last_24h: {
        completed: d.sync.syncs_completed_24h,
        partial: d.sync.syncs_partial_24h,
        failed: d.sync.syncs_failed_24h,
        interrupted: d.sync.syncs_interrupted_24h,
        success_rate: d.sync.success_rate_24h,
      },
      data_as_of: d.data_as_of,
    };
  }

  return { search, syncData, getServerDiagnostics, getSyncHistory, getProblematicTests };
}
