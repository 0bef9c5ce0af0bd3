import {
  InvalidInputError,
  type Clock,
  type Lease,
  type Logger,
  type SyncStores,
  type TestIOApi,
} from '@testio-mcp/domain';
import { SyncAbortedError, errorMessage, throwIfAborted } from './abort.js';
import {
  decideAutomaticSync,
  evaluateCircuitBreaker,
  type AutomaticSyncDecision,
  type BreakerState,
} from './breaker.js';
import { acquireSyncLease, startHeartbeat, syncInProgressError } from './lease.js';
import {
  resolveSyncEngineOptions,
  type ResolvedSyncEngineOptions,
  type SyncEngineOptions,
} from './options.js';
import { syncFeatures } from './phases/features.js';
import { syncProducts } from './phases/products.js';
import { syncTests } from './phases/tests.js';
import { createProgressReporter } from './progress.js';
import { RunContext } from './run-context.js';
import {
  SYNC_PHASES,
  type SyncPhase,
  type SyncResult,
  type SyncRunOptions,
  type SyncStatusReport,
} from './types.js';
import { createCountingApi } from './upstream-calls.js';

export interface SyncEngineDeps {
  readonly api: TestIOApi;
  readonly stores: SyncStores;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly options?: SyncEngineOptions;
}

export interface RetryProblematicOptions {
  readonly productId?: number;
  readonly trigger?: SyncRunOptions['trigger'];
  readonly signal?: AbortSignal;
  readonly onProgress?: SyncRunOptions['onProgress'];
}

export interface RetryProblematicResult {
  /** The force run over the affected products; null when nothing was open. */
  readonly result: SyncResult | null;
  readonly resolved: number;
  /** Ranges still open afterwards. */
  readonly remaining: number;
}

export interface SyncEngine {
  readonly options: ResolvedSyncEngineOptions;
  /**
   * Runs one sync under the one-writer lease. Throws `ConflictError` when another live holder has the
   * lease and `InvalidInputError` for a product scope outside the configured one; every other problem
   * ends up in the returned result (status `failure`, `partial_failure` or `interrupted`).
   */
  run(options: SyncRunOptions): Promise<SyncResult>;
  /** Re-walks the products with open problematic ranges in force mode; clean walks resolve them. */
  retryProblematic(options?: RetryProblematicOptions): Promise<RetryProblematicResult>;
  /** Circuit breaker + staleness: whether the startup or periodic sync should run now. */
  shouldRunAutomaticSync(now?: Date, options?: { force?: boolean }): Promise<AutomaticSyncDecision>;
  breakerState(now?: Date): Promise<BreakerState>;
  status(options?: { runs?: number }): Promise<SyncStatusReport>;
}

export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  const options = resolveSyncEngineOptions(deps.options);
  const { stores, clock } = deps;
  const logger = deps.logger.child({ component: 'sync-engine' });
  const breakerOptions = { maxFailures: options.breakerMaxFailures, windowMs: options.breakerWindowMs };

  function resolveScope(requested: readonly number[] | undefined): number[] | null {
    const configured = options.productIds;
    if (!requested) return configured ? [...new Set(configured)] : null;
    const ids = [...new Set(requested)];
    if (configured) {
      const allowed = new Set(configured);
      const outside = ids.filter((id) => !allowed.has(id));
      if (outside.length > 0) {
        throw new InvalidInputError({
          message: `Product(s) ${outside.join(', ')} are outside the configured sync scope`,
          reason: `TESTIO_PRODUCT_IDS limits syncing to ${configured.join(', ')}`,
          hint: 'Pick products from the configured scope, or widen TESTIO_PRODUCT_IDS',
          field: 'product_ids',
        });
      }
    }
    return ids;
  }

  /** The run in progress in this engine: the lease store treats our own holder id as free. */
  let active: Lease | null = null;

  async function run(runOptions: SyncRunOptions): Promise<SyncResult> {
    const scope = resolveScope(runOptions.productIds);
    const phases = new Set<SyncPhase>(runOptions.phases ?? SYNC_PHASES);
    if (active) throw syncInProgressError(active);
    const startedAt = clock.now();
    active = {
      holder: options.holderId,
      acquiredAt: startedAt,
      expiresAt: new Date(startedAt.getTime() + options.leaseTtlMs),
    };
    try {
      active = await acquireSyncLease(stores.syncState, options, startedAt);
      return await runLeased(runOptions, scope, phases, startedAt);
    } finally {
      active = null;
    }
  }

  async function runLeased(
    runOptions: SyncRunOptions,
    scope: number[] | null,
    phases: ReadonlySet<SyncPhase>,
    startedAt: Date,
  ): Promise<SyncResult> {
    let runId: number;
    try {
      // We hold the one-writer lease, so any run still marked `running` belongs to a holder that died
      // (or lost its lease and will fail on its next heartbeat).
      const interrupted = await stores.syncState.interruptStaleRuns(startedAt, startedAt);
      if (interrupted > 0)
        logger.warn({ interrupted }, 'marked runs left behind by a dead sync as interrupted');
      runId = await stores.syncState.startRun({
        trigger: runOptions.trigger,
        mode: runOptions.mode,
        productIds: scope,
        startedAt,
      });
    } catch (error) {
      await stores.syncState.releaseLease(options.holderId).catch(() => undefined);
      throw error;
    }

    const runLogger = logger.child({ runId, mode: runOptions.mode, trigger: runOptions.trigger });
    const internal = new AbortController();
    const signal = runOptions.signal
      ? AbortSignal.any([runOptions.signal, internal.signal])
      : internal.signal;
    let leaseLost = false;
    const heartbeat = startHeartbeat({
      syncState: stores.syncState,
      clock,
      logger: runLogger,
      holderId: options.holderId,
      leaseTtlMs: options.leaseTtlMs,
      intervalMs: options.heartbeatMs,
      runId,
      onLost: () => {
        leaseLost = true;
        internal.abort(new SyncAbortedError('The sync lease was lost to another process'));
      },
    });

    const counting = options.countUpstreamCalls ? null : createCountingApi(deps.api);
    const callsBefore = options.countUpstreamCalls?.() ?? 0;
    const progress = createProgressReporter(runOptions.onProgress, options.progressIntervalMs, runLogger);
    const ctx = new RunContext({
      api: counting?.api ?? deps.api,
      stores,
      clock,
      logger: runLogger,
      options,
      mode: runOptions.mode,
      since: runOptions.since,
      signal,
      progress,
    });
    runLogger.info(
      { productIds: scope, since: runOptions.since?.toISOString(), phases: [...phases] },
      'sync started',
    );

    let fatal: unknown = null;
    try {
      throwIfAborted(signal);
      if (phases.has('products')) await syncProducts(ctx, scope);
      throwIfAborted(signal);
      const products = await stores.products.listProductSyncStates(scope ?? undefined);
      const productIds = products.map((p) => p.id);
      if (phases.has('features')) await syncFeatures(ctx, productIds);
      throwIfAborted(signal);
      if (phases.has('tests')) await syncTests(ctx, productIds);
      throwIfAborted(signal);
    } catch (error) {
      fatal = error;
    }

    await heartbeat.stop();
    const finishedAt = clock.now();
    ctx.counts.upstreamCalls = options.countUpstreamCalls
      ? options.countUpstreamCalls() - callsBefore
      : (counting?.count() ?? 0);
    const walked = [...ctx.products.values()].filter((p) => p.tests !== 'skipped');
    const allWalksFailed = walked.length > 0 && walked.every((p) => p.tests === 'failed');
    let status: SyncResult['status'];
    let error: string | null = null;
    if (runOptions.signal?.aborted && !leaseLost) {
      status = 'interrupted';
      error = 'The sync was cancelled before it finished';
    } else if (fatal !== null || leaseLost) {
      status = 'failure';
      error = leaseLost ? 'The sync lease was lost to another process' : errorMessage(fatal);
      ctx.errors.push(error);
    } else if (allWalksFailed) {
      status = 'failure';
      error = `The test lists of all ${walked.length} product(s) could not be read`;
      ctx.errors.push(error);
    } else if (ctx.errors.length > 0) {
      status = 'partial_failure';
      error = `${ctx.errors.length} problem(s); first: ${ctx.errors[0]}`;
    } else {
      status = 'success';
    }
    const overflow = ctx.overflowNote();
    if (overflow) ctx.warnings.push(overflow);
    if (fatal !== null && status === 'failure') runLogger.error({ err: fatal }, 'sync failed');

    try {
      await stores.syncState.finishRun(runId, {
        status,
        finishedAt,
        counts: { ...ctx.counts },
        warnings: [...ctx.errors.filter((e) => e !== error), ...ctx.warnings],
        error,
      });
    } catch (finishError) {
      runLogger.error({ err: finishError }, 'could not record the end of the sync run');
    }
    try {
      await stores.syncState.releaseLease(options.holderId);
    } catch (releaseError) {
      runLogger.error({ err: releaseError }, 'could not release the sync lease; it will expire on its own');
    }

    const result: SyncResult = {
      runId,
      status,
      mode: runOptions.mode,
      trigger: runOptions.trigger,
      productIds: scope,
      counts: { ...ctx.counts },
      warnings: [...ctx.warnings],
      errors: [...ctx.errors],
      failedRanges: [...ctx.failedRanges],
      products: [...ctx.products.values()].map((p) => ({ ...p })),
      problematicResolved: ctx.problematicResolved,
      startedAt,
      finishedAt,
      durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
    };
    progress.report(
      { phase: 'done', productIndex: 0, productCount: result.products.length, message: `Sync ${status}` },
      true,
    );
    runLogger.info(
      { status, counts: result.counts, durationMs: result.durationMs, errors: result.errors.length },
      'sync finished',
    );
    return result;
  }

  async function retryProblematic(retry: RetryProblematicOptions = {}): Promise<RetryProblematicResult> {
    const filter = retry.productId === undefined ? {} : { productId: retry.productId };
    const open = await stores.syncState.listProblematicRanges({ ...filter, includeResolved: false });
    const configured = options.productIds ? new Set(options.productIds) : null;
    const productIds = [...new Set(open.map((r) => r.productId))].filter(
      (id) => !configured || configured.has(id),
    );
    if (productIds.length === 0) return { result: null, resolved: 0, remaining: open.length };
    const result = await run({
      mode: 'force',
      trigger: retry.trigger ?? 'manual_cli',
      productIds,
      phases: ['tests'],
      ...(retry.signal ? { signal: retry.signal } : {}),
      ...(retry.onProgress ? { onProgress: retry.onProgress } : {}),
    });
    const remaining = (await stores.syncState.listProblematicRanges({ ...filter, includeResolved: false }))
      .length;
    return { result, resolved: result.problematicResolved, remaining };
  }

  return {
    options,
    run,
    retryProblematic,
    shouldRunAutomaticSync: (now = clock.now(), decision = {}) =>
      decideAutomaticSync({
        stores,
        now,
        refreshIntervalMs: options.refreshIntervalMs,
        force: decision.force ?? false,
        ...(options.productIds ? { productIds: options.productIds } : {}),
        breaker: breakerOptions,
      }),
    breakerState: (now = clock.now()) => evaluateCircuitBreaker(stores.syncState, now, breakerOptions),
    async status(statusOptions = {}) {
      const now = clock.now();
      const [lease, runs, problematicRanges, breaker, products] = await Promise.all([
        stores.syncState.readLease(),
        stores.syncState.listRuns(statusOptions.runs ?? 10),
        stores.syncState.listProblematicRanges({ includeResolved: false }),
        evaluateCircuitBreaker(stores.syncState, now, breakerOptions),
        stores.products.listProductSyncStates(options.productIds),
      ]);
      return {
        lease,
        running: lease !== null && lease.expiresAt.getTime() > now.getTime(),
        runs,
        problematicRanges,
        breaker,
        products: products.map((p) => ({
          id: p.id,
          title: p.title,
          featuresSyncedAt: p.featuresSyncedAt,
          testsSyncedAt: p.testsSyncedAt,
          lastFullSyncAt: p.lastFullSyncAt,
        })),
      };
    },
  };
}
