import type { McpTaskRecord } from '@testio-mcp/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { openTwoInstances, testEngines } from './testing.js';

/**
 * The MCP task store (ADR 0035) on both engines, seen through two connections (SQLite) or two pools
 * (PostgreSQL) of one database, as the holder and another instance see it.
 */

const T0 = new Date('2026-12-14T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function task(overrides: Partial<McpTaskRecord> = {}): McpTaskRecord {
  return {
    id: 'task-1',
    owner: 'default/key-1',
    holder: 'instance-a',
    status: 'working',
    statusMessage: null,
    ttlMs: 3_600_000,
    pollIntervalMs: 1000,
    result: null,
    error: null,
    inputRequests: null,
    createdAt: T0,
    lastUpdatedAt: T0,
    heartbeatAt: T0,
    expiresAt: at(3600),
    ...overrides,
  };
}

describe.each(testEngines)('MCP tasks on $name', (engine) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  const open = async () => {
    const opened = await openTwoInstances(engine);
    cleanup = opened.cleanup;
    return opened;
  };

  it('a task written by its holder is read and listed by the other instance, for its owner only', async () => {
    const { a, b } = await open();
    await a.mcpTasks.put(task());
    await a.mcpTasks.put(task({ id: 'task-0', createdAt: at(-5) }));
    await a.mcpTasks.put(task({ id: 'theirs', owner: 'acme/key-9' }));
    expect(await b.mcpTasks.get('default/key-1', 'task-1')).toEqual(task());
    expect(await b.mcpTasks.get('acme/key-9', 'task-1')).toBeUndefined();
    expect(await b.mcpTasks.get('default/key-2', 'task-1')).toBeUndefined();
    expect((await b.mcpTasks.list('default/key-1')).map((t) => t.id)).toEqual(['task-0', 'task-1']);

    const result = { content: [{ type: 'text', text: '{"run_id":7}' }], structuredContent: { run_id: 7 } };
    await a.mcpTasks.put(task({ status: 'completed', result, lastUpdatedAt: at(30) }));
    expect(await b.mcpTasks.get('default/key-1', 'task-1')).toMatchObject({
      status: 'completed',
      result,
      lastUpdatedAt: at(30),
    });
  });

  it('a cancel asked on one instance reaches the holder with its next beat, and survives its writes', async () => {
    const { a, b } = await open();
    await a.mcpTasks.put(task());
    await a.mcpTasks.put(task({ id: 'task-2' }));
    expect(await a.mcpTasks.beat('instance-a', at(2))).toEqual([]);

    expect(await b.mcpTasks.requestCancel('default/key-1', 'task-1')).toBe(true);
    expect(await b.mcpTasks.requestCancel('acme/key-9', 'task-2')).toBe(false);
    expect(await b.mcpTasks.requestCancel('default/key-1', 'missing')).toBe(false);
    // A status message written after the request does not clear it.
    await a.mcpTasks.put(task({ statusMessage: 'product 598 (1/1)', heartbeatAt: at(3) }));
    expect(await a.mcpTasks.beat('instance-a', at(4))).toEqual([
      { id: 'task-1', cancelRequested: true, answers: null },
    ]);
    expect((await b.mcpTasks.get('default/key-1', 'task-2'))?.heartbeatAt).toEqual(at(4));

    await a.mcpTasks.put(task({ status: 'cancelled', heartbeatAt: at(4) }));
    expect(await b.mcpTasks.requestCancel('default/key-1', 'task-1')).toBe(false);
    expect(await a.mcpTasks.beat('instance-b', at(5))).toEqual([]);
  });

  it('answers given on two instances are merged for the holder of an input_required task', async () => {
    const { a, b } = await open();
    await a.mcpTasks.put(task({ status: 'input_required', inputRequests: { q1: {}, q2: {} } }));
    expect(await b.mcpTasks.addAnswers('default/key-1', 'task-1', { q1: { action: 'accept' } })).toBe(true);
    expect(await a.mcpTasks.addAnswers('default/key-1', 'task-1', { q2: { action: 'decline' } })).toBe(true);
    expect(await b.mcpTasks.addAnswers('acme/key-9', 'task-1', { q2: { action: 'accept' } })).toBe(false);
    expect(await a.mcpTasks.beat('instance-a', at(2))).toEqual([
      {
        id: 'task-1',
        cancelRequested: false,
        answers: { q1: { action: 'accept' }, q2: { action: 'decline' } },
      },
    ]);
    await a.mcpTasks.put(task({ status: 'working' }));
    expect(await b.mcpTasks.addAnswers('default/key-1', 'task-1', { q3: {} })).toBe(false);
  });

  it('an unfinished task whose heartbeat went quiet is abandoned once; a beating one is not', async () => {
    const { a, b } = await open();
    await a.mcpTasks.put(task());
    await a.mcpTasks.put(task({ id: 'task-2', holder: 'instance-b' }));
    await a.mcpTasks.beat('instance-a', at(60));
    const error = { code: -32603, message: 'gone' };
    expect(await b.mcpTasks.abandon('task-1', at(30), error, 'gone', at(90))).toBe(false);
    expect(await b.mcpTasks.abandon('task-2', at(30), error, 'gone', at(90))).toBe(true);
    expect(await a.mcpTasks.abandon('task-2', at(30), error, 'gone', at(91))).toBe(false);
    expect(await a.mcpTasks.get('default/key-1', 'task-2')).toMatchObject({
      status: 'failed',
      error,
      statusMessage: 'gone',
      lastUpdatedAt: at(90),
    });
    expect((await a.mcpTasks.get('default/key-1', 'task-1'))?.status).toBe('working');
  });

  it('prune deletes expired finished tasks and long-silent unfinished ones, nothing else', async () => {
    const { a, b } = await open();
    await a.mcpTasks.put(task({ id: 'expired', status: 'completed', expiresAt: at(10) }));
    await a.mcpTasks.put(task({ id: 'kept', status: 'failed', expiresAt: at(100) }));
    await a.mcpTasks.put(task({ id: 'beating', expiresAt: at(10), heartbeatAt: at(50) }));
    await a.mcpTasks.put(task({ id: 'silent', heartbeatAt: at(5) }));
    expect(await b.mcpTasks.prune(at(60), at(20))).toBe(2);
    expect((await a.mcpTasks.list('default/key-1')).map((t) => t.id).sort()).toEqual(['beating', 'kept']);
  });
});
