// `npm start`: the main job. It runs the sync worker and the server (MCP over Streamable HTTP at /mcp and the
// REST API beside it, on one port: ADR 0015) as child processes with prefixed logs, then prints their URLs and
// ready-to-paste client configurations. With no TestIO token it first starts the embedded sandbox and
// points everything at it: demo mode, loudly labelled. Ctrl-C stops everything cleanly.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { heapFlagsFor } from '@testio-mcp/app-runtime';

/**
 * The entry this process was started from: bin/testio-mcp.mjs in a checkout, the bundled bin of the installed
 * package. The children and the stdio client configurations run the same one.
 */
const BIN = process.argv[1]
  ? path.resolve(process.argv[1])
  : fileURLToPath(new URL('./testio-mcp.mjs', import.meta.url));
const DEMO_PORT = 4010;
const READY_TIMEOUT_MS = 60_000;
const MCP_READY = /MCP server ready at (http:\/\/\S+?\/mcp)\b/;

function parsePort(value, name) {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name}='${value}' is not valid: expected a port number between 0 and 65535`);
  }
  return port;
}

/**
 * With LOG_FILE set, each child writes (and rotates) its own file: `server.log` becomes `server.worker.log`
 * and `server.mcp.log`, so no two processes rotate the same file.
 */
function childLogEnv(env, name) {
  if (!env.LOG_FILE) return env;
  const parsed = path.parse(env.LOG_FILE);
  return { ...env, LOG_FILE: path.join(parsed.dir, `${parsed.name}.${name}${parsed.ext}`) };
}

/**
 * Runs `testio-mcp <args>` as a child whose output lines are prefixed with its name. `waitForLine(re)`
 * resolves with the match of the first line (past or future) matching `re`, or rejects when the child
 * exits first.
 */
function startChild(name, args, env) {
  // Its own process group: a Ctrl-C at the terminal reaches `start` only, which then stops the children in
  // order (a child seeing the terminal's SIGINT and then start's SIGTERM would take it for a second signal).
  const child = spawn(process.execPath, [...heapFlagsFor(env), BIN, ...args], {
    env: childLogEnv(env, name),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = `[${name}]`.padEnd(9);
  const seen = [];
  const waiters = new Set();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stderr.write(`${prefix} ${line}\n`);
      seen.push(line);
      if (seen.length > 200) seen.shift();
      for (const waiter of waiters) {
        const match = line.match(waiter.pattern);
        if (match) {
          waiters.delete(waiter);
          waiter.resolve(match);
        }
      }
    });
  }
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  exited.then(({ code }) => {
    for (const waiter of waiters)
      waiter.reject(new Error(`${name} exited with code ${code} before it was ready`));
    waiters.clear();
  });
  const waitForLine = (pattern) =>
    new Promise((resolve, reject) => {
      const earlier = seen.map((line) => line.match(pattern)).find(Boolean);
      if (earlier) resolve(earlier);
      else waiters.add({ pattern, resolve, reject });
    });
  return { name, child, exited, waitForLine };
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls GET /health until it answers 200; with TESTIO_API_KEYS set it shows one (the REST API may require it). */
async function waitForHealth(healthUrl, child, apiKeys) {
  const key = (apiKeys ?? '')
    .split(',')
    .map((k) => k.trim())
    .find(Boolean);
  const headers = key ? { 'X-API-Key': key } : {};
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the MCP server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(healthUrl, { headers, signal: AbortSignal.timeout(2_000) });
      if (response.ok) return await response.json();
    } catch {
      // Not listening yet, or busy: try again shortly.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const indent = (text, pad) =>
  text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');

/**
 * Ready-to-paste configurations for Claude Desktop, Claude Code and Cursor, over HTTP (this running
 * server) and over stdio (the client starts its own `testio-mcp serve`, with the env it needs).
 * @param {{ url: string, env: Record<string, string> }} options
 */
export function clientConfigs({ url, env }) {
  const command = process.execPath;
  const args = [...heapFlagsFor(process.env), BIN, 'serve', '--transport', 'stdio'];
  const stdio = { command, args, env };
  const json = (value) => JSON.stringify(value, null, 2);
  const quote = (value) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);
  const envFlags = Object.entries(env)
    .map(([key, value]) => `-e ${quote(`${key}=${value}`)}`)
    .join(' ');
  return [
    {
      client: 'Claude Code',
      transport: 'HTTP',
      where: 'run in a terminal',
      text: `claude mcp add --transport http testio-mcp ${url}`,
    },
    {
      client: 'Claude Code',
      transport: 'stdio',
      where: 'run in a terminal',
      text: `claude mcp add testio-mcp ${envFlags} -- ${[command, ...args].map(quote).join(' ')}`,
    },
    {
      client: 'Cursor',
      transport: 'HTTP',
      where: '~/.cursor/mcp.json',
      text: json({ mcpServers: { 'testio-mcp': { url } } }),
    },
    {
      client: 'Cursor',
      transport: 'stdio',
      where: '~/.cursor/mcp.json',
      text: json({ mcpServers: { 'testio-mcp': stdio } }),
    },
    {
      client: 'Claude Desktop',
      transport: 'stdio',
      where: 'claude_desktop_config.json',
      text: json({ mcpServers: { 'testio-mcp': stdio } }),
    },
    {
      client: 'Claude Desktop',
      transport: 'HTTP',
      where: 'claude_desktop_config.json, through the mcp-remote bridge',
      text: json({ mcpServers: { 'testio-mcp': { command: 'npx', args: ['-y', 'mcp-remote', url] } } }),
    },
  ];
}

/** The env a stdio client must pass: the sandbox's in demo mode, a placeholder for a real token. */
function stdioEnv(childEnv, demo) {
  const env = {
    TESTIO_CUSTOMER_API_TOKEN: demo ? childEnv.TESTIO_CUSTOMER_API_TOKEN : '<your TestIO API token>',
    TESTIO_CUSTOMER_API_BASE_URL: childEnv.TESTIO_CUSTOMER_API_BASE_URL || 'https://api.test.io/customer/v2',
    TESTIO_DB_PATH: childEnv.TESTIO_DB_PATH || path.join(os.homedir(), '.testio-mcp', 'cache.db'),
  };
  if (demo) env.TESTIO_DEMO_MODE = 'true';
  return env;
}

function readyBanner(url, childEnv, demo) {
  // The REST API shares the MCP server's port (hybrid mode), under TESTIO_REST_BASE_PATH when set.
  const base = url.replace(/\/mcp$/, '') + (childEnv.TESTIO_REST_BASE_PATH || '').replace(/\/+$/, '');
  const lines = [
    '',
    `  MCP server       ${url}   (health: ${base}/health, metrics: ${base}/metrics)`,
    `  REST API         ${base}/api   (docs: ${base}/docs, OpenAPI: ${base}/openapi.json)`,
    '',
    '  Connect an MCP client (more in docs/mcp-clients.md):',
  ];
  for (const config of clientConfigs({ url, env: stdioEnv(childEnv, demo) })) {
    lines.push('', `  ${config.client}, ${config.transport} (${config.where}):`, indent(config.text, '    '));
  }
  if (demo) {
    lines.push('', '  stdio configurations use the sandbox above: they work while `npm start` runs.');
  } else {
    lines.push('', '  stdio configurations: replace the token placeholder (it is never printed).');
  }
  lines.push('', '  Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

async function stopChild({ name, child, exited }, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    process.stderr.write(`  ${name} did not stop within ${timeoutMs / 1000} s, killing it\n`);
    child.kill('SIGKILL');
  }, timeoutMs);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

/**
 * @param {string[]} _args
 * @param {Record<string, string | undefined>} env
 */
export async function runStart(_args, env) {
  const token = env.TESTIO_CUSTOMER_API_TOKEN?.trim();
  let sandbox = null;
  // Children write to pipes, so they would pick JSON logs; a person at a terminal reads text.
  const childEnv = { ...env, LOG_FORMAT: env.LOG_FORMAT || (process.stderr.isTTY ? 'text' : 'json') };

  if (!token) {
    const { startSandbox, SANDBOX_SCALES } = await import('@testio-mcp/testio-sandbox');
    const scale = env.TESTIO_SANDBOX_SCALE ?? 'small';
    if (!SANDBOX_SCALES.includes(scale)) {
      throw new Error(
        `TESTIO_SANDBOX_SCALE='${scale}' is not valid: expected one of ${SANDBOX_SCALES.join(', ')}`,
      );
    }
    const port = parsePort(env.TESTIO_SANDBOX_PORT, 'TESTIO_SANDBOX_PORT') ?? DEMO_PORT;
    sandbox = await startSandbox({ port, scale, seed: 7 });
    Object.assign(childEnv, {
      TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
      TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
      TESTIO_DB_PATH: env.TESTIO_DB_PATH || path.join(os.homedir(), '.testio-mcp', 'demo.db'),
      TESTIO_DEMO_MODE: 'true',
    });
  }

  process.stderr.write(
    [
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
        : [
            `  TestIO API       ${childEnv.TESTIO_CUSTOMER_API_BASE_URL || 'https://api.test.io/customer/v2'}`,
          ]),
      `  SQLite mirror    ${childEnv.TESTIO_DB_PATH || '~/.testio-mcp/cache.db'} (kept fresh by the sync worker)`,
      '',
      '  Starting the sync worker, then the server (MCP and the REST API on one port)...',
      '',
    ].join('\n'),
  );

  const worker = startChild('worker', ['worker'], childEnv);
  const children = [worker];
  let stopping = false;
  let stopAll;
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
  const watchExit = (c) =>
    c.exited.then(({ code }) => {
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
      'mcp',
      ['serve', '--transport', 'http', '--api-mode', 'hybrid', '--no-sync'],
      childEnv,
    );
    children.push(mcp);
    watchExit(mcp);
    const [, url] = await withTimeout(
      mcp.waitForLine(MCP_READY),
      READY_TIMEOUT_MS,
      'the MCP server did not start',
    );
    const base = url.replace(/\/mcp$/, '') + (childEnv.TESTIO_REST_BASE_PATH || '').replace(/\/+$/, '');
    await withTimeout(
      waitForHealth(`${base}/health`, mcp.child, childEnv.TESTIO_API_KEYS),
      READY_TIMEOUT_MS,
      'the server did not answer /health',
    );
    if (!stopping) process.stderr.write(readyBanner(url, childEnv, Boolean(sandbox)));
  });

  await new Promise((resolve) => {
    stopAll = async (reason, signal) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n  ${reason}, stopping (again to stop at once)...\n`);
      const results = await Promise.all(children.map((c) => stopChild(c, stopTimeoutMs)));
      if (results.some((r) => r.code !== 0 && r.code !== null)) process.exitCode = 1;
      if (sandbox) await sandbox.close();
      process.stderr.write(`  stopped${signal ? ` (${signal})` : ''}.\n`);
      resolve();
    };
    const onSignal = (signal) => {
      if (!stopping) {
        void stopAll(`${signal} received`, signal);
        return;
      }
      process.stderr.write(`\n  second ${signal} received: stopping at once\n`);
      for (const c of children) c.child.kill('SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);
    watchExit(worker);
    mcpReady.catch((error) => {
      if (stopping) return;
      process.stderr.write(`\n  ${error.message}\n`);
      process.exitCode = 1;
      void stopAll('start-up failed');
    });
  });
}
