import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  type CallToolResult,
  type GetTaskResult,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectThreePartError, memoryLogger, structuredOf } from './__fixtures__/harness.js';
import { serveTasksOverHttp, startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { createServer } from './server.js';
import { ToolTasks } from './tasks.js';
import { selectTools } from './toolsets.js';
import type { RunningHttpServer } from './transports/http.js';

/**
 * sync_data (and generate_quality_report) as MCP tasks (ADR 0033), with the official SDK client over
 * stdio (a spawned `testio-mcp serve`) and stateless Streamable HTTP, against the sandbox: a client that
 * asks for a task gets one at once, polls it to its result, and a cancelled sync stops and frees the lease
 * so the next sync runs; a client that does not ask gets today's answer with progress notifications.
 */

const BIN = path.resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');

interface SyncAnswer {
  readonly status: string;
  readonly mode: string;
  readonly run_id: number;
}
interface Diagnostics {
  readonly sync: { readonly running: boolean };
}

let stack: McpStack;
let http: RunningHttpServer;
let httpTasks: ToolTasks;

beforeAll(async () => {
  stack = await startMcpStack();
  httpTasks = new ToolTasks({ logger: stack.log.logger });
  http = await serveTasksOverHttp(stack, httpTasks);
}, 120_000);

afterAll(async () => {
  await httpTasks?.close();
  await http?.close();
  await stack?.close();
});

async function stdioClient(): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'serve', '--transport', 'stdio', '--no-sync'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_FORMAT: 'json',
      ...stack.env,
    },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'vitest-tasks-stdio', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

async function httpClient(): Promise<{ client: Client; stderr: () => string }> {
  const client = new Client({ name: 'vitest-tasks-http', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
  return { client, stderr: () => stack.log.text() };
}

const transports = [
  ['stdio', stdioClient],
  ['HTTP', httpClient],
] as const;

/** A task-augmented `tools/call`, as a task-capable client sends it: the answer is the task, at once. */
async function startTask(client: Client, name: string, args: Record<string, unknown>) {
  const created = await client.request(
    { method: 'tools/call', params: { name, arguments: args, task: { ttl: 600_000 } } },
    CreateTaskResultSchema,
  );
  return created.task;
}

/** Polls tasks/get (at the interval the server asks for) until `done` holds; at most `limit` polls. */
async function pollUntil(
  client: Client,
  taskId: string,
  done: (task: GetTaskResult) => boolean,
  limit = 600,
): Promise<{ task: GetTaskResult; seen: GetTaskResult[] }> {
  const seen: GetTaskResult[] = [];
  for (let i = 0; i < limit; i += 1) {
    const task = await client.experimental.tasks.getTask(taskId);
    seen.push(task);
    if (done(task)) return { task, seen };
    await new Promise((resolve) => setTimeout(resolve, Math.min(task.pollInterval ?? 100, 100)));
  }
  throw new Error(`task ${taskId} never reached the expected state; last: ${JSON.stringify(seen.at(-1))}`);
}

async function diagnostics(client: Client): Promise<Diagnostics> {
  return structuredOf<Diagnostics>(
    // Without the API probe, which would queue behind the sync's own requests to the slowed sandbox.
    await client.callTool({ name: 'get_server_diagnostics', arguments: { check_api: false } }),
  );
}

describe.each(transports)('over %s', (_name, connect) => {
  // One client (and over stdio one server process) for the whole block, as a real client keeps one.
  let connected: { client: Client; stderr: () => string };
  beforeAll(async () => {
    connected = await connect();
  }, 60_000);
  afterAll(async () => {
    await connected?.client.close();
  });

  it('lists sync_data and generate_quality_report as optional tasks, and declares the tasks capability', async () => {
    const { client } = connected;
    expect(client.getServerCapabilities()?.tasks).toMatchObject({
      list: {},
      cancel: {},
      requests: { tools: { call: {} } },
    });
    const { tools } = await client.listTools();
    const taskTools = tools.filter((t) => t.execution?.taskSupport === 'optional').map((t) => t.name);
    expect(taskTools).toEqual(['generate_quality_report', 'sync_data']);
  }, 60_000);

  it('runs sync_data as a task: a task id at once, polled to completion, the result through tasks/result', async () => {
    const { client } = connected;
    const messages: string[] = [];
    let result: CallToolResult | undefined;
    let taskId: string | undefined;
    // A client learns which tools run as tasks from tools/list (execution.taskSupport).
    await client.listTools();
    for await (const message of client.experimental.tasks.callToolStream(
      { name: 'sync_data', arguments: { since: 'all' } },
      CallToolResultSchema,
    )) {
      messages.push(message.type);
      if (message.type === 'taskCreated') {
        taskId = message.task.taskId;
        expect(message.task.status).toBe('working');
      }
      if (message.type === 'result') result = message.result as CallToolResult;
      if (message.type === 'error') throw message.error;
    }
    expect(messages[0]).toBe('taskCreated');
    expect(messages.at(-1)).toBe('result');
    const sync = structuredOf<SyncAnswer>(result);
    expect(sync).toMatchObject({ status: 'success', mode: 'force' });
    // The task stays available after it finished: its status, its result again, in the owner's list.
    const task = await client.experimental.tasks.getTask(taskId ?? '');
    expect(task.status).toBe('completed');
    const again = await client.experimental.tasks.getTaskResult(taskId ?? '', CallToolResultSchema);
    expect(structuredOf<SyncAnswer>(again).run_id).toBe(sync.run_id);
    const { tasks } = await client.experimental.tasks.listTasks();
    expect(tasks.map((t) => t.taskId)).toContain(taskId);
  }, 120_000);

  it('cancels a running sync task: the sync stops, the lease is released, and the next sync runs', async () => {
    const { client, stderr } = connected;
    // Slow upstream answers keep the sync running long enough to be seen working and cancelled.
    stack.sandbox.setFaults({ latencyMs: 400 });
    try {
      const created = await startTask(client, 'sync_data', { since: 'all' });
      expect(created.status).toBe('working');
      // Progress shows on polling: the sync's current step becomes the task's status message.
      const { task: working } = await pollUntil(
        client,
        created.taskId,
        (t) => t.status !== 'working' || t.statusMessage !== undefined,
      );
      expect(working.status).toBe('working');
      expect(working.statusMessage).toMatch(/\S/);

      const cancelled = await client.experimental.tasks.cancelTask(created.taskId);
      expect(cancelled.status).toBe('cancelled');
      // tasks/cancel answers once the sync has stopped: the run ended interrupted and the lease is free.
      const interrupted = await client.experimental.tasks.getTaskResult(created.taskId, CallToolResultSchema);
      expect(structuredOf<SyncAnswer>(interrupted).status).toBe('interrupted');
      expect((await diagnostics(client)).sync.running).toBe(false);
      expect((await client.experimental.tasks.getTask(created.taskId)).status).toBe('cancelled');
      await expect(client.experimental.tasks.cancelTask(created.taskId)).rejects.toThrow(/terminal status/);

      stack.sandbox.setFaults({});
      const next = structuredOf<SyncAnswer>(
        await client.callTool({ name: 'sync_data', arguments: {} }, CallToolResultSchema, {
          timeout: 120_000,
        }),
      );
      expect(next.status).toBe('success');
      expect(stderr()).not.toContain(stack.sandbox.token);
    } finally {
      stack.sandbox.setFaults({});
    }
  }, 180_000);

  it('answers a client that does not ask for a task as before, with progress notifications', async () => {
    const { client } = connected;
    const updates: Array<{ progress: number; message?: string }> = [];
    const result = await client.callTool({ name: 'sync_data', arguments: {} }, CallToolResultSchema, {
      onprogress: (p) => updates.push(p),
      timeout: 120_000,
    });
    expect(result).not.toHaveProperty('task');
    expect(structuredOf<SyncAnswer>(result)).toMatchObject({ status: 'success', mode: 'incremental' });
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((u, i) => i === 0 || u.progress > (updates[i - 1]?.progress ?? 0))).toBe(true);
  }, 120_000);

  it('runs a quality report over every product as a task; refuses a task for a tool that does not run as one', async () => {
    const { client } = connected;
    const created = await startTask(client, 'generate_quality_report', {});
    const { task } = await pollUntil(client, created.taskId, (t) => t.status !== 'working');
    expect(task.status).toBe('completed');
    const report = structuredOf<{ products: unknown[] }>(
      await client.experimental.tasks.getTaskResult(created.taskId, CallToolResultSchema),
    );
    expect(report.products.length).toBe(stack.truth.totals.products);

    await expect(startTask(client, 'list_products', {})).rejects.toThrow(
      /list_products cannot run as a task[\s\S]*without the task parameter/,
    );
    // A tool error fails the task, and tasks/result still gives the three-part answer.
    const bad = await startTask(client, 'sync_data', { since: 'not a date at all' });
    const { task: failed } = await pollUntil(client, bad.taskId, (t) => t.status !== 'working');
    expect(failed.status).toBe('failed');
    expect(failed.statusMessage).toMatch(/^❌ /);
    expectThreePartError(await client.experimental.tasks.getTaskResult(bad.taskId, CallToolResultSchema));
  }, 120_000);
});

describe('task ownership', () => {
  it('keeps one caller’s tasks from another over HTTP', async () => {
    const { client } = await httpClient();
    const other = createServer({
      services: stack.container.services,
      logger: memoryLogger().logger,
      tools: selectTools({}),
      principal: { id: 'key-2', tenant: 'default', role: 'admin' },
      tasks: httpTasks,
    });
    try {
      const created = await startTask(client, 'generate_quality_report', {});
      const otherClient = new Client({ name: 'other', version: '1' });
      const [a, b] = InMemoryTransport.createLinkedPair();
      await Promise.all([otherClient.connect(a), other.connect(b)]);
      await expect(otherClient.experimental.tasks.getTask(created.taskId)).rejects.toThrow(/not found/i);
      await expect(otherClient.experimental.tasks.cancelTask(created.taskId)).rejects.toThrow(/not found/i);
      expect((await otherClient.experimental.tasks.listTasks()).tasks).toEqual([]);
      await otherClient.close();
    } finally {
      await client.close();
      await other.close();
    }
  }, 60_000);
});
