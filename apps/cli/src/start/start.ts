import os from 'node:os';
import path from 'node:path';
import type { RunningSandbox } from '@testio-mcp/testio-sandbox';
import {
  startChild,
  stopChild,
  waitForHealth,
  withTimeout,
  type Child,
  type ChildEnv,
  type ChildExit,
} from './children.js';
import { readyBanner, restBase } from './client-configs.js';

/**
 * `npm start`: the main job. It runs the sync worker and the server (MCP over Streamable HTTP at /mcp and
 * the REST API beside it, on one port: ADR 0015) as child processes with prefixed logs, then prints their
 * URLs and ready-to-paste client configurations. With no TestIO token it first starts the embedded sandbox
 * and points everything at it: demo mode, loudly labelled. Ctrl-C stops everything cleanly.
 */

const DEMO_PORT = 4010;
const READY_TIMEOUT_MS = 60_000;
const MCP_READY = /MCP server ready at (http:\/\/\S+?\/mcp)\b/;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The entry this process was started from: bin/testio-mcp.mjs in a checkout, the bundled bin of the
 * installed package. The children and the stdio client configurations run the same one.
 */
function cliEntry(): string {
  const entry = process.argv[1];
  if (!entry) throw new Error('start runs its children from the testio-mcp entry, and this process has none');
  return path.resolve(entry);
}

export function parsePort(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name}='${value}' is not valid: expected a port number between 0 and 65535`);
  }
  return port;
}

/** Starts the embedded sandbox for demo mode, as TESTIO_SANDBOX_SCALE and TESTIO_SANDBOX_PORT say. */
async function startDemoSandbox(env: ChildEnv): Promise<RunningSandbox> {
  const { startSandbox, SANDBOX_SCALES } = await import('@testio-mcp/testio-sandbox');
  const scale = env.TESTIO_SANDBOX_SCALE ?? 'small';
  const known = SANDBOX_SCALES.find((s) => s === scale);
  if (!known) {
    throw new Error(
      `TESTIO_SANDBOX_SCALE='${scale}' is not valid: expected one of ${SANDBOX_SCALES.join(', ')}`,
    );
  }
  const port = parsePort(env.TESTIO_SANDBOX_PORT, 'TESTIO_SANDBOX_PORT') ?? DEMO_PORT;
  return startSandbox({ port, scale: known, seed: 7 });
}

function introduction(sandbox: RunningSandbox | null, childEnv: ChildEnv): string {
  return [
    '',
    ...(sandbox
      ? [
          '  ┌─────────────────────────────────────────────────────────────────────┐',
          '  │  DEMO MODE: no TESTIO_CUSTOMER_API_TOKEN, serving simulated data    │',
          '  └─────────────────────────────────────────────────────────────────────┘',
          '',
          `  TestIO sandbox   ${sandbox.baseUrl}   (Authorization: Token ${sandbox.token})`,
          `  ground truth     ${sandbox.origin}/_sandbox/truth`,
        ]
      : [`  TestIO API       ${childEnv.TESTIO_CUSTOMER_API_BASE_URL || 'https://api.test.io/customer/v2'}`]),
    `  SQLite mirror    ${childEnv.TESTIO_DB_PATH || '~/.testio-mcp/cache.db'} (kept fresh by the sync worker)`,
    '',
    '  Starting the sync worker, then the server (MCP and the REST API on one port)...',
    '',
  ].join('\n');
}

export async function runStart(env: ChildEnv): Promise<void> {
  const entry = cliEntry();
  const token = env.TESTIO_CUSTOMER_API_TOKEN?.trim();
  let sandbox: RunningSandbox | null = null;
  // Children write to pipes, so they would pick JSON logs; a person at a terminal reads text.
  const childEnv: ChildEnv = {
    ...env,
    LOG_FORMAT: env.LOG_FORMAT || (process.stderr.isTTY ? 'text' : 'json'),
  };

  if (!token) {
    sandbox = await startDemoSandbox(env);
    Object.assign(childEnv, {
      TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
      TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
      TESTIO_DB_PATH: env.TESTIO_DB_PATH || path.join(os.homedir(), '.testio-mcp', 'demo.db'),
      TESTIO_DEMO_MODE: 'true',
    });
  }

  process.stderr.write(introduction(sandbox, childEnv));

  const worker = startChild(entry, 'worker', ['worker'], childEnv);
  const children: Child[] = [worker];
  let stopping = false;
  let stopAll: (reason: string, signal?: NodeJS.Signals) => Promise<void> = async () => undefined;
  // Each child has SHUTDOWN_GRACE_PERIOD_SECONDS to stop on its own (and exits by itself past it).
  const graceSeconds =
    Number(env.SHUTDOWN_GRACE_PERIOD_SECONDS) > 0 ? Number(env.SHUTDOWN_GRACE_PERIOD_SECONDS) : 10;
  const stopTimeoutMs = (graceSeconds + 5) * 1000;
  // The children have process groups of their own: whatever ends this process ends them too.
  process.once('exit', () => {
    for (const c of children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  });
  /** A child that exits on its own stops everything. */
  const watchExit = (c: Child) =>
    void c.exited.then(({ code }) => {
      if (!stopping) {
        process.exitCode = code === 0 ? 0 : 1;
        void stopAll(`${c.name} exited with code ${code}`);
      }
    });

  // The server starts once the worker has opened (and migrated) the database. It serves MCP and the REST
  // API on one port whatever TESTIO_API_MODE says, since the banner promises both. The worker beside it
  // syncs, with its own prefixed log lines, so the server does not start a sync process of its own.
  const mcpReady = withTimeout(
    worker.waitForLine(/sync worker started/),
    READY_TIMEOUT_MS,
    'the sync worker did not start',
  ).then(async () => {
    if (stopping) return;
    const mcp = startChild(
      entry,
      'mcp',
      ['serve', '--transport', 'http', '--api-mode', 'hybrid', '--no-sync'],
      childEnv,
    );
    children.push(mcp);
    watchExit(mcp);
    const [, url = ''] = await withTimeout(
      mcp.waitForLine(MCP_READY),
      READY_TIMEOUT_MS,
      'the MCP server did not start',
    );
    const health = await withTimeout(
      waitForHealth(`${restBase(url, childEnv)}/health`, mcp.child, childEnv.TESTIO_API_KEYS),
      READY_TIMEOUT_MS,
      'the server did not answer /health',
    );
    // Keys in TESTIO_API_KEYS, or in the database (the server then refuses a key-less /health).
    const keyRequired = health.status === 401 || Boolean(childEnv.TESTIO_API_KEYS?.trim());
    if (!stopping) process.stderr.write(readyBanner(url, childEnv, Boolean(sandbox), entry, keyRequired));
  });

  await new Promise<void>((resolve) => {
    stopAll = async (reason, signal) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n  ${reason}, stopping (again to stop at once)...\n`);
      const results: ChildExit[] = await Promise.all(children.map((c) => stopChild(c, stopTimeoutMs)));
      if (results.some((r) => r.code !== 0 && r.code !== null)) process.exitCode = 1;
      if (sandbox) await sandbox.close();
      process.stderr.write(`  stopped${signal ? ` (${signal})` : ''}.\n`);
      resolve();
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (!stopping) {
        void stopAll(`${signal} received`, signal);
        return;
      }
      process.stderr.write(`\n  second ${signal} received: stopping at once\n`);
      for (const c of children) c.child.kill('SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    watchExit(worker);
    mcpReady.catch((error: unknown) => {
      if (stopping) return;
      process.stderr.write(`\n  ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
      void stopAll('start-up failed');
    });
  });
}
