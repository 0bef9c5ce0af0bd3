import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  DEFAULT_TENANT,
  isDomainError,
  type Clock,
  type Logger,
  type SyncJobRecord,
  type SyncJobStore,
} from '@testio-mcp/domain';
import type { SyncDataInput, Services } from '@testio-mcp/services';
import type { SyncJob, SyncJobError, SyncJobProgress } from './dto/sync.js';
import type { ApiMetrics } from './metrics.js';

/**
 * Syncs started through `POST /api/sync` run in the background of the instance that was asked; each gets a
 * job whose state `GET /api/sync/{id}` reports. Jobs are written to the job store (the mirror database:
 * ADR 0035), so any instance on that database answers for them. One at a time per instance; the sync
 * engine's lease keeps other processes (worker, MCP server, CLI, other instances) out as well.
 *
 * The instance running a job refreshes its heartbeat while it runs; a running job whose heartbeat has been
 * quiet for `abandonAfterMs` belongs to an instance that is gone, and the next reader ends it as failed.
 */

export interface SyncJobsDeps {
  readonly services: Pick<Services, 'syncData' | 'getServerDiagnostics'>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics?: ApiMetrics;
  readonly generateId?: () => string;
  /** Where jobs live; by default this process's memory (a bare app, one instance). */
  readonly store?: SyncJobStore;
  /** The tenant whose jobs these are (ADR 0024); default `default`. */
  readonly tenant?: string;
  /** This instance's id in the store; by default a random one per process. */
  readonly holder?: string;
  /** Finished jobs kept per tenant for GET /api/sync/{id}; default 50. */
  readonly maxJobs?: number;
  /** Prefix of `href` (the app's base path). */
  readonly basePath?: string;
  /** How often a running job's heartbeat is written; default 15 s. */
  readonly heartbeatMs?: number;
  /** A running job quiet this long is abandoned; default 60 s (four missed heartbeats). */
  readonly abandonAfterMs?: number;
}

interface Entry {
  job: SyncJob;
  done: Promise<SyncJob>;
  abort: AbortController;
  /** The job's store writes, in order (a late progress write must not land after the final one). */
  writes: Promise<void>;
  lastWriteMs: number;
  lastPhase: string | null;
}

/** Progress is written at most this often, and at every phase change. */
const PROGRESS_WRITE_MS = 2_000;

export class SyncJobs {
  private readonly jobs = new Map<string, Entry>();
  private starting = false;
  /** The jobs of the other tenants this process serves (ADR 0024): a job is seen by its tenant only. */
  private readonly tenants = new Map<string, SyncJobs>();
  private readonly store: SyncJobStore;
  private readonly tenant: string;
  private readonly holder: string;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: SyncJobsDeps) {
    this.store = deps.store ?? createMemorySyncJobStore();
    this.tenant = deps.tenant ?? DEFAULT_TENANT;
    this.holder = deps.holder ?? `instance-${randomUUID()}`;
  }

  /** The jobs of another tenant, over that tenant's services; shut down with these. */
  forTenant(tenant: string, services: SyncJobsDeps['services']): SyncJobs {
    let jobs = this.tenants.get(tenant);
    if (!jobs || jobs.deps.services !== services) {
      jobs = new SyncJobs({
        ...this.deps,
        services,
        store: this.store,
        tenant,
        holder: this.holder,
        logger: this.deps.logger.child({ tenant }),
      });
      this.tenants.set(tenant, jobs);
    }
    return jobs;
  }

  /** The job running in this instance, if any. */
  running(): SyncJob | undefined {
    for (const entry of this.jobs.values()) if (entry.job.state === 'running') return entry.job;
    return undefined;
  }

  /**
   * The job, from this instance when it runs here, otherwise from the store; a running job whose holder
   * went quiet is ended as abandoned first.
   */
  async get(id: string): Promise<SyncJob | undefined> {
    const local = this.jobs.get(id);
    if (local) return local.job;
    let record = await this.store.get(this.tenant, id);
    if (record?.state === 'running') {
      const now = this.deps.clock.now();
      const quietSince = new Date(now.getTime() - (this.deps.abandonAfterMs ?? 60_000));
      if (record.heartbeatAt < quietSince) {
        const error = abandonedError(this.deps.abandonAfterMs ?? 60_000);
        if (await this.store.abandon(id, quietSince, error, now)) {
          this.deps.logger.warn({ sync_job: id }, 'sync job abandoned: its instance stopped answering');
        }
        record = await this.store.get(this.tenant, id);
      }
    }
    return record ? this.toJob(record) : undefined;
  }

  /** Resolves when the job has finished and its end is stored (tests, shutdown). */
  async wait(id: string): Promise<SyncJob | undefined> {
    const local = this.jobs.get(id);
    if (!local) return this.get(id);
    await local.done;
    await local.writes;
    return local.job;
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
          reason:
            'Another process (the sync worker, the MCP server, the CLI or another instance) holds the sync lease',
          hint: 'Wait for it to finish (GET /api/sync/history or GET /api/diagnostics), then try again',
        });
      }
      return await this.launch(input);
    } finally {
      this.starting = false;
    }
  }

  private async launch(input: SyncDataInput): Promise<SyncJob> {
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
    // Stored before the sync starts: a job no other instance could see must not run.
    await this.store.put(this.toRecord(job));
    const abort = new AbortController();
    const logger = this.deps.logger.child({ sync_job: id });
    const entry: Entry = {
      job,
      done: Promise.resolve(job),
      abort,
      writes: Promise.resolve(),
      lastWriteMs: startedAt.getTime(),
      lastPhase: null,
    };
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
        const nowMs = this.deps.clock.now().getTime();
        if (p.phase !== entry.lastPhase || nowMs - entry.lastWriteMs >= PROGRESS_WRITE_MS) {
          entry.lastPhase = p.phase;
          entry.lastWriteMs = nowMs;
          this.write(entry, logger);
        }
      },
    };
    logger.info({ request: job.request }, 'sync job started');
    entry.done = this.deps.services.syncData(input, options).then(
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
        return this.finish(entry, logger);
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
        return this.finish(entry, logger);
      },
    );
    this.jobs.set(id, entry);
    this.startHeartbeat();
    return job;
  }

  /** Queues a write of the job as it is now. A failed write is logged; the next one carries the state. */
  private write(entry: Entry, logger: Logger): void {
    const record = this.toRecord(entry.job);
    entry.writes = entry.writes
      .then(() => this.store.put(record))
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'sync job state could not be stored');
      });
  }

  /** Stores the end of the job, then forgets it here (the store answers from now on). */
  private async finish(entry: Entry, logger: Logger): Promise<SyncJob> {
    this.write(entry, logger);
    await entry.writes;
    this.jobs.delete(entry.job.id);
    if (!this.running()) this.stopHeartbeat();
    await this.store.prune(this.tenant, this.deps.maxJobs ?? 50).catch((error: unknown) => {
      logger.warn({ err: error }, 'old sync jobs could not be pruned');
    });
    return entry.job;
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      this.store.heartbeat(this.holder, this.deps.clock.now()).catch((error: unknown) => {
        this.deps.logger.warn({ err: error }, 'sync job heartbeat could not be stored');
      });
    }, this.deps.heartbeatMs ?? 15_000);
    // A heartbeat alone does not keep the process alive.
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private toRecord(job: SyncJob): SyncJobRecord {
    return {
      id: job.id,
      tenant: this.tenant,
      state: job.state,
      request: job.request,
      progress: job.progress,
      result: job.result,
      error: job.error,
      holder: this.holder,
      createdAt: new Date(job.created_at),
      heartbeatAt: this.deps.clock.now(),
      finishedAt: job.finished_at ? new Date(job.finished_at) : null,
    };
  }

  private toJob(record: SyncJobRecord): SyncJob {
    return {
      id: record.id,
      state: record.state,
      request: record.request as SyncJob['request'],
      created_at: record.createdAt.toISOString(),
      finished_at: record.finishedAt?.toISOString() ?? null,
      progress: (record.progress ?? null) as SyncJobProgress | null,
      result: (record.result ?? null) as SyncJob['result'],
      error: (record.error ?? null) as SyncJobError | null,
      href: `${this.deps.basePath ?? ''}/api/sync/${record.id}`,
    };
  }

  /** Asks running syncs to stop (they end as `interrupted`) and waits for them and their last writes. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.tenants.values()].map((jobs) => jobs.shutdown()));
    const running = [...this.jobs.values()];
    for (const entry of running) entry.abort.abort();
    await Promise.all(running.map((e) => e.done));
    this.stopHeartbeat();
  }
}

function abandonedError(afterMs: number): SyncJobError {
  return {
    code: 'abandoned',
    message: 'The instance running this sync stopped before it finished',
    reason: `Its heartbeat has been quiet for over ${Math.round(afterMs / 1000)} s: the process was stopped, crashed or lost the database`,
    hint: 'GET /api/sync/history shows how far the run got; start a new one with POST /api/sync',
  };
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

/** Jobs in this process's memory: a bare app with no database, one instance. */
export function createMemorySyncJobStore(): SyncJobStore {
  const jobs = new Map<string, SyncJobRecord>();
  return {
    async put(job) {
      jobs.set(job.id, structuredClone(job));
    },
    async get(tenant, id) {
      const job = jobs.get(id);
      return job && job.tenant === tenant ? structuredClone(job) : undefined;
    },
    async heartbeat(holder, at) {
      for (const [id, job] of jobs) {
        if (job.holder === holder && job.state === 'running') jobs.set(id, { ...job, heartbeatAt: at });
      }
    },
    async abandon(id, quietSince, error, at) {
      const job = jobs.get(id);
      if (!job || job.state !== 'running' || job.heartbeatAt >= quietSince) return false;
      jobs.set(id, { ...job, state: 'failed', error, finishedAt: at });
      return true;
    },
    async prune(tenant, keep) {
      const finished = [...jobs.values()]
        .filter((j) => j.tenant === tenant && j.state !== 'running')
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
      for (const job of finished.slice(keep)) jobs.delete(job.id);
      return Math.max(0, finished.length - keep);
    },
  };
}
