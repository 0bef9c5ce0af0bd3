import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Clock } from '@testio-mcp/domain';
import { startSandbox, type GroundTruth, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { parseMcpServerSettings } from '../config.js';
import { createMcpContainer, resolveMcpRuntime, type McpContainer } from '../container.js';
import { createServer } from '../server.js';
import type { ToolTasks } from '../tasks.js';
import { selectTools } from '../toolsets.js';
import { createHttpApp, listen, type RunningHttpServer } from '../transports/http.js';
import { memoryLogger } from './harness.js';

/**
 * The production composition over the sandbox: TestIO sandbox over HTTP → `createMcpContainer` (real
 * client, migrated SQLite file, sync engine, services), after one force sync. One per test file.
 */

export const ANCHOR = new Date('2025-06-01T00:00:00Z');

export interface McpStack {
  readonly sandbox: RunningSandbox;
  readonly container: McpContainer;
  readonly truth: GroundTruth;
  readonly env: Record<string, string>;
  readonly log: ReturnType<typeof memoryLogger>;
  close(): Promise<void>;
}

/** A clock at the sandbox's "now" that flows with real time, so "last 30 days" means the sandbox's. */
function clockAt(start: Date): Clock {
  const offset = start.getTime() - Date.now();
  return { now: () => new Date(Date.now() + offset) };
}

export async function startMcpStack(extraEnv: Record<string, string> = {}): Promise<McpStack> {
  const sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small', anchor: ANCHOR });
  const dir = mkdtempSync(path.join(tmpdir(), 'testio-mcp-server-'));
  const env = {
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
    ...extraEnv,
  };
  const log = memoryLogger();
  const settings = parseMcpServerSettings(env);
  const container = await createMcpContainer({
    settings,
    runtime: resolveMcpRuntime(settings),
    logger: log.logger,
    clock: clockAt(new Date(sandbox.truth().now)),
  });
  try {
    const sync = await container.engine.run({ mode: 'force', trigger: 'manual_cli' });
    if (sync.status !== 'success')
      throw new Error(`initial sync ended ${sync.status}: ${sync.errors.join('; ')}`);
  } catch (error) {
    await container.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    sandbox,
    container,
    truth: sandbox.truth({ perTest: true }),
    env,
    log,
    async close() {
      await container.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The stack's services over Streamable HTTP on 127.0.0.1 (a free port), every tool listed, long calls
 * run as tasks of `tasks`: the server a task client talks to.
 */
export function serveTasksOverHttp(stack: McpStack, tasks: ToolTasks): Promise<RunningHttpServer> {
  const tools = selectTools({});
  const app = createHttpApp({
    createServer: (principal) =>
      createServer({ services: stack.container.services, logger: stack.log.logger, tools, principal, tasks }),
    logger: stack.log.logger,
    bindHost: '127.0.0.1',
    health: () => Promise.resolve({ status: 'ok' }),
  });
  return listen(app, '127.0.0.1', 0);
}
