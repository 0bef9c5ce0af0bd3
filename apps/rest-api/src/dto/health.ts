/** The mirror's sync state as `/health` reports it. */
export interface HealthSync {
  /** A process holds the sync lease right now. */
  running: boolean;
  /**
   * Who holds the lease (`role:pid@host`), or null.
   * @example "sync-worker:4242@build-host"
   */
  lease_holder: string | null;
  lease_expires_at: string | null;
  /** success, partial_failure, failure or interrupted; null before the first run. */
  last_run_status: string | null;
  last_run_finished_at: string | null;
  /** End of the newest run with status success or partial_failure (ISO 8601 UTC), or null. */
  last_success_at: string | null;
  /**
   * Seconds since that run, or null when the mirror was never synced.
   * @example 120
   */
  last_sync_age_seconds: number | null;
  circuit_breaker_open: boolean;
}

/** Liveness and readiness of the REST API and the mirror behind it. */
export interface HealthResponse {
  /**
   * ok; degraded (answers, but the data is stale or syncing is paused; still HTTP 200); unhealthy
   * (the database does not answer; HTTP 503).
   * @example "ok"
   */
  status: 'ok' | 'degraded' | 'unhealthy';
  /** @example "0.1.0" */
  version: string;
  /** Serving the embedded sandbox (simulated data). */
  demo: boolean;
  uptime_seconds: number;
  /**
   * The database engine this instance reads (`sqlite` or `postgresql`), and whether it answers. Never
   * its location or credentials.
   */
  database: { engine: 'sqlite' | 'postgresql'; reachable: boolean };
  /** null when the database is unreachable. */
  sync: HealthSync | null;
  /** Why the status is not ok; empty when it is. */
  problems: string[];
}
