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

export const MCP_TASK_STATUSES = ['working', 'input_required', 'completed', 'failed', 'cancelled'] as const;
export type McpTaskStatus = (typeof MCP_TASK_STATUSES)[number];

/**
 * A stored MCP task (ADR 0033/0037, shared by ADR 0035). `result`, `error`, `inputRequests` and `answers`
 * are the protocol's JSON, stored as they are.
 */
export interface McpTaskRecord {
  readonly id: string;
  /** Who created it (`<tenant>/<principal>`, or `local`); only it reads the task. */
  readonly owner: string;
  /** The instance running the work (a random id per process). */
  readonly holder: string;
  readonly status: McpTaskStatus;
  readonly statusMessage: string | null;
  readonly ttlMs: number | null;
  readonly pollIntervalMs: number | null;
  /** The tool call's answer, once the work gave one. */
  readonly result: unknown;
  /** `{ code, message }` when the task failed without an answer (the work crashed, or was abandoned). */
  readonly error: unknown;
  /** The questions an `input_required` task waits on. */
  readonly inputRequests: unknown;
  readonly createdAt: Date;
  readonly lastUpdatedAt: Date;
  /** Refreshed by the holder while the task is unfinished; a quiet heartbeat means the holder is gone. */
  readonly heartbeatAt: Date;
  /** A finished task is deleted after this. */
  readonly expiresAt: Date;
}

/** What another instance asked of one of the holder's unfinished tasks. */
export interface McpTaskControl {
  readonly id: string;
  readonly cancelRequested: boolean;
  /** Every answer given through `tasks/update` on any instance so far, by question key, or null. */
  readonly answers: Record<string, unknown> | null;
}

export interface McpTaskStore {
  /**
   * Inserts or replaces the task as its holder sees it (every field of the record; a cancel request and
   * the answers other instances stored are kept).
   */
  put(task: McpTaskRecord): Promise<void>;
  /** The owner's task, or undefined (another owner's id reads as unknown). */
  get(owner: string, id: string): Promise<McpTaskRecord | undefined>;
  /** The owner's tasks, oldest first. */
  list(owner: string): Promise<McpTaskRecord[]>;
  /**
   * Refreshes the heartbeat of every unfinished task of `holder`, and answers those of them with a cancel
   * request or answers waiting (one statement: the holder's poll costs one round trip).
   */
  beat(holder: string, at: Date): Promise<McpTaskControl[]>;
  /** Asks the holder to cancel the owner's unfinished task; false when there is no such task. */
  requestCancel(owner: string, id: string): Promise<boolean>;
  /** Merges answers into the owner's `input_required` task for its holder to find; false when none. */
  addAnswers(owner: string, id: string, answers: Record<string, unknown>): Promise<boolean>;
  /**
   * Ends the task as failed with `error` and `message` if it is unfinished and its heartbeat is older
   * than `quietSince`; true when it did. Only one of several readers wins.
   */
  abandon(id: string, quietSince: Date, error: unknown, message: string, at: Date): Promise<boolean>;
  /**
   * Deletes finished tasks whose `expiresAt` passed before `before`, and unfinished ones whose
   * heartbeat stopped before `staleBefore` (their holder is long gone); the number deleted.
   */
  prune(before: Date, staleBefore: Date): Promise<number>;
}
