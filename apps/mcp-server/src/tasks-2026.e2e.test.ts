import path from 'node:path';
import { Client, StreamableHTTPClientTransport, type JSONRPCMessage } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import {
  createTaskSessionFromClient,
  JsonRpcResponseError,
  resultFromTaskOutcome,
  type ApplicationInputRequest,
  type ApplicationInputResult,
  type RawClientDispatch,
  type TaskEnabledSession,
  type TaskView,
} from '@modelcontextprotocol/ext-tasks/client';
import type { Transport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectThreePartError, structuredOf } from './__fixtures__/harness.js';
import { serveTasksOverHttp, startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { TASKS_EXTENSION_ID, ToolTasks } from './tasks.js';
import type { RunningHttpServer } from './transports/http.js';

/**
 * sync_data as a task for 2026-07-28 clients (issue 17, ADR 0033/0037): the tasks extension
 * (`io.modelcontextprotocol/tasks`, SEP-2663) served over the same per-process ToolTasks as the
 * 2025-11-25 path. The client is the 2.x SDK client with the official `@modelcontextprotocol/ext-tasks`
 * client package, against a real server on the sandbox over stateless HTTP and over stdio (a spawned
 * `testio-mcp serve`).
 *
 * ext-tasks needs a "raw dispatch" for 2026 task traffic (the SDK client's codec refuses
 * `resultType: 'task'`): here it sends the JSON-RPC request through the client's own transport (which
 * derives the SEP-2243 headers from the body) and takes its answer off the transport before the SDK
 * sees it.
 */

const BIN = path.resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');
const MODERN = '2026-07-28';

interface SyncAnswer {
  readonly status: string;
  readonly mode: string;
  readonly run_id: number;
}
interface Diagnostics {
  readonly sync: { readonly running: boolean };
}
type ToolResult = {
  readonly content: unknown[];
  readonly structuredContent?: unknown;
  readonly isError?: boolean;
};

let stack: McpStack;
let http: RunningHttpServer;
let httpTasks: ToolTasks;

beforeAll(async () => {
  stack = await startMcpStack();
  httpTasks = new ToolTasks({ logger: stack.log.logger, pollIntervalMs: 100 });
  http = await serveTasksOverHttp(stack, httpTasks);
}, 120_000);

afterAll(async () => {
  await httpTasks?.close();
  await http?.close();
  await stack?.close();
});

/** Sends raw JSON-RPC requests through `client`'s transport and hands their answers back. */
function rawDispatch(client: Client): RawClientDispatch {
  const transport = client.transport as Transport;
  const pending = new Map<string, (message: JSONRPCMessage) => void>();
  const sdk = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const id = (message as { id?: unknown }).id;
    const settle = typeof id === 'string' ? pending.get(id) : undefined;
    if (settle && ('result' in message || 'error' in message)) {
      pending.delete(id as string);
      settle(message);
      return;
    }
    sdk?.(message, extra);
  };
  let n = 0;
  return async (request, options) => {
    n += 1;
    const id = `raw-${n}`;
    const answered = new Promise<JSONRPCMessage>((resolve) => pending.set(id, resolve));
    await transport.send({ jsonrpc: '2.0', id, ...(request as object) } as JSONRPCMessage, {
      ...(options?.context?.headers ? { headers: { ...options.context.headers } } : {}),
    });
    const message = (await answered) as { result?: unknown; error?: { code: number; message: string } };
    return message.error
      ? { kind: 'error', error: message.error }
      : { kind: 'result', result: message.result as never };
  };
}

interface Modern {
  readonly client: Client;
  readonly session: TaskEnabledSession;
  readonly raw: RawClientDispatch;
  readonly asked: string[];
  close(): Promise<void>;
}

/**
 * A 2.x client on 2026-07-28 with an ext-tasks session that declares the tasks extension; with
 * `answer` it also declares form elicitation and answers every question so.
 */
async function modern(
  transport: () => Transport,
  answer?: { action: 'accept' | 'decline'; content?: Record<string, boolean> },
): Promise<Modern> {
  const client = new Client(
    { name: 'vitest-ext-tasks', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(transport());
  expect(client.getProtocolEra()).toBe('modern');
  const raw = rawDispatch(client);
  const asked: string[] = [];
  const session = createTaskSessionFromClient(client, {
    endpointId: 'testio-mcp-under-test',
    rawDispatch: raw,
    v2RequestFraming: {
      protocolVersion: MODERN,
      clientInfo: { name: 'vitest-ext-tasks', version: '1.0.0' },
      clientCapabilities: answer ? { elicitation: { form: {} } } : {},
    },
    ...(answer
      ? {
          // Only elicitation is declared, so only elicitation is asked for.
          onInputRequest: <T extends ApplicationInputRequest>(request: T) => {
            if (request.kind === 'elicitation') asked.push(String(request.params['message']));
            return Promise.resolve(answer as ApplicationInputResult<T>);
          },
        }
      : {}),
  });
  return {
    client,
    session,
    raw,
    asked,
    close: async () => {
      await session.close();
      await client.close();
    },
  };
}

const overHttp = (): Transport => new StreamableHTTPClientTransport(new URL(http.url));
const overStdio = (): Transport =>
  new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'serve', '--transport', 'stdio', '--no-sync'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...stack.env },
    stderr: 'ignore',
  });

/** Polls the task (tasks/get) until `done` holds; at most `limit` polls. */
async function pollUntil(
  session: TaskEnabledSession,
  taskId: string,
  done: (task: TaskView) => boolean,
  limit = 1200,
): Promise<TaskView> {
  let last: TaskView | undefined;
  for (let i = 0; i < limit; i += 1) {
    last = await session.task(taskId as never).snapshot();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`task ${taskId} never reached the expected state; last: ${JSON.stringify(last)}`);
}

async function diagnostics(client: Client): Promise<Diagnostics> {
  return structuredOf<Diagnostics>(
    await client.callTool({ name: 'get_server_diagnostics', arguments: { check_api: false } }),
  );
}

/** Runs `name` through the session, expecting a task; answers its id and the settled result. */
async function runAsTask(
  session: TaskEnabledSession,
  name: string,
  args: Record<string, unknown>,
  onTask?: (task: TaskView) => void,
): Promise<{ taskId: string; result: ToolResult }> {
  const execution = await session.callTool(name, args as never, { requestTimeoutMs: 120_000 });
  expect(execution.kind).toBe('task');
  if (execution.kind !== 'task') throw new Error('no task');
  const { outcome } = await execution.settle({
    onEvent: (event) => {
      if (event.type === 'task') onTask?.(event.task);
    },
  });
  return { taskId: execution.handle.taskId, result: resultFromTaskOutcome(outcome) as unknown as ToolResult };
}

describe('the tasks extension over stateless HTTP', () => {
  let m: Modern;
  beforeAll(async () => {
    m = await modern(overHttp);
  }, 60_000);
  afterAll(async () => {
    await m?.close();
  });

  it('advertises the extension in server/discover and lists no execution on 2026-07-28', async () => {
    expect(m.client.getServerCapabilities()?.extensions).toHaveProperty([TASKS_EXTENSION_ID], {});
    // The 2025 `tasks` capability and `execution` do not exist on this revision: the server decides.
    expect(m.client.getServerCapabilities()).not.toHaveProperty('tasks');
    const { tools } = await m.client.listTools();
    expect(tools.find((t) => t.name === 'sync_data')).not.toHaveProperty('execution');
    expect(m.session.capabilities).toMatchObject({ execution: true, cancellation: true });
  }, 60_000);

  it('runs sync_data as a task: an id at once, polled to completion, the same answer as the plain call', async () => {
    const seen: TaskView[] = [];
    const { taskId, result } = await runAsTask(m.session, 'sync_data', { since: 'all' }, (t) => seen.push(t));
    expect(taskId).toMatch(/^[0-9a-f]{32}$/);
    const sync = structuredOf<SyncAnswer>(result);
    expect(sync).toMatchObject({ status: 'success', mode: 'force' });
    expect(seen.at(-1)?.status).toBe('completed');
    // The finished task keeps its result: tasks/get inlines it.
    const again = await m.session.task(taskId as never).result();
    expect(structuredOf<SyncAnswer>(resultFromTaskOutcome(again) as unknown as ToolResult).run_id).toBe(
      sync.run_id,
    );

    // The same call from a client without the extension: today's answer, the same shape.
    const plain = await m.client.callTool(
      { name: 'sync_data', arguments: { since: 'all' } },
      { timeout: 120_000 },
    );
    expect(plain).not.toHaveProperty('taskId');
    const direct = structuredOf<SyncAnswer>(plain);
    expect(Object.keys(direct).sort()).toEqual(Object.keys(sync).sort());
    expect(direct).toMatchObject({ status: 'success', mode: 'force' });
    expect(direct.run_id).toBeGreaterThan(sync.run_id);
  }, 240_000);

  it('shows progress on polling, and a cancel stops the sync and releases the lease', async () => {
    stack.sandbox.setFaults({ latencyMs: 400 });
    try {
      const execution = await m.session.callTool('sync_data', { since: 'all' }, { requestTimeoutMs: 60_000 });
      if (execution.kind !== 'task') throw new Error(`expected a task, got ${execution.kind}`);
      const taskId = execution.handle.taskId;
      const working = await pollUntil(
        m.session,
        taskId,
        (t) => t.status !== 'working' || t.statusMessage !== undefined,
      );
      expect(working.status).toBe('working');
      expect(working.statusMessage).toMatch(/\S/);

      // tasks/cancel acknowledges once the sync has stopped: the run ended and the lease is free.
      await m.session.task(taskId).cancel();
      expect((await m.session.task(taskId).snapshot()).status).toBe('cancelled');
      expect((await diagnostics(m.client)).sync.running).toBe(false);
      await execution.close();

      stack.sandbox.setFaults({});
      const next = await runAsTask(m.session, 'sync_data', {});
      expect(structuredOf<SyncAnswer>(next.result).status).toBe('success');
      expect(stack.log.text()).not.toContain(stack.sandbox.token);
    } finally {
      stack.sandbox.setFaults({});
    }
  }, 240_000);

  it('answers an unknown task id, and task methods from a request without the extension, clearly', async () => {
    const unknown = m.session.task('0123456789abcdef0123456789abcdef' as never).snapshot();
    await expect(unknown).rejects.toBeInstanceOf(JsonRpcResponseError);
    await expect(unknown).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(
        /Task not found: 0123456789abcdef[\s\S]*ℹ️[\s\S]*💡 Call the tool again/,
      ),
    });

    // Without the extension in the request's capabilities: -32021 naming the extension (SEP-2663).
    const envelope = {
      'io.modelcontextprotocol/protocolVersion': MODERN,
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
    };
    const missing = await m.raw({ method: 'tasks/get', params: { taskId: 'x', _meta: envelope } });
    expect(missing).toMatchObject({
      kind: 'error',
      error: { code: -32021, data: { requiredCapabilities: { extensions: { [TASKS_EXTENSION_ID]: {} } } } },
    });
    // The 2025-11-25 methods do not exist on 2026-07-28.
    const framed = {
      ...envelope,
      'io.modelcontextprotocol/clientCapabilities': { extensions: { [TASKS_EXTENSION_ID]: {} } },
    };
    for (const method of ['tasks/result', 'tasks/list']) {
      // -32601 comes back with HTTP 404, which the transport raises.
      await expect(m.raw({ method, params: { taskId: 'x', _meta: framed } })).rejects.toThrow(
        /"code":-32601,"message":"Method not found"/,
      );
    }
  }, 60_000);

  it('answers a tool that does not run as a task at once, and a tool error as a completed task', async () => {
    const execution = await m.session.callTool('list_products', {});
    expect(execution.kind).toBe('immediate');
    const { outcome } = await execution.settle();
    expect(
      structuredOf<{ products: unknown[] }>(resultFromTaskOutcome(outcome) as never).products.length,
    ).toBe(stack.truth.totals.products);

    // SEP-2663: a tool error is a completed task whose result has isError (failed is for JSON-RPC errors).
    const bad = await runAsTask(m.session, 'sync_data', { since: 'not a date at all' });
    expectThreePartError(bad.result as never);
  }, 60_000);

  it('runs a quality report over every product as a task', async () => {
    const { result } = await runAsTask(m.session, 'generate_quality_report', {});
    expect(structuredOf<{ products: unknown[] }>(result).products.length).toBe(stack.truth.totals.products);
  }, 120_000);
});

describe('a question inside a 2026 task', () => {
  it('waits in input_required for a forced full resync; a no ends it unstarted, a yes runs it', async () => {
    const productId = stack.truth.products[0]?.id ?? 0;
    const args = { since: 'all', product_ids: [productId] };
    const no = await modern(overHttp, { action: 'decline' });
    try {
      const seen: string[] = [];
      const declined = await runAsTask(no.session, 'sync_data', args, (t) => seen.push(t.status));
      expectThreePartError(declined.result as never, /The full resync was not started/);
      expect(seen).toContain('input_required');
      expect(no.asked).toHaveLength(1);
      expect(no.asked[0]).toMatch(/^Re-read products \d+ from TestIO \(a full resync/);
    } finally {
      await no.close();
    }
    const yes = await modern(overHttp, { action: 'accept', content: { confirm: true } });
    try {
      const accepted = await runAsTask(yes.session, 'sync_data', args);
      expect(structuredOf<SyncAnswer>(accepted.result)).toMatchObject({ status: 'success', mode: 'force' });
      expect(yes.asked).toHaveLength(1);
    } finally {
      await yes.close();
    }
  }, 240_000);
});

describe('the tasks extension over stdio', () => {
  it('runs sync_data as a task in a spawned testio-mcp serve, and cancels one', async () => {
    const m = await modern(overStdio);
    try {
      expect(m.client.getServerCapabilities()?.extensions).toHaveProperty([TASKS_EXTENSION_ID], {});
      const { result } = await runAsTask(m.session, 'sync_data', { since: 'all' });
      expect(structuredOf<SyncAnswer>(result)).toMatchObject({ status: 'success', mode: 'force' });

      stack.sandbox.setFaults({ latencyMs: 400 });
      const execution = await m.session.callTool('sync_data', { since: 'all' });
      if (execution.kind !== 'task') throw new Error(`expected a task, got ${execution.kind}`);
      await pollUntil(m.session, execution.handle.taskId, (t) => t.statusMessage !== undefined);
      await m.session.task(execution.handle.taskId).cancel();
      expect((await m.session.task(execution.handle.taskId).snapshot()).status).toBe('cancelled');
      expect((await diagnostics(m.client)).sync.running).toBe(false);
      await execution.close();
      stack.sandbox.setFaults({});
      const next = await runAsTask(m.session, 'sync_data', {});
      expect(structuredOf<SyncAnswer>(next.result).status).toBe('success');
    } finally {
      stack.sandbox.setFaults({});
      await m.close();
    }
  }, 240_000);
});
