import type { AuditTrail, Authenticator, RateLimits } from '@testio-mcp/composition';
import type { Clock } from '@testio-mcp/domain';
import type {
  GetServerDiagnosticsOutput,
  ListProductsOutput,
  Services,
  SyncDataOutput,
} from '@testio-mcp/services';
import { createCaptureLogger, type CaptureLogger } from '@testio-mcp/sync/testing';
import { createApp, DEFAULT_APP_OPTIONS, type AppOptions } from '../app.js';
import type { HealthSnapshot } from '../health.js';
import { createMetrics, type ApiMetrics } from '../metrics.js';
import { SyncJobs } from '../sync-jobs.js';

/** Fakes for the HTTP-layer tests: they exercise middleware and mapping, not the data. */

export const NOW = new Date('2025-06-01T12:00:00.000Z');

export class FakeClock implements Clock {
  constructor(private current: Date = NOW) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const PRODUCTS: ListProductsOutput = {
  total_count: 1,
  filters_applied: { search: null, product_type: null },
  products: [
    {
      id: 598,
      name: 'Checkout Web',
      type: 'website',
      description: null,
      test_count: 3,
      feature_count: 2,
      tests_last_30_days: 1,
      tests_last_90_days: 2,
      last_test_end_at: '2025-05-30T17:00:00.000Z',
      last_synced: '2025-06-01T08:00:00.000Z',
    },
  ],
  page: 1,
  per_page: 50,
  pagination: {
    page: 1,
    per_page: 50,
    offset: 0,
    start_index: 0,
    end_index: 0,
    total_count: 1,
    has_more: false,
  },
  data_as_of: '2025-06-01T08:00:00.000Z',
  stale: false,
};

export function diagnostics(running = false): GetServerDiagnosticsOutput {
  return {
    api: { checked: false, connected: null, latency_ms: null, product_count: null, message: 'not checked' },
    database: {
      path: '/tmp/x.db',
      size_mb: 1,
      product_count: 1,
      feature_count: 2,
      test_count: 3,
      bug_count: 4,
      user_count: 5,
    },
    sync: {
      running,
      last_sync: null,
      last_sync_relative: null,
      last_sync_status: null,
      last_sync_duration_seconds: null,
      last_successful_sync: null,
      success_rate_24h: null,
      syncs_completed_24h: 0,
      syncs_partial_24h: 0,
      syncs_failed_24h: 0,
      syncs_interrupted_24h: 0,
      circuit_breaker_active: false,
      circuit_breaker: {
        failures: 0,
        max_failures: 3,
        window_seconds: 300,
        retry_at: null,
        last_error: null,
        reason: 'closed',
      },
      open_problematic_ranges: 0,
    },
    storage: { oldest_test_date: null, newest_test_date: null },
    events: [],
    data_as_of: null,
  };
}

export function syncOutput(overrides: Partial<SyncDataOutput> = {}): SyncDataOutput {
  return {
    run_id: 7,
    status: 'success',
    mode: 'incremental',
    product_ids: null,
    products_synced: 1,
    products_deleted: 0,
    features_refreshed: 2,
    tests_discovered: 3,
    tests_updated: 0,
    tests_deleted: 0,
    bugs_synced: 4,
    failed_ranges: 0,
    duration_seconds: 1.5,
    started_at: NOW.toISOString(),
    finished_at: NOW.toISOString(),
    errors: [],
    warnings: [],
    ...overrides,
  };
}

/**
 * Services whose unlisted methods fail loudly (a test that reaches one is wrong). A proxy rather than an
 * object listing every method, so adding an operation does not touch this file.
 */
export function fakeServices(overrides: Partial<Services> = {}): Services {
  const base: Partial<Services> = {
    listProducts: async () => PRODUCTS,
    getServerDiagnostics: async () => diagnostics(),
    getSyncHistory: async () => ({
      runs: [],
      count: 0,
      last_24h: { completed: 0, partial: 0, failed: 0, interrupted: 0, success_rate: null },
      data_as_of: null,
    }),
    ...overrides,
  };
  return new Proxy(base as Services, {
    get(target, name: string | symbol) {
      if (typeof name !== 'string' || name in target) return Reflect.get(target, name);
      // `then` is probed by await on any value; a fake is not a thenable.
      if (name === 'then') return undefined;
      return () => Promise.reject(new Error(`fake service ${name} not set up`));
    },
  });
}

export const HEALTHY: HealthSnapshot = {
  database: { engine: 'sqlite', reachable: true, error: null },
  sync: {
    running: false,
    lease_holder: null,
    lease_expires_at: null,
    last_run_status: 'success',
    last_run_finished_at: '2025-06-01T11:00:00.000Z',
    last_run_duration_seconds: 12,
    last_success_at: '2025-06-01T11:00:00.000Z',
    last_success_age_seconds: 3600,
    circuit_breaker_open: false,
  },
};

export interface TestApp {
  readonly app: ReturnType<typeof createApp>;
  readonly logger: CaptureLogger;
  readonly clock: FakeClock;
  readonly metrics: ApiMetrics;
  readonly syncJobs: SyncJobs;
}

export function buildApp(
  options: Partial<AppOptions> = {},
  deps: {
    services?: Services;
    health?: () => Promise<HealthSnapshot>;
    authenticator?: Authenticator;
    rateLimits?: RateLimits;
    audit?: AuditTrail;
  } = {},
): TestApp {
  const logger = createCaptureLogger();
  const clock = new FakeClock();
  const metrics = createMetrics();
  const services = deps.services ?? fakeServices();
  const appOptions = { ...DEFAULT_APP_OPTIONS, version: '9.9.9', ...options };
  let n = 0;
  const syncJobs = new SyncJobs({
    services,
    logger,
    clock,
    metrics,
    basePath: appOptions.basePath,
    generateId: () => `job${++n}`,
  });
  const app = createApp({
    services,
    logger,
    clock,
    metrics,
    syncJobs,
    health: deps.health ?? (async () => HEALTHY),
    options: appOptions,
    ...(deps.authenticator ? { authenticator: deps.authenticator } : {}),
    ...(deps.rateLimits ? { rateLimits: deps.rateLimits } : {}),
    ...(deps.audit ? { audit: deps.audit } : {}),
  });
  return { app, logger, clock, metrics, syncJobs };
}

/** Parses the Prometheus text exposition format; throws on a malformed line. */
export function parsePrometheus(
  text: string,
): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?(?:[0-9.e+-]+|Inf|\+Inf|NaN))$/.exec(line);
    if (!match) throw new Error(`malformed metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] as string] = pair[2] as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[4]) });
  }
  return samples;
}
