import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HealthProbe } from './health.js';

/**
 * Prometheus metrics of one app instance, on its own registry (no global state: tests build many apps
 * in one process). Counters the app owns are incremented as things happen; the upstream client's
 * counters and the shared sync state (other processes sync too) are read at scrape time.
 */

export interface UpstreamStats {
  readonly requests: number;
  readonly failedRequests: number;
}

export interface MetricsSources {
  /** The TestIO client's running totals. */
  readonly upstream?: () => UpstreamStats;
  /** Database and sync state, read from the mirror at scrape time. */
  readonly health?: HealthProbe;
}

export type CacheEntity = 'tests' | 'bugs' | 'features';
export type CacheOutcome = 'hit' | 'refreshed' | 'failed' | 'deleted';

export interface ApiMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly syncRuns: Counter<'status' | 'trigger'>;
  readonly syncDuration: Histogram<'status' | 'trigger'>;
  readonly cacheLookups: Counter<'entity' | 'outcome'>;
  /** Wires the scrape-time sources (the container knows them only after building the client). */
  setSources(sources: MetricsSources): void;
}

export function createMetrics(): ApiMetrics {
  const registry = new Registry();
  let sources: MetricsSources = {};

  const httpRequests = new Counter({
    name: 'testio_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'testio_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const syncRuns = new Counter({
    name: 'testio_sync_runs_total',
    help: 'Sync runs started by this process, by outcome (success, partial_failure, failure, interrupted, conflict, error).',
    labelNames: ['status', 'trigger'] as const,
    registers: [registry],
  });
  const syncDuration = new Histogram({
    name: 'testio_sync_duration_seconds',
    help: 'Duration of the sync runs started by this process.',
    labelNames: ['status', 'trigger'] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });
  const cacheLookups = new Counter({
    name: 'testio_cache_lookups_total',
    help: 'Read-through cache decisions per entity: hit (served from the mirror), refreshed (re-read from TestIO), failed, deleted.',
    labelNames: ['entity', 'outcome'] as const,
    registers: [registry],
  });
  new Counter({
    name: 'testio_upstream_requests_total',
    help: 'Requests this process sent to the TestIO API (retries included).',
    registers: [registry],
    collect() {
      const stats = sources.upstream?.();
      this.reset();
      if (stats) this.inc(stats.requests);
    },
  });
  new Counter({
    name: 'testio_upstream_request_errors_total',
    help: 'Requests to the TestIO API that failed (after retries).',
    registers: [registry],
    collect() {
      const stats = sources.upstream?.();
      this.reset();
      if (stats) this.inc(stats.failedRequests);
    },
  });

  // One probe per scrape feeds the gauges below.
  let pending: ReturnType<HealthProbe> | null = null;
  const snapshot = (): ReturnType<HealthProbe> | null => {
    if (!sources.health) return null;
    pending ??= sources.health().finally(() => {
      pending = null;
    });
    return pending;
  };
  new Gauge({
    name: 'testio_database_up',
    help: '1 when the SQLite mirror answers a query, else 0.',
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.set(s?.database.reachable ? 1 : 0);
    },
  });
  new Gauge({
    name: 'testio_sync_running',
    help: '1 while any process holds the sync lease.',
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.set(s?.sync?.running ? 1 : 0);
    },
  });
  new Gauge({
    name: 'testio_sync_last_success_age_seconds',
    help: 'Seconds since the last successful (or partially successful) sync of the mirror, by any process; absent when none.',
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      const age = s?.sync?.last_success_age_seconds;
      if (age !== null && age !== undefined) this.set(age);
    },
  });
  new Gauge({
    name: 'testio_sync_last_run_duration_seconds',
    help: 'Duration of the newest finished sync run of the mirror, by any process, labelled with its status.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      const run = s?.sync;
      if (run?.last_run_status && run.last_run_duration_seconds !== null) {
        this.set({ status: run.last_run_status }, run.last_run_duration_seconds);
      }
    },
  });

  return {
    registry,
    httpRequests,
    httpDuration,
    syncRuns,
    syncDuration,
    cacheLookups,
    setSources(next) {
      sources = { ...sources, ...next };
    },
  };
}
