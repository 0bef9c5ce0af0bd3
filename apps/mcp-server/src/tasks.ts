import { randomBytes } from 'node:crypto';
import type { Logger, Principal } from '@testio-mcp/domain';
import {
  ProtocolError,
  ProtocolErrorCode,
  RELATED_TASK_META_KEY,
  type CallToolResult,
  type Server,
  type Task,
  type TaskMetadata,
  type TaskStatus,
} from '@modelcontextprotocol/server';
import { z } from 'zod';

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
 * SDK 2.x keeps the 2025-11-25 task vocabulary (types, the capability) for the legacy era but no longer
 * answers `tasks/*` itself, so `registerTaskHandlers` does, with the 1.x SDK's semantics (ADR 0037).
 * The 2026-07-28 tasks extension (`io.modelcontextprotocol/tasks`) is not served yet: a 2026 client
 * gets the plain call with progress notifications.
 */

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
const PAGE_SIZE = 50;

interface Entry {
  task: Task;
  readonly owner: string;
  result: CallToolResult | undefined;
  readonly controller: AbortController;
  /** Settles when the work has stopped (finished, failed or aborted). */
  done: Promise<void>;
  cleanup: ReturnType<typeof setTimeout> | undefined;
}

/** What a task's work gets: its abort signal and a way to publish a progress message on the task. */
export interface TaskWork {
  readonly signal: AbortSignal;
  setStatusMessage(message: string): void;
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
}

export class ToolTasks {
  private readonly entries = new Map<string, Entry>();
  private readonly logger: Logger;
  private readonly defaultTtlMs: number;
  private readonly maxTtlMs: number;
  private readonly pollIntervalMs: number;
  private readonly maxRunningPerOwner: number;
  private readonly cancelWaitMs: number;
  private closed = false;

  constructor(options: ToolTasksOptions) {
    this.logger = options.logger.child({ component: 'tasks' });
    this.defaultTtlMs = options.defaultTtlMs ?? DEFAULT_TASK_TTL_MS;
    this.maxTtlMs = options.maxTtlMs ?? MAX_TASK_TTL_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? TASK_POLL_INTERVAL_MS;
    this.maxRunningPerOwner = options.maxRunningPerOwner ?? MAX_RUNNING_TASKS_PER_OWNER;
    this.cancelWaitMs = options.cancelWaitMs ?? CANCEL_WAIT_MS;
  }

  /**
   * Creates a task for `owner` and runs `work` in the background. The result becomes the task's: a
   * result with `isError` fails the task (MCP 2025-11-25: a tool error is a failed task), and
   * `tasks/result` answers it either way.
   */
  start(owner: string, params: TaskMetadata, work: (run: TaskWork) => Promise<CallToolResult>): Task {
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
      controller,
      done: Promise.resolve(),
      cleanup: undefined,
    };
    this.entries.set(task.taskId, entry);
    const run: TaskWork = {
      signal: controller.signal,
      setStatusMessage: (message) => {
        if (isTerminal(entry.task.status)) return;
        entry.task = {
          ...entry.task,
          statusMessage: message.slice(0, 500),
          lastUpdatedAt: new Date().toISOString(),
        };
      },
    };
    entry.done = Promise.resolve()
      .then(() => work(run))
      .then(
        (result) => this.finish(entry, result),
        (error: unknown) => {
          // The tool wrapper turns every failure into a result; reaching here is a bug.
          this.logger.error({ err: error, taskId: task.taskId }, 'task work threw');
          this.finish(entry, {
            isError: true,
            content: [
              {
                type: 'text',
                text: '❌ The task failed unexpectedly\nℹ️ The server hit an internal error while running it\n💡 Call the tool again; if it keeps failing, see the server log',
              },
            ],
          });
        },
      );
    this.logger.info({ taskId: task.taskId, owner, ttl }, 'task started');
    return { ...task };
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
  }

  /** One owner's task, or undefined when it does not exist or belongs to someone else. */
  private lookup(owner: string, taskId: string): Entry | undefined {
    const entry = this.entries.get(taskId);
    return entry?.owner === owner ? entry : undefined;
  }

  /** `tasks/get`: the task as it stands. */
  get(owner: string, taskId: string): Task {
    return { ...this.found(owner, taskId).task };
  }

  /**
   * `tasks/result`: waits (as long as the request lives) for the task to end, then answers its result
   * with the related-task `_meta` (MCP 2025-11-25).
   */
  async result(owner: string, taskId: string, signal: AbortSignal): Promise<CallToolResult> {
    const entry = this.found(owner, taskId);
    if (!isTerminal(entry.task.status)) {
      await Promise.race([
        entry.done,
        new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
      ]);
    }
    const result: CallToolResult = entry.result ?? {
      // Cancelled before its work answered (it did not stop within the wait).
      isError: true,
      content: [
        {
          type: 'text',
          text: '❌ The task was cancelled\nℹ️ It was cancelled before it produced a result\n💡 Call the tool again to run it anew',
        },
      ],
    };
    return { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId } } };
  }

  /** `tasks/list`: the owner's tasks, a page at a time (the cursor is the last task id of a page). */
  list(owner: string, cursor: string | undefined): { tasks: Task[]; nextCursor?: string } {
    const mine = [...this.entries.values()].filter((e) => e.owner === owner).map((e) => ({ ...e.task }));
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
    const entry = this.found(owner, taskId);
    if (isTerminal(entry.task.status)) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Cannot cancel task in terminal status: ${entry.task.status}`,
      );
    }
    await this.cancel(entry, 'Cancelled by the client');
    return { ...entry.task };
  }

  private found(owner: string, taskId: string): Entry {
    const entry = this.lookup(owner, taskId);
    if (!entry) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Task not found: ${taskId.slice(0, 100)}`);
    }
    return entry;
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
    for (const entry of this.entries.values()) clearTimeout(entry.cleanup);
  }
}

function isTerminal(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

const TaskIdParams = z.looseObject({ taskId: z.string() });
const CursorParams = z.looseObject({ cursor: z.string().optional() }).optional();

/** Answers `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` on `server` for one owner's tasks. */
export function registerTaskHandlers(server: Server, tasks: ToolTasks, owner: string): void {
  server.setRequestHandler('tasks/get', { params: TaskIdParams }, (params) =>
    tasks.get(owner, params.taskId),
  );
  server.setRequestHandler('tasks/result', { params: TaskIdParams }, (params, ctx) =>
    tasks.result(owner, params.taskId, ctx.mcpReq.signal),
  );
  server.setRequestHandler('tasks/list', { params: CursorParams }, (params) =>
    tasks.list(owner, params?.cursor),
  );
  server.setRequestHandler('tasks/cancel', { params: TaskIdParams }, (params) =>
    tasks.cancelTask(owner, params.taskId),
  );
}
