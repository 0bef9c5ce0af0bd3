import { inputRequired, type CallToolResult } from '@modelcontextprotocol/server';
import { openTwoInstances, testEngines } from '@testio-mcp/persistence/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from './__fixtures__/harness.js';
import { ToolTasks, type TaskWork } from './tasks.js';

/**
 * Two instances' task registries on one database (ADR 0035), on both engines: a task started on A is
 * read, listed, answered and cancelled on B; a task whose holder stops beating reads as abandoned. The
 * protocol round trips through nginx are in tools/bench's topology test.
 */

const ok: CallToolResult = {
  content: [{ type: 'text', text: '{"done":true}' }],
  structuredContent: { done: true },
};
const OWNER = 'default/key-1';

/** Work that runs until it is aborted, or until `release()`. */
function blocking(): { work: (run: TaskWork) => Promise<CallToolResult>; release(): void; runs: TaskWork[] } {
  let release = () => undefined as void;
  const runs: TaskWork[] = [];
  return {
    runs,
    release: () => release(),
    work: (run) => {
      runs.push(run);
      run.setStatusMessage('product 598 (1/1)');
      return new Promise((resolve) => {
        release = () => resolve(ok);
        run.signal.addEventListener('abort', () =>
          resolve({ isError: true, content: [{ type: 'text', text: '❌ interrupted' }] }),
        );
      });
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never ${what}`);
}

describe.each(testEngines)('tasks shared by two instances on $name', (engine) => {
  let cleanup: (() => Promise<void>) | undefined;
  const registries: ToolTasks[] = [];
  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.close()));
    await cleanup?.();
    cleanup = undefined;
  });

  async function twoInstances(options: { quietMs?: number } = {}) {
    const opened = await openTwoInstances(engine);
    cleanup = opened.cleanup;
    const make = (store: typeof opened.a.mcpTasks, holder: string) => {
      const registry = new ToolTasks({
        logger: memoryLogger().logger,
        store,
        holder,
        beatMs: 50,
        pollIntervalMs: 20,
        ...options,
      });
      registries.push(registry);
      return registry;
    };
    return { a: make(opened.a.mcpTasks, 'instance-a'), b: make(opened.b.mcpTasks, 'instance-b') };
  }

  it('a task started on A is read on B as it runs, then with its result; other owners see nothing', async () => {
    const { a, b } = await twoInstances();
    const job = blocking();
    const created = await a.start(OWNER, {}, job.work);
    expect(await b.getShared(OWNER, created.taskId)).toMatchObject({ status: 'working', ttl: 3_600_000 });
    // The status message reaches B with A's next beat.
    await until('the status message on B', async () =>
      (await b.getShared(OWNER, created.taskId)).statusMessage === 'product 598 (1/1)' ? true : undefined,
    );
    await expect(b.getShared('acme/key-9', created.taskId)).rejects.toThrow(/Task not found/);
    expect((await b.list(OWNER, undefined)).tasks.map((t) => t.taskId)).toEqual([created.taskId]);
    expect((await b.list('acme/key-9', undefined)).tasks).toEqual([]);

    const waiting = b.result(OWNER, created.taskId, new AbortController().signal);
    job.release();
    const result = await waiting;
    expect(result.structuredContent).toEqual({ done: true });
    expect(await b.getShared(OWNER, created.taskId)).toMatchObject({ status: 'completed' });
    expect((await b.getV2Shared(OWNER, created.taskId)).result).toMatchObject({
      structuredContent: { done: true },
      resultType: 'complete',
    });
  });

  it('a cancel on B stops the work on A and answers once it stopped; a second cancel is refused', async () => {
    const { a, b } = await twoInstances();
    const job = blocking();
    const created = await a.start(OWNER, {}, job.work);
    const cancelled = await b.cancelTask(OWNER, created.taskId);
    expect(cancelled.status).toBe('cancelled');
    expect(job.runs[0]?.signal.aborted).toBe(true);
    expect(a.get(OWNER, created.taskId).status).toBe('cancelled');
    await expect(b.cancelTask(OWNER, created.taskId)).rejects.toThrow(/terminal status: cancelled/);
    // 2026-07-28: a finished task's cancel is acknowledged as it is.
    await expect(b.cancelV2(OWNER, created.taskId)).resolves.toBeUndefined();
  });

  it('answers given on B resume a task waiting on A (2026-07-28 tasks/update)', async () => {
    const { a, b } = await twoInstances();
    const question = inputRequired({
      inputRequests: {
        q1: inputRequired.elicit({
          message: 'Sure?',
          requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } } },
        }),
      },
    });
    const created = await a.start(OWNER, {}, (run) =>
      Promise.resolve(Object.hasOwn(run.inputResponses, 'q1') ? ok : question),
    );
    const waiting = await until('input_required on B', async () => {
      const task = await b.getV2Shared(OWNER, created.taskId);
      return task.status === 'input_required' ? task : undefined;
    });
    expect(Object.keys(waiting.inputRequests ?? {})).toEqual(['q1']);
    await b.updateShared(OWNER, created.taskId, { q1: { action: 'accept', content: { confirm: true } } });
    const done = await until('completed on B', async () => {
      const task = await b.getV2Shared(OWNER, created.taskId);
      return task.status === 'completed' ? task : undefined;
    });
    expect(done.result).toMatchObject({ structuredContent: { done: true } });
  });

  it('a task whose holder stopped beating reads as failed (abandoned) on the other instance', async () => {
    const { a, b } = await twoInstances({ quietMs: 300 });
    const job = blocking();
    const created = await a.start(OWNER, {}, job.work);
    // A "dies": its beat stops (close would cancel the task, so stop the timer as a crash would).
    (a as unknown as { closed: boolean }).closed = true;
    const failed = await until('abandoned on B', async () => {
      const task = await b.getV2Shared(OWNER, created.taskId);
      return task.status === 'failed' ? task : undefined;
    });
    expect(failed.error?.message).toMatch(
      /^❌ The task was abandoned\nℹ️ The server instance running it stopped/,
    );
    expect((await b.getShared(OWNER, created.taskId)).statusMessage).toBe('❌ The task was abandoned');
    const result = await b.result(OWNER, created.taskId, new AbortController().signal);
    expect(result.isError).toBe(true);
    job.release();
  });
});
