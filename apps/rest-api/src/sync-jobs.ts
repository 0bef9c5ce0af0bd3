import { randomUUID } from 'node:crypto';
import { ConflictError, isDomainError, type Clock, type Logger } from '@testio-mcp/domain';
import type { SyncDataInput, Services } from '@testio-mcp/services';
import type { SyncJob, SyncJobError } from './dto/sync.js';
import type { ApiMetrics } from './metrics.js';

/**
 * Syncs started through `POST /api/sync` run in the background of this process; each gets a job whose
 * state `GET /api/sync/{id}` reports. One at a time per process; the sync engine's lease keeps other
 * processes (worker, MCP server, CLI) out as well.
 */

export interface SyncJobsDeps {
  readonly services: Pick<Services, 'syncData' | 'getServerDiagnostics'>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics?: ApiMetrics;
  readonly generateId?: () => string;
  /** Finished jobs kept for GET /api/sync/{id}; default 50. */
  readonly maxJobs?: number;
  /** Prefix of `href` (the app's base path). */
  readonly basePath?: string;
}

interface Entry {
  job: SyncJob;
  done: Promise<SyncJob>;
  abort: AbortController;
}

export class SyncJobs {
  private readonly jobs = new Map<string, Entry>();
  private starting = false;
  /** The jobs of the other tenants this process serves (ADR 0024): a job is seen by its tenant only. */
  private readonly tenants = new Map<string, SyncJobs>();

  constructor(private readonly deps: SyncJobsDeps) {}

  /** The jobs of another tenant, over that tenant's services; shut down with these. */
  forTenant(tenant: string, services: SyncJobsDeps['services']): SyncJobs {
    let jobs = this.tenants.get(tenant);
    if (!jobs || jobs.deps.services !== services) {
      jobs = new SyncJobs({ ...this.deps, services, logger: this.deps.logger.child({ tenant }) });
      this.tenants.set(tenant, jobs);
    }
    return jobs;
  }

  /** The job running in this process, if any. */
  running(): SyncJob | undefined {
    for (const entry of this.jobs.values()) if (entry.job.state === 'running') return entry.job;
    return undefined;
  }

  get(id: string): SyncJob | undefined {
    return this.jobs.get(id)?.job;
  }

  /** Resolves when the job has finished (tests, shutdown). */
  async wait(id: string): Promise<SyncJob | undefined> {
    return this.jobs.get(id)?.done;
  }

  /**
   * Starts a sync and returns its job at once. Throws `ConflictError` when a sync is already running,
   * here or in another process (the sync lease is held).
   */
  async start(input: SyncDataInput): Promise<SyncJob> {
    const here = this.running();
    if (here || this.starting) {
      throw new ConflictError({
        message: 'A sync is already running',
        reason: here
          ? `Sync job ${here.id} started through this API has not finished`
          : 'Another sync request is being started',
        hint: here ? `Follow it with GET ${here.href}, then try again` : 'Try again in a moment',
      });
    }
    this.starting = true;
    try {
      const diagnostics = await this.deps.services.getServerDiagnostics({
        include_sync_events: false,
        sync_event_limit: 1,
        check_api: false,
      });
      if (diagnostics.sync.running) {
        throw new ConflictError({
          message: 'A sync is already running',
          reason: 'Another process (the sync worker, the MCP server or the CLI) holds the sync lease',
          hint: 'Wait for it to finish (GET /api/sync/history or GET /api/diagnostics), then try again',
        });
      }
      return this.launch(input);
    } finally {
      this.starting = false;
    }
  }

  private launch(input: SyncDataInput): SyncJob {
    const id = `sync-${(this.deps.generateId ?? randomUUID)()}`;
    const startedAt = this.deps.clock.now();
    const job: SyncJob = {
      id,
      state: 'running',
      request: { product_ids: input.product_ids ?? null, since: input.since ?? null },
      created_at: startedAt.toISOString(),
      finished_at: null,
      progress: null,
      result: null,
      error: null,
      href: `${this.deps.basePath ?? ''}/api/sync/${id}`,
    };
    const abort = new AbortController();
    const logger = this.deps.logger.child({ sync_job: id });
    // The run is recorded with trigger 'rest' in the sync history.
    const options = {
      signal: abort.signal,
      trigger: 'rest' as const,
      onProgress: (p: {
        phase: string;
        message: string;
        productId?: number;
        productIndex: number;
        productCount: number;
      }) => {
        job.progress = {
          phase: p.phase,
          message: p.message,
          product_id: p.productId ?? null,
          product_index: p.productIndex,
          product_count: p.productCount,
        };
      },
    };
    logger.info({ request: job.request }, 'sync job started');
    const done = this.deps.services.syncData(input, options).then(
      (result) => {
        job.state = 'completed';
        job.result = result;
        job.finished_at = this.deps.clock.now().toISOString();
        this.deps.metrics?.syncRuns.inc({ status: result.status, trigger: 'rest' });
        this.deps.metrics?.syncDuration.observe(
          { status: result.status, trigger: 'rest' },
          result.duration_seconds,
        );
        logger.info(
          { status: result.status, run_id: result.run_id, duration_seconds: result.duration_seconds },
          'sync job finished',
        );
        return job;
      },
      (error: unknown) => {
        job.state = 'failed';
        job.error = jobError(error);
        job.finished_at = this.deps.clock.now().toISOString();
        const busy = isDomainError(error) && (error.code === 'conflict' || error.code === 'database_busy');
        const status = busy ? 'conflict' : 'error';
        this.deps.metrics?.syncRuns.inc({ status, trigger: 'rest' });
        if (isDomainError(error))
          logger.warn({ code: error.code, message: error.message }, 'sync job failed');
        else logger.error({ err: error }, 'sync job crashed');
        return job;
      },
    );
    this.jobs.set(id, { job, done, abort });
    this.prune();
    return job;
  }

  private prune(): void {
    const max = this.deps.maxJobs ?? 50;
    for (const [id, entry] of this.jobs) {
      if (this.jobs.size <= max) break;
      if (entry.job.state !== 'running') this.jobs.delete(id);
    }
  }

  /** Asks running syncs to stop (they end as `interrupted`) and waits for them. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.tenants.values()].map((jobs) => jobs.shutdown()));
    const running = [...this.jobs.values()].filter((e) => e.job.state === 'running');
    for (const entry of running) entry.abort.abort();
    await Promise.all(running.map((e) => e.done));
  }
}

function jobError(error: unknown): SyncJobError {
  if (isDomainError(error)) {
    return {
      code: error.code,
      message: error.message,
      hint: error.hint ?? null,
      ...(error.reason ? { reason: error.reason } : {}),
    };
  }
  return { code: 'internal_error', message: 'The sync crashed', hint: 'See the server log for details' };
}
