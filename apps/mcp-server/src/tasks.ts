import { randomBytes, randomUUID } from 'node:crypto';
import {
  formatThreePart,
  type Logger,
  type McpTaskRecord,
  type McpTaskStore,
  type Principal,
} from '@testio-mcp/domain';
import {
  isInputRequiredResult,
  ProtocolError,
  ProtocolErrorCode,
  RELATED_TASK_META_KEY,
  type CallToolResult,
  type InputRequiredResult,
  type Task,
  type TaskMetadata,
  type TaskStatus,
} from '@modelcontextprotocol/server';

/**
 * Tool calls run as MCP tasks (ADR 0033): a client that declares task support and sends `task` with a
 * `tools/call` of a long tool (sync_data, generate_quality_report) gets a task id at once; the call runs
 * in the background under the task's own abort signal, its progress messages become the task's
 * `statusMessage`, and `tasks/cancel` aborts it and answers once the work has stopped (a sync ends
 * `interrupted` and has released its lease by then).
 *
 * One registry per process, shared by every server it builds: over stateless HTTP each request gets a
 * new server, so a task created by one request is polled by the next. Tasks belong to their owner (the
 * principal and its tenant; `local` for stdio and an open server) and are invisible to anyone else,
 * whatever the session.
 *
 * With a store (`serve --transport http`, ADR 0035) every task is also a row of `mcp_tasks`, so the
 * task methods answer on any instance on the database: the work runs here (this registry is the task's
 * holder), and another instance reads the row, sets its cancel flag or adds answers, which the holder
 * finds with its heartbeat (one statement every `beatMs`). An unfinished task whose holder stopped
 * beating reads as failed (abandoned). Without a store (stdio, tests) tasks live in this process only.
 *
 * SDK 2.x keeps the 2025-11-25 task vocabulary (types, the capability) for the legacy era but no longer
 * answers `tasks/*` itself, so `registerTaskHandlers` (task-handlers.ts) does, with the 1.x SDK's
 * semantics (ADR 0037).
 *
 * The same registry serves the 2026-07-28 tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663):
 * a request that declares the extension in its `_meta` capabilities gets a `CreateTaskResult`
 * (`resultType: 'task'`) for a long tool, then `tasks/get` (the task with its `result` inlined once it
 * has one), `tasks/update` (answers to the task's `inputRequests`) and `tasks/cancel` (an empty
 * acknowledgement). `tasks/result` and `tasks/list` do not exist on that revision. A task whose work
 * asks the person something (a forced full resync) waits in `input_required` and runs again with the
 * answers once `tasks/update` brings them.
 */

/** The 2026-07-28 tasks extension's identifier (SEP-2663). */
export const TASKS_EXTENSION_ID = 'io.modelcontextprotocol/tasks';

/** How long a finished task and its result stay available when the client asks for nothing else. */
export const DEFAULT_TASK_TTL_MS = 60 * 60 * 1000;
/** The longest a client may ask a finished task to be kept. */
export const MAX_TASK_TTL_MS = 24 * 60 * 60 * 1000;
/** What clients are told to wait between two `tasks/get`. */
export const TASK_POLL_INTERVAL_MS = 1000;
/** At most this many of one owner's tasks run at once; more are refused (a sync holds the lease anyway). */
export const MAX_RUNNING_TASKS_PER_OWNER = 5;
/** `tasks/cancel` answers once the work stopped, or after this long whatever it is doing. */
export const CANCEL_WAIT_MS = 30_000;
/** How often a holder refreshes its tasks' heartbeat and looks for cancels and answers from elsewhere. */
export const TASK_BEAT_MS = 2_000;
/** An unfinished task whose heartbeat is older than this belongs to an instance that is gone. */
export const TASK_QUIET_MS = 30_000;
/** How often an instance deletes expired tasks from the store. */
const PRUNE_EVERY_MS = 10 * 60 * 1000;
const PAGE_SIZE = 50;

interface Entry {
  task: Task;
  readonly owner: string;
  result: CallToolResult | undefined;
  /** The work threw instead of answering (a bug): a JSON-RPC error, a `failed` task on 2026-07-28. */
  crashed: boolean;
  readonly work: TaskWorkFn;
  /** Questions the work is waiting on (`input_required`), by key, as the client is to see them. */
  inputRequests: InputRequiredResult['inputRequests'] | undefined;
  /** Every answer the client gave so far, by question key: the next run finds them. */
  readonly answers: Record<string, unknown>;
  readonly controller: AbortController;
  /** Settles when the work has stopped (finished, failed or aborted). */
  done: Promise<void>;
  cleanup: ReturnType<typeof setTimeout> | undefined;
  /** A change (a status message) the store has not seen yet; written with the next beat. */
  dirty: boolean;
  /** Cancelled here, work still stopping: the store shows `cancelled` only once it stopped. */
  stopping: boolean;
  /** The store writes of this task, chained so a late write never lands after a later one. */
  writes: Promise<void>;
}

/** A task as any instance can answer it: from the holder's memory, or from the store. */
interface Snapshot {
  readonly task: Task;
  readonly result: CallToolResult | undefined;
  /** Why the task failed without an answer: the work crashed, or its holder is gone. */
  readonly error: { readonly code: number; readonly message: string } | undefined;
  readonly inputRequests: InputRequiredResult['inputRequests'] | undefined;
}

/**
 * What a task's work gets: its abort signal, a way to publish a progress message on the task, and the
 * answers the client gave through `tasks/update` (2026-07-28) to the questions of earlier runs.
 */
export interface TaskWork {
  readonly signal: AbortSignal;
  setStatusMessage(message: string): void;
  readonly inputResponses: Readonly<Record<string, unknown>>;
}

/**
 * A task's work: the tool call's answer, or (2026-07-28) the questions it needs answered first. A work
 * that asks runs again from the start once the answers came, as a multi-round-trip retry does.
 */
export type TaskWorkFn = (run: TaskWork) => Promise<CallToolResult | InputRequiredResult>;

/** A task on the 2026-07-28 wire (SEP-2663): `ttlMs`/`pollIntervalMs`, the outcome inlined. */
export interface TaskV2 {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly statusMessage?: string;
  readonly createdAt: string;
  readonly lastUpdatedAt: string;
  readonly ttlMs: number | null;
  readonly pollIntervalMs?: number;
  readonly inputRequests?: InputRequiredResult['inputRequests'];
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly code: number; readonly message: string };
}

/** The owner key of a caller: tasks are visible to the principal that created them, in its tenant. */
export function taskOwner(principal: Principal | undefined): string {
  return principal ? `${principal.tenant}/${principal.id}` : 'local';
}

export interface ToolTasksOptions {
  readonly logger: Logger;
  readonly defaultTtlMs?: number;
  readonly maxTtlMs?: number;
  readonly pollIntervalMs?: number;
  readonly maxRunningPerOwner?: number;
  readonly cancelWaitMs?: number;
  /** Where tasks are shared with the other instances on the database (ADR 0035); none: this process only. */
  readonly store?: McpTaskStore | undefined;
  /** This instance's id as the holder of its tasks (default: a random one). */
  readonly holder?: string;
  readonly beatMs?: number;
  readonly quietMs?: number;
}

export class ToolTasks {
  private readonly entries = new Map<string, Entry>();
  private readonly logger: Logger;
  private readonly defaultTtlMs: number;
  private readonly maxTtlMs: number;
  private readonly pollIntervalMs: number;
  private readonly maxRunningPerOwner: number;
  private readonly cancelWaitMs: number;
  private readonly store: McpTaskStore | undefined;
  private readonly holder: string;
  private readonly beatMs: number;
  private readonly quietMs: number;
  private beatTimer: ReturnType<typeof setInterval> | undefined;
  private beating: Promise<void> = Promise.resolve();
  private lastPrune = 0;
  private closed = false;

  constructor(options: ToolTasksOptions) {
    this.logger = options.logger.child({ component: 'tasks' });
    this.defaultTtlMs = options.defaultTtlMs ?? DEFAULT_TASK_TTL_MS;
    this.maxTtlMs = options.maxTtlMs ?? MAX_TASK_TTL_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? TASK_POLL_INTERVAL_MS;
    this.maxRunningPerOwner = options.maxRunningPerOwner ?? MAX_RUNNING_TASKS_PER_OWNER;
    this.cancelWaitMs = options.cancelWaitMs ?? CANCEL_WAIT_MS;
    this.store = options.store;
    this.holder = options.holder ?? `instance-${randomUUID()}`;
    this.beatMs = options.beatMs ?? TASK_BEAT_MS;
    this.quietMs = options.quietMs ?? TASK_QUIET_MS;
  }

  /**
   * Creates a task for `owner` and runs `work` in the background. The result becomes the task's: a
   * result with `isError` fails the task (MCP 2025-11-25: a tool error is a failed task), and
   * `tasks/result` answers it either way. With a store, the task is stored before its work starts: a
   * task no other instance could find must not run.
   */
  async start(owner: string, params: TaskMetadata, work: TaskWorkFn): Promise<Task> {
    if (this.closed) {
      throw new ProtocolError(
        ProtocolErrorCode.InternalError,
        'The server is stopping and starts no new task. Call the tool again once it is back',
      );
    }
    const running = [...this.entries.values()].filter(
      (e) => e.owner === owner && !isTerminal(e.task.status),
    ).length;
    if (running >= this.maxRunningPerOwner) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidRequest,
        `❌ Too many tasks running: ${running} of yours are still working\nℹ️ This server runs at most ${this.maxRunningPerOwner} tasks per caller at once\n💡 Wait for one to finish (tasks/get) or cancel one (tasks/cancel), then call again`,
      );
    }
    const now = new Date().toISOString();
    const requested = params.ttl;
    const ttl =
      requested === undefined || requested === null ? this.defaultTtlMs : Math.min(requested, this.maxTtlMs);
    const task: Task = {
      taskId: randomBytes(16).toString('hex'),
      status: 'working',
      ttl,
      createdAt: now,
      lastUpdatedAt: now,
      pollInterval: this.pollIntervalMs,
    };
    const controller = new AbortController();
    const entry: Entry = {
      task,
      owner,
      result: undefined,
      crashed: false,
      work,
      inputRequests: undefined,
      answers: {},
      controller,
      done: Promise.resolve(),
      cleanup: undefined,
      dirty: false,
      stopping: false,
      writes: Promise.resolve(),
    };
    if (this.store) {
      try {
        await this.store.put(this.record(entry));
      } catch (error) {
        this.logger.error({ err: error }, 'task could not be stored');
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          formatThreePart(
            'The task could not be started',
            'The server could not record it in its database, where every instance finds it',
            'Call the tool again in a moment; if it keeps failing, see the server log',
          ),
        );
      }
      this.startBeating();
    }
    this.entries.set(task.taskId, entry);
    this.launch(entry);
    this.logger.info({ taskId: task.taskId, owner, ttl }, 'task started');
    return { ...task };
  }

  /** Runs (or, after answers came, runs again) the entry's work in the background. */
  private launch(entry: Entry): void {
    const run: TaskWork = {
      signal: entry.controller.signal,
      setStatusMessage: (message) => {
        if (isTerminal(entry.task.status)) return;
        entry.task = {
          ...entry.task,
          statusMessage: message.slice(0, 500),
          lastUpdatedAt: new Date().toISOString(),
        };
        // Stored with the next beat, not per message: a sync reports many.
        entry.dirty = true;
      },
      inputResponses: { ...entry.answers },
    };
    entry.done = Promise.resolve()
      .then(() => entry.work(run))
      .then(
        (result) => (isInputRequiredResult(result) ? this.ask(entry, result) : this.finish(entry, result)),
        (error: unknown) => {
          // The tool wrapper turns every failure into a result; reaching here is a bug.
          this.logger.error({ err: error, taskId: entry.task.taskId }, 'task work threw');
          entry.crashed = true;
          this.finish(entry, {
            isError: true,
            content: [{ type: 'text', text: CRASHED_TEXT }],
          });
        },
      );
  }

  /** The work needs answers first: the task waits in `input_required` with the questions. */
  private ask(entry: Entry, result: InputRequiredResult): void {
    if (isTerminal(entry.task.status)) return;
    entry.inputRequests = result.inputRequests;
    entry.task = {
      ...entry.task,
      status: 'input_required',
      statusMessage: 'Waiting for your answer',
      lastUpdatedAt: new Date().toISOString(),
    };
    this.logger.info({ taskId: entry.task.taskId }, 'task waits for input');
    void this.persist(entry);
    // Unanswered, it is given up when its ttl ends, and forgotten a minute later.
    clearTimeout(entry.cleanup);
    const expiresAt = Date.parse(entry.task.createdAt) + (entry.task.ttl ?? this.defaultTtlMs);
    entry.cleanup = setTimeout(
      () => {
        if (entry.task.status !== 'input_required') return;
        void this.cancel(entry, 'No answer came within the task’s ttl').then(() => {
          entry.cleanup = setTimeout(() => this.entries.delete(entry.task.taskId), 60_000);
          entry.cleanup.unref();
        });
      },
      Math.max(expiresAt - Date.now(), 60_000),
    );
    entry.cleanup.unref();
  }

  /**
   * `tasks/update` (2026-07-28): answers to the task's outstanding questions. Answers to keys that are
   * not outstanding are ignored (SEP-2663); once every question has its answer the work runs again.
   */
  update(owner: string, taskId: string, inputResponses: Record<string, unknown>): void {
    const entry = this.found(owner, taskId);
    const outstanding = entry.inputRequests;
    if (entry.task.status !== 'input_required' || !outstanding) return;
    const given = Object.keys(inputResponses).filter(
      (key) => Object.hasOwn(outstanding, key) && !Object.hasOwn(entry.answers, key),
    );
    for (const key of given) entry.answers[key] = inputResponses[key];
    if (Object.keys(outstanding).some((key) => !Object.hasOwn(entry.answers, key))) return;
    entry.inputRequests = undefined;
    clearTimeout(entry.cleanup);
    entry.task = { ...entry.task, status: 'working', lastUpdatedAt: new Date().toISOString() };
    delete (entry.task as { statusMessage?: string }).statusMessage;
    this.logger.info({ taskId, answered: given.length }, 'task resumes with the answers');
    void this.persist(entry);
    this.launch(entry);
  }

  private finish(entry: Entry, result: CallToolResult): void {
    entry.result = result;
    if (!isTerminal(entry.task.status)) {
      const failed = result.isError === true;
      const first = result.content[0];
      entry.task = {
        ...entry.task,
        status: failed ? 'failed' : 'completed',
        lastUpdatedAt: new Date().toISOString(),
        ...(failed && first?.type === 'text'
          ? { statusMessage: first.text.split('\n')[0]?.slice(0, 500) }
          : {}),
      };
      if (!failed) delete (entry.task as { statusMessage?: string }).statusMessage;
    }
    this.logger.info({ taskId: entry.task.taskId, status: entry.task.status }, 'task finished');
    void this.persist(entry);
    // Kept `ttl` from its creation, and never less than a minute after it finished.
    const expiresAt = Math.max(
      Date.parse(entry.task.createdAt) + (entry.task.ttl ?? this.defaultTtlMs),
      Date.now() + 60_000,
    );
    entry.cleanup = setTimeout(() => this.entries.delete(entry.task.taskId), expiresAt - Date.now());
    entry.cleanup.unref();
  }

  /** Aborts the task and waits (at most `cancelWaitMs`) for its work to stop. */
  private async cancel(entry: Entry, message: string): Promise<void> {
    entry.stopping = true;
    entry.task = {
      ...entry.task,
      status: 'cancelled',
      statusMessage: message,
      lastUpdatedAt: new Date().toISOString(),
    };
    this.logger.info({ taskId: entry.task.taskId, reason: message }, 'task cancel requested');
    entry.controller.abort(new Error(message));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = await Promise.race([
      entry.done.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), this.cancelWaitMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    if (!waited) this.logger.warn({ taskId: entry.task.taskId }, 'cancelled task still stopping');
    else this.logger.info({ taskId: entry.task.taskId }, 'task cancelled');
    entry.stopping = false;
    await this.persist(entry);
  }

  /** One owner's task here, or undefined when it does not exist or belongs to someone else. */
  private lookup(owner: string, taskId: string): Entry | undefined {
    const entry = this.entries.get(taskId);
    return entry?.owner === owner ? entry : undefined;
  }

  /** This instance's task as it stands (the 2025-11-25 `tasks/get` of a task held here). */
  get(owner: string, taskId: string): Task {
    return { ...this.found(owner, taskId).task };
  }

  /** This instance's task on the 2026-07-28 wire (`getV2Shared` answers for any instance). */
  getV2(owner: string, taskId: string): TaskV2 {
    return viewV2(snapshotOf(this.found(owner, taskId)));
  }

  /** `tasks/get` (2025-11-25): the task as it stands, held here or by another instance. */
  async getShared(owner: string, taskId: string): Promise<Task> {
    return { ...(await this.snapshot(owner, taskId)).task };
  }

  /**
   * `tasks/get` on 2026-07-28: the task with its outcome inlined. A tool's answer, an error result
   * included, is a `completed` task with that `result` (SEP-2663: `failed` is for JSON-RPC errors
   * only, here the work crashing or its instance gone).
   */
  async getV2Shared(owner: string, taskId: string): Promise<TaskV2> {
    return viewV2(await this.snapshot(owner, taskId));
  }

  /**
   * `tasks/update` (2026-07-28) on any instance: answered here for a task held here; for another
   * instance's task the answers are stored and its holder picks them up with its next beat.
   */
  async updateShared(owner: string, taskId: string, inputResponses: Record<string, unknown>): Promise<void> {
    if (this.lookup(owner, taskId) || !this.store) {
      this.update(owner, taskId, inputResponses);
      return;
    }
    const snap = await this.snapshot(owner, taskId);
    if (snap.task.status !== 'input_required') return;
    await this.store.addAnswers(owner, taskId, inputResponses);
  }

  /**
   * `tasks/cancel` on 2026-07-28: aborts a working (or waiting) task and acknowledges once its work
   * stopped; a finished task is acknowledged as it is (cancellation is cooperative, SEP-2663).
   */
  async cancelV2(owner: string, taskId: string): Promise<void> {
    const entry = this.lookup(owner, taskId);
    if (entry || !this.store) {
      const found = entry ?? this.found(owner, taskId);
      if (!isTerminal(found.task.status)) await this.cancel(found, 'Cancelled by the client');
      return;
    }
    const snap = await this.snapshot(owner, taskId);
    if (!isTerminal(snap.task.status)) await this.cancelElsewhere(owner, snap.task);
  }

  /**
   * `tasks/result`: waits (as long as the request lives) for the task to end, then answers its result
   * with the related-task `_meta` (MCP 2025-11-25). Another instance's task is polled in the store.
   */
  async result(owner: string, taskId: string, signal: AbortSignal): Promise<CallToolResult> {
    const entry = this.lookup(owner, taskId);
    let snap: Snapshot;
    if (entry || !this.store) {
      const found = entry ?? this.found(owner, taskId);
      if (!isTerminal(found.task.status)) {
        await Promise.race([found.done, aborted(signal)]);
      }
      snap = snapshotOf(found);
    } else {
      snap = await this.snapshot(owner, taskId);
      while (!isTerminal(snap.task.status) && !signal.aborted) {
        await Promise.race([sleep(this.pollIntervalMs), aborted(signal)]);
        snap = await this.snapshot(owner, taskId);
      }
    }
    const result: CallToolResult = snap.result ?? {
      isError: true,
      content: [
        {
          type: 'text',
          // Abandoned with its instance, or cancelled before its work answered.
          text:
            snap.error?.message ??
            '❌ The task was cancelled\nℹ️ It was cancelled before it produced a result\n💡 Call the tool again to run it anew',
        },
      ],
    };
    return { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId } } };
  }

  /**
   * `tasks/list`: the owner's tasks on every instance, a page at a time (the cursor is the last task id
   * of a page).
   */
  async list(owner: string, cursor: string | undefined): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const here = [...this.entries.values()].filter((e) => e.owner === owner);
    let mine: Task[];
    if (this.store) {
      // The store has every instance's; this instance's own are fresher in its memory.
      const fresh = new Map(here.map((e) => [e.task.taskId, e.task]));
      mine = (await this.store.list(owner)).map((row) => ({ ...(fresh.get(row.id) ?? taskOf(row)) }));
    } else {
      mine = here.map((e) => ({ ...e.task }));
    }
    const start = cursor ? mine.findIndex((t) => t.taskId === cursor) + 1 : 0;
    if (cursor && start === 0) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Failed to list tasks: unknown cursor ${cursor.slice(0, 100)}`,
      );
    }
    const page = mine.slice(start, start + PAGE_SIZE);
    const next = start + PAGE_SIZE < mine.length ? page.at(-1)?.taskId : undefined;
    return { tasks: page, ...(next ? { nextCursor: next } : {}) };
  }

  /** `tasks/cancel`: aborts a working task and answers once its work stopped; a finished one is refused. */
  async cancelTask(owner: string, taskId: string): Promise<Task> {
    const entry = this.lookup(owner, taskId) ?? (this.store ? undefined : this.found(owner, taskId));
    const status = entry ? entry.task.status : (await this.snapshot(owner, taskId)).task.status;
    if (isTerminal(status)) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Cannot cancel task in terminal status: ${status}`,
      );
    }
    if (entry) {
      await this.cancel(entry, 'Cancelled by the client');
      return { ...entry.task };
    }
    return this.cancelElsewhere(owner, (await this.snapshot(owner, taskId)).task);
  }

  /**
   * Cancels a task another instance holds: sets its cancel flag, which the holder reads with its next
   * beat, and waits (at most a beat plus `cancelWaitMs`) until the store shows the task ended.
   */
  private async cancelElsewhere(owner: string, task: Task): Promise<Task> {
    const store = this.store as McpTaskStore;
    this.logger.info({ taskId: task.taskId }, 'task cancel requested of its holder');
    await store.requestCancel(owner, task.taskId);
    const deadline = Date.now() + this.beatMs + this.cancelWaitMs;
    let snap = await this.snapshot(owner, task.taskId);
    while (!isTerminal(snap.task.status) && Date.now() < deadline) {
      await sleep(Math.min(250, this.beatMs));
      snap = await this.snapshot(owner, task.taskId);
    }
    if (!isTerminal(snap.task.status)) {
      this.logger.warn({ taskId: task.taskId }, 'cancelled task still stopping on its holder');
      return { ...snap.task, status: 'cancelled', statusMessage: 'Cancelled by the client' };
    }
    return { ...snap.task };
  }

  private found(owner: string, taskId: string): Entry {
    const entry = this.lookup(owner, taskId);
    if (!entry) throw taskNotFound(taskId);
    return entry;
  }

  /**
   * The owner's task wherever it runs: from memory when held here, otherwise from the store. An
   * unfinished task whose holder stopped beating is ended as failed first (one reader wins).
   */
  private async snapshot(owner: string, taskId: string): Promise<Snapshot> {
    const entry = this.lookup(owner, taskId);
    if (entry || !this.store) return snapshotOf(entry ?? this.found(owner, taskId));
    let row = await this.store.get(owner, taskId);
    if (!row) throw taskNotFound(taskId);
    const now = new Date();
    const quietSince = new Date(now.getTime() - this.quietMs);
    if (!isTerminal(row.status) && row.heartbeatAt < quietSince) {
      const text = abandonedText(this.quietMs);
      const error = { code: ProtocolErrorCode.InternalError, message: text };
      if (await this.store.abandon(taskId, quietSince, error, text.split('\n')[0] ?? text, now)) {
        this.logger.warn({ taskId, holder: row.holder }, 'task abandoned: its instance stopped beating');
      }
      row = (await this.store.get(owner, taskId)) ?? row;
    }
    return {
      task: taskOf(row),
      result: (row.result ?? undefined) as CallToolResult | undefined,
      error: (row.error ?? undefined) as Snapshot['error'],
      inputRequests: (row.inputRequests ?? undefined) as Snapshot['inputRequests'],
    };
  }

  /** The store's row of a task held here, as it stands. */
  private record(entry: Entry): McpTaskRecord {
    const { task } = entry;
    const now = Date.now();
    const created = Date.parse(task.createdAt);
    const ttl = task.ttl ?? this.defaultTtlMs;
    // Terminal: kept `ttl` from its creation, and never less than a minute after it finished (as here).
    const expiresAt = isTerminal(task.status) ? Math.max(created + ttl, now + 60_000) : created + ttl;
    // A cancelled task whose work is still stopping is stored as it was: `cancelled` once it stopped.
    const status = entry.stopping && task.status === 'cancelled' ? 'working' : task.status;
    const snap = snapshotOf(entry);
    return {
      id: task.taskId,
      owner: entry.owner,
      holder: this.holder,
      status,
      statusMessage: task.statusMessage ?? null,
      ttlMs: task.ttl ?? null,
      pollIntervalMs: task.pollInterval ?? null,
      result: entry.result ?? null,
      error: snap.error ?? null,
      inputRequests: status === 'input_required' ? (entry.inputRequests ?? null) : null,
      createdAt: new Date(created),
      lastUpdatedAt: new Date(task.lastUpdatedAt),
      heartbeatAt: new Date(now),
      expiresAt: new Date(expiresAt),
    };
  }

  /** Writes the task's row after the writes before it; a failed write is logged, the next one retries. */
  private persist(entry: Entry): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    entry.dirty = false;
    entry.writes = entry.writes
      .then(() => store.put(this.record(entry)))
      .catch((error: unknown) => {
        entry.dirty = true;
        this.logger.warn({ err: error, taskId: entry.task.taskId }, 'task could not be stored');
      });
    return entry.writes;
  }

  private startBeating(): void {
    if (this.beatTimer) return;
    this.beatTimer = setInterval(() => {
      // One beat at a time: a slow database must not stack them up.
      this.beating = this.beating.then(() => this.beat());
    }, this.beatMs);
    this.beatTimer.unref();
  }

  /**
   * One beat of the holder: store status messages, refresh the heartbeat of its unfinished tasks and
   * act on what other instances asked of them (cancel, answers); now and then, prune expired tasks.
   */
  private async beat(): Promise<void> {
    const store = this.store;
    if (!store || this.closed) return;
    const now = new Date();
    try {
      const unfinished = [...this.entries.values()].filter((e) => !isTerminal(e.task.status));
      for (const entry of unfinished) if (entry.dirty && !entry.stopping) void this.persist(entry);
      if (unfinished.length > 0) {
        for (const control of await store.beat(this.holder, now)) {
          const entry = this.entries.get(control.id);
          if (!entry || isTerminal(entry.task.status)) continue;
          if (control.cancelRequested) {
            this.logger.info({ taskId: control.id }, 'task cancel requested on another instance');
            void this.cancel(entry, 'Cancelled by the client');
          } else if (control.answers) {
            this.update(entry.owner, control.id, control.answers);
          }
        }
      }
      if (now.getTime() - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = now.getTime();
        const pruned = await store.prune(now, new Date(now.getTime() - this.maxTtlMs));
        if (pruned > 0) this.logger.info({ pruned }, 'expired tasks deleted');
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'task heartbeat failed; trying again with the next beat');
    }
  }

  /** Running tasks of every owner (diagnostics, tests). */
  runningCount(): number {
    return [...this.entries.values()].filter((e) => !isTerminal(e.task.status)).length;
  }

  /** Stops every running task (a sync ends `interrupted` and releases its lease) and waits for them. */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.entries.values()].filter((e) => !isTerminal(e.task.status));
    await Promise.all(running.map((e) => this.cancel(e, 'The server stopped')));
    clearInterval(this.beatTimer);
    await this.beating;
    await Promise.all([...this.entries.values()].map((e) => e.writes));
    for (const entry of this.entries.values()) clearTimeout(entry.cleanup);
  }
}

/** What a task held in this process shows. */
function snapshotOf(entry: Entry): Snapshot {
  return {
    task: entry.task,
    result: entry.result,
    error: entry.crashed ? { code: ProtocolErrorCode.InternalError, message: CRASHED_TEXT } : undefined,
    inputRequests: entry.inputRequests,
  };
}

/** A stored task in the 2025-11-25 shape. */
function taskOf(row: McpTaskRecord): Task {
  return {
    taskId: row.id,
    status: row.status,
    ...(row.statusMessage === null ? {} : { statusMessage: row.statusMessage }),
    ttl: row.ttlMs,
    createdAt: row.createdAt.toISOString(),
    lastUpdatedAt: row.lastUpdatedAt.toISOString(),
    ...(row.pollIntervalMs === null ? {} : { pollInterval: row.pollIntervalMs }),
  };
}

/** A task on the 2026-07-28 wire, its outcome inlined. */
function viewV2(snap: Snapshot): TaskV2 {
  const { status } = snap.task;
  const base = toTaskV2(snap.task);
  if (status === 'input_required') return { ...base, status, inputRequests: snap.inputRequests ?? {} };
  if (status === 'failed' && snap.error) return { ...base, status: 'failed', error: snap.error };
  if ((status === 'completed' || status === 'failed') && snap.result) {
    const { _meta, ...result } = snap.result;
    return {
      ...base,
      status: 'completed',
      result: { ...result, ...(_meta ? { _meta } : {}), resultType: 'complete' },
    };
  }
  return { ...base, status };
}

function taskNotFound(taskId: string): ProtocolError {
  return new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    formatThreePart(
      `Task not found: ${taskId.slice(0, 100)}`,
      'This server has no task by that id for you: it never existed, belongs to another caller, or ended longer ago than its ttl (a restart forgets every task)',
      'Call the tool again to start a new task',
    ),
  );
}

function abandonedText(quietMs: number): string {
  return formatThreePart(
    'The task was abandoned',
    `The server instance running it stopped answering (no heartbeat for ${Math.round(quietMs / 1000)} s): it was stopped or crashed`,
    'Call the tool again to run it anew',
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const aborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/** A task's 2026-07-28 shape without its outcome (the seed of a `CreateTaskResult`). */
export function toTaskV2(task: Task): TaskV2 {
  const { ttl, pollInterval, ...rest } = task;
  return {
    ...rest,
    ttlMs: ttl ?? null,
    ...(pollInterval === undefined ? {} : { pollIntervalMs: pollInterval }),
  };
}

const CRASHED_TEXT =
  '❌ The task failed unexpectedly\nℹ️ The server hit an internal error while running it\n💡 Call the tool again; if it keeps failing, see the server log';

function isTerminal(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
