import { inputRequired, type CallToolResult } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from './__fixtures__/harness.js';
import { toTaskV2, ToolTasks, type TaskV2 } from './tasks.js';

/**
 * The task registry's 2026-07-28 view (ADR 0033/0037 amendments) on its own: the outcome inlined, a
 * crash as `failed`, questions answered through `update`, the cancel acknowledgement. The protocol
 * round trips are in tasks-2026.e2e.test.ts.
 */

const ok: CallToolResult = { content: [{ type: 'text', text: '{}' }], structuredContent: {} };
const question = inputRequired({
  inputRequests: {
    q1: inputRequired.elicit({
      message: 'Sure?',
      requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } } },
    }),
  },
});

let tasks: ToolTasks | undefined;
afterEach(async () => {
  await tasks?.close();
  tasks = undefined;
});

function registry(): ToolTasks {
  tasks = new ToolTasks({ logger: memoryLogger().logger, pollIntervalMs: 50 });
  return tasks;
}

async function until(read: () => TaskV2, status: TaskV2['status']): Promise<TaskV2> {
  for (let i = 0; i < 200; i += 1) {
    const task = read();
    if (task.status === status) return task;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`never ${status}: ${JSON.stringify(read())}`);
}

describe('ToolTasks on 2026-07-28', () => {
  it('shows the seed with ttlMs and pollIntervalMs, and the result inlined once done', async () => {
    const t = registry();
    const seed = await t.start('local', {}, () => Promise.resolve(ok));
    expect(toTaskV2(seed)).toMatchObject({ status: 'working', ttlMs: 3_600_000, pollIntervalMs: 50 });
    expect(toTaskV2(seed)).not.toHaveProperty('ttl');
    const done = await until(() => t.getV2('local', seed.taskId), 'completed');
    expect(done.result).toEqual({ ...ok, resultType: 'complete' });
  });

  it('shows a tool error as completed and a crash as failed with a JSON-RPC error', async () => {
    const t = registry();
    const toolError = await t.start('local', {}, () =>
      Promise.resolve({ isError: true, content: [{ type: 'text', text: '❌ no\nℹ️ why\n💡 next' }] }),
    );
    const completed = await until(() => t.getV2('local', toolError.taskId), 'completed');
    expect(completed.result).toMatchObject({ isError: true });
    // The 2025 view of the same task says failed (a tool error fails a 2025-11-25 task).
    expect(t.get('local', toolError.taskId).status).toBe('failed');

    const crash = await t.start('local', {}, () => Promise.reject(new Error('bug')));
    const failed = await until(() => t.getV2('local', crash.taskId), 'failed');
    expect(failed.error).toMatchObject({
      code: -32603,
      message: expect.stringMatching(/^❌ The task failed/),
    });
    expect(failed).not.toHaveProperty('result');
  });

  it('waits in input_required, ignores answers to other keys, and runs again with the answers', async () => {
    const t = registry();
    const seen: Array<Readonly<Record<string, unknown>>> = [];
    const created = await t.start('local', {}, (run) => {
      seen.push(run.inputResponses);
      return Promise.resolve(Object.hasOwn(run.inputResponses, 'q1') ? ok : question);
    });
    const waiting = await until(() => t.getV2('local', created.taskId), 'input_required');
    expect(Object.keys(waiting.inputRequests ?? {})).toEqual(['q1']);

    t.update('local', created.taskId, { q9: { action: 'accept' } });
    expect(t.getV2('local', created.taskId).status).toBe('input_required');
    t.update('local', created.taskId, { q1: { action: 'accept', content: { confirm: true } } });
    await until(() => t.getV2('local', created.taskId), 'completed');
    expect(seen).toEqual([{}, { q1: { action: 'accept', content: { confirm: true } } }]);
    // An update to a task that no longer waits changes nothing.
    t.update('local', created.taskId, { q1: { action: 'decline' } });
    expect(t.getV2('local', created.taskId).status).toBe('completed');
  });

  it('acknowledges a cancel of a finished task unchanged, and of a waiting one as cancelled', async () => {
    const t = registry();
    const finished = await t.start('local', {}, () => Promise.resolve(ok));
    await until(() => t.getV2('local', finished.taskId), 'completed');
    await t.cancelV2('local', finished.taskId);
    expect(t.getV2('local', finished.taskId).status).toBe('completed');

    const waiting = await t.start('local', {}, () => Promise.resolve(question));
    await until(() => t.getV2('local', waiting.taskId), 'input_required');
    await t.cancelV2('local', waiting.taskId);
    expect(t.getV2('local', waiting.taskId)).toMatchObject({ status: 'cancelled' });
    expect(() => t.getV2('other', waiting.taskId)).toThrow(/Task not found/);
  });
});
