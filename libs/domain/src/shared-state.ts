/**
 * What must agree between serving instances on one database (ADR 0035): the jobs of `POST /api/sync`,
 * the rate-limit windows and the keys every instance shares. One port each, with a SQLite and a
 * PostgreSQL implementation in libs/persistence; all asynchronous, as PostgreSQL is.
 */

export const SYNC_JOB_STATES = ['running', 'completed', 'failed'] as const;
export type SyncJobState = (typeof SYNC_JOB_STATES)[number];

/** A stored sync job. `request`, `progress`, `result` and `error` are the API's JSON, stored as they are. */
export interface SyncJobRecord {
  readonly id: string;
  /** The tenant slug of whoever started it; only that tenant reads it. */
  readonly tenant: string;
  readonly state: SyncJobState;
  readonly request: unknown;
  readonly progress: unknown;
  readonly result: unknown;
  readonly error: unknown;
  /** The instance running the job (a random id per process). */
  readonly holder: string;
  readonly createdAt: Date;
  /** Refreshed by the holder while the job runs; a quiet heartbeat means the holder is gone. */
  readonly heartbeatAt: Date;
  readonly finishedAt: Date | null;
}

export interface SyncJobStore {
  /** Inserts or replaces the job (its holder writes each change through this). */
  put(job: SyncJobRecord): Promise<void>;
  /** The tenant's job, or undefined (another tenant's id reads as unknown). */
  get(tenant: string, id: string): Promise<SyncJobRecord | undefined>;
  /** Refreshes the heartbeat of every running job of `holder`. */
  heartbeat(holder: string, at: Date): Promise<void>;
  /**
   * Ends the job as failed with `error` if it is still running and its heartbeat is older than
   * `quietSince`; true when it did. Only one of several readers wins.
   */
  abandon(id: string, quietSince: Date, error: unknown, at: Date): Promise<boolean>;
  /** Deletes the tenant's finished jobs beyond the newest `keep`; the number deleted. */
  prune(tenant: string, keep: number): Promise<number>;
}

/** One fixed window of a rate budget after a request was counted in it. */
export interface RateWindowHit {
  /** Requests counted in the window, this one included. */
  readonly points: number;
  readonly expiresAt: Date;
}

export interface RateWindowStore {
  /**
   * Counts one request under `key`: in its current window, or in a new one of `windowMs` when the
   * current one has expired (atomically, whichever instance counts).
   */
  hit(key: string, windowMs: number, now: Date): Promise<RateWindowHit>;
  /** Deletes windows expired before `before`; the number deleted. */
  prune(before: Date): Promise<number>;
}

export interface InstanceSecretStore {
  /**
   * The stored value of `name`; when there is none, stores `create()`'s value first. When two instances
   * create at once, both answer the value that was stored first.
   */
  getOrCreate(name: string, create: () => string, at: Date): Promise<string>;
}
