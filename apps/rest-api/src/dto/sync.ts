import type { SyncDataResult, SyncEvent } from './management.js';

/** `POST /api/sync`: what to sync (the same arguments as the `sync_data` tool). */
export interface SyncRequest {
  /**
   * Products to sync (default: the configured scope TESTIO_PRODUCT_IDS, or all products). Must lie
   * inside that scope. An array of ids, or a comma-separated string.
   * @example [598]
   */
  product_ids?: number[] | string;
  /**
   * Absent: incremental (new and changed tests). 'all': full resync of every test and bug. A date
   * ('2025-01-01', 'last 30 days', 'yesterday'): re-read every test that ended on or after it, with its bugs.
   * @example "last 30 days"
   */
  since?: string;
}

/** Why a sync job failed (the same code/message/hint an error response would carry). */
export interface SyncJobError {
  /** @example "conflict" */
  code: string;
  message: string;
  hint: string | null;
  reason?: string;
}

/** The last progress a running sync reported. */
export interface SyncJobProgress {
  /** products, features, tests, bugs or done. */
  phase: string;
  /** @example "Discovering tests: product 598 (1/3), page 2" */
  message: string;
  product_id: number | null;
  /** 0-based index of the product being worked on within the phase. */
  product_index: number;
  product_count: number;
}

/**
 * A sync started through this API. Jobs are kept in the mirror database (the newest 50 finished ones per
 * tenant), so any instance on it answers; the run itself is listed by GET /api/sync/history.
 */
export interface SyncJob {
  /**
   * Job id (GET /api/sync/{id}).
   * @example "sync-3f2a9c1e-7d4b-4c8e-9a6f-1b2c3d4e5f60"
   */
  id: string;
  /**
   * running; completed (the run finished: see result.status); failed (the run could not start or crashed,
   * or `abandoned`: the instance running it stopped; see error).
   */
  state: 'running' | 'completed' | 'failed';
  request: { product_ids: number[] | null; since: string | null };
  /** ISO 8601 UTC. */
  created_at: string;
  /** ISO 8601 UTC, or null while running. */
  finished_at: string | null;
  progress: SyncJobProgress | null;
  /** The run's outcome once completed (the sync_data answer). */
  result: SyncDataResult | null;
  /** Why the job failed, or null. */
  error: SyncJobError | null;
  /** Relative URL of this job. @example "/api/sync/sync-3f2a9c1e-7d4b-4c8e-9a6f-1b2c3d4e5f60" */
  href: string;
}

/** Recent sync runs of the mirror, by any process (worker, MCP, CLI, REST), newest first. */
export interface SyncHistoryResponse {
  runs: SyncEvent[];
  /** Runs listed. */
  count: number;
  /** Finished run counts of the last 24 h, and the circuit breaker. */
  last_24h: {
    completed: number;
    partial: number;
    failed: number;
    interrupted: number;
    success_rate: number | null;
  };
  data_as_of: string | null;
}
