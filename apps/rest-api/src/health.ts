import type { Clock } from '@testio-mcp/domain';
import type { AppDatabase, DatabaseEngine } from '@testio-mcp/composition';
import type { SyncEngine } from '@testio-mcp/sync';
import type { HealthResponse } from './dto/health.js';

/** What `/health` and the scrape-time gauges know about the mirror and its sync. */
export interface HealthSnapshot {
  readonly database: {
    /** Which engine this instance reads (ADR 0034); never its location or credentials. */
    readonly engine: DatabaseEngine;
    readonly reachable: boolean;
    readonly error: string | null;
  };
  /** null when the sync state could not be read (the database is unreachable). */
  readonly sync: {
    readonly running: boolean;
    readonly lease_holder: string | null;
    readonly lease_expires_at: string | null;
    readonly last_run_status: string | null;
    readonly last_run_finished_at: string | null;
    readonly last_run_duration_seconds: number | null;
    readonly last_success_at: string | null;
    readonly last_success_age_seconds: number | null;
    readonly circuit_breaker_open: boolean;
  } | null;
}

export type HealthProbe = () => Promise<HealthSnapshot>;

/** The production probe: one `SELECT 1` on the mirror, then the sync engine's status. */
export function createHealthProbe(deps: {
  database: Pick<AppDatabase, 'ping' | 'engine'>;
  engine: Pick<SyncEngine, 'status'>;
  clock: Clock;
}): HealthProbe {
  const { engine } = deps.database;
  const name = engine === 'sqlite' ? 'The SQLite mirror' : 'The PostgreSQL database';
  return async () => {
    try {
      await deps.database.ping();
    } catch {
      return {
        database: { engine, reachable: false, error: `${name} does not answer queries` },
        sync: null,
      };
    }
    try {
      const status = await deps.engine.status({ runs: 20 });
      const now = deps.clock.now().getTime();
      const finished = status.runs.filter((r) => r.status !== 'running' && r.finishedAt !== null);
      const last = finished[0];
      const success = finished.find((r) => r.status === 'success' || r.status === 'partial_failure');
      return {
        database: { engine, reachable: true, error: null },
        sync: {
          running: status.running,
          lease_holder: status.running ? (status.lease?.holder ?? null) : null,
          lease_expires_at: status.running ? (status.lease?.expiresAt.toISOString() ?? null) : null,
          last_run_status: last?.status ?? null,
          last_run_finished_at: last?.finishedAt?.toISOString() ?? null,
          last_run_duration_seconds:
            last?.durationMs === null || last?.durationMs === undefined ? null : last.durationMs / 1000,
          last_success_at: success?.finishedAt?.toISOString() ?? null,
          last_success_age_seconds: success?.finishedAt
            ? Math.max(0, Math.round((now - success.finishedAt.getTime()) / 1000))
            : null,
          circuit_breaker_open: status.breaker.open,
        },
      };
    } catch {
      return {
        database: { engine, reachable: false, error: 'The sync state could not be read from the mirror' },
        sync: null,
      };
    }
  };
}

export interface HealthPolicy {
  /** A mirror whose last successful sync is older than this is `degraded` (still 200). */
  readonly staleAfterSeconds: number;
  readonly version: string;
  readonly startedAt: Date;
  readonly demo: boolean;
}

/**
 * `unhealthy` (503) when the database does not answer; `degraded` (200) when it answers but was never
 * synced, the last success is older than the policy allows, or the circuit breaker has paused syncing;
 * `ok` otherwise.
 */
export function evaluateHealth(snapshot: HealthSnapshot, policy: HealthPolicy, now: Date): HealthResponse {
  const problems: string[] = [];
  let status: HealthResponse['status'] = 'ok';
  if (!snapshot.database.reachable) {
    status = 'unhealthy';
    problems.push(snapshot.database.error ?? 'The database is unreachable');
  } else if (snapshot.sync) {
    if (snapshot.sync.last_success_age_seconds === null)
      problems.push('The mirror has never been synced successfully');
    else if (snapshot.sync.last_success_age_seconds > policy.staleAfterSeconds) {
      problems.push(
        `The last successful sync is ${snapshot.sync.last_success_age_seconds} s old (limit ${policy.staleAfterSeconds} s)`,
      );
    }
    if (snapshot.sync.circuit_breaker_open)
      problems.push('Automatic syncs are paused by the circuit breaker after repeated failures');
    if (problems.length > 0) status = 'degraded';
  }
  return {
    status,
    version: policy.version,
    demo: policy.demo,
    uptime_seconds: Math.max(0, Math.round((now.getTime() - policy.startedAt.getTime()) / 1000)),
    database: { engine: snapshot.database.engine, reachable: snapshot.database.reachable },
    sync: snapshot.sync
      ? {
          running: snapshot.sync.running,
          lease_holder: snapshot.sync.lease_holder,
          lease_expires_at: snapshot.sync.lease_expires_at,
          last_run_status: snapshot.sync.last_run_status,
          last_run_finished_at: snapshot.sync.last_run_finished_at,
          last_success_at: snapshot.sync.last_success_at,
          last_sync_age_seconds: snapshot.sync.last_success_age_seconds,
          circuit_breaker_open: snapshot.sync.circuit_breaker_open,
        }
      : null,
    problems,
  };
}
