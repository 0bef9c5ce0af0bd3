import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launch, type Launched } from './__fixtures__/processes.js';

/**
 * Every long-running command stops cleanly on SIGINT and SIGTERM: exit 0 within the grace period and a
 * "stopped" line on stderr naming the signal. A second signal stops at once; a shutdown that outlasts
 * SHUTDOWN_GRACE_PERIOD_SECONDS is cut short with exit 1.
 */

let sandbox: RunningSandbox;
let slowSandbox: RunningSandbox;
let dir: string;
const running: Launched[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, scale: 'demo' });
  // Every API answer takes 3 s: a sync is still running when the signal comes.
  slowSandbox = await startSandbox({ port: 0, scale: 'demo', faults: { latencyMs: 3000 } });
});

afterAll(async () => {
  await Promise.all([sandbox.close(), slowSandbox.close()]);
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'testio-signals-'));
});

afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function env(target: RunningSandbox | null, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    TESTIO_DB_PATH: path.join(dir, 'cache.db'),
    TESTIO_HTTP_PORT: '0',
    TESTIO_REST_PORT: '0',
    TESTIO_SANDBOX_PORT: '0',
    TESTIO_SANDBOX_SCALE: 'demo',
    LOG_FORMAT: 'json',
    ...(target
      ? { TESTIO_CUSTOMER_API_TOKEN: target.token, TESTIO_CUSTOMER_API_BASE_URL: target.baseUrl }
      : {}),
    ...extra,
  };
}

function start(args: string[], processEnv: NodeJS.ProcessEnv): Launched {
  const p = launch(args, processEnv, dir);
  running.push(p);
  return p;
}

/** Sends the signal, and returns the exit code and how long the stop took. */
async function stopWith(p: Launched, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  p.child.kill(signal);
  const code = await p.exited;
  return { code, ms: Date.now() - started };
}

describe.each(['SIGINT', 'SIGTERM'] as const)('%s', (signal) => {
  it('stops `serve --transport stdio`', async () => {
    const p = start(['serve', '--transport', 'stdio'], env(sandbox));
    await p.waitFor(/MCP server ready on stdio/);
    // Its own sync process (ADR 0012) is stopped with it, and has its own clean stop.
    await p.waitFor(/"msg":"sync worker started"/);
    const { code, ms } = await stopWith(p, signal);
    expect(code, p.err()).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(p.err()).toContain(`MCP server stopped (${signal})`);
    expect(p.err()).toContain('sync worker stopped (SIGTERM)');
    expect(p.out()).toBe('');
  });

  it('stops `serve --transport http`', async () => {
    const p = start(['serve', '--transport', 'http'], env(sandbox));
    const [, url] = await p.waitFor(/MCP server ready at (http:\/\/\S+?\/mcp)/);
    expect((await fetch(url?.replace(/\/mcp$/, '/health') ?? '')).status).toBe(200);
    await p.waitFor(/"msg":"sync worker started"/);
    const { code, ms } = await stopWith(p, signal);
    expect(code, p.err()).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(p.err()).toContain(`MCP server stopped (${signal})`);
    expect(p.err()).toContain('sync worker stopped (SIGTERM)');
  });

  it('stops `api`', async () => {
    const p = start(['api'], env(sandbox));
    await p.waitFor(/REST API ready at/);
    const { code, ms } = await stopWith(p, signal);
    expect(code, p.err()).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(p.err()).toContain(`REST API stopped (${signal})`);
  });

  it('stops `worker` after its sync', async () => {
    const p = start(['worker'], env(sandbox));
    await p.waitFor(/sync #1 success/);
    const { code, ms } = await stopWith(p, signal);
    expect(code, p.err()).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(p.err()).toContain(`sync worker stopped (${signal})`);
  });

  it('stops `sandbox`', async () => {
    const p = start(['sandbox', '--port', '0', '--scale', 'demo'], env(null));
    await p.waitFor(/Press Ctrl\+C to stop/);
    const { code } = await stopWith(p, signal);
    expect(code, p.err()).toBe(0);
    expect(p.err()).toContain(`testio-mcp sandbox: stopped (${signal})`);
  });
});

describe('start', () => {
  it('passes the global flags to its children, gives each its own log file, and stops them all on SIGTERM', async () => {
    const p = start(
      ['start', '--log-format', 'json', '--log-file', path.join(dir, 'logs', 'server.log')],
      env(null, { LOG_FORMAT: 'text' }),
    );
    await p.waitFor(/Press Ctrl-C to stop/, 90_000);
    // --log-format json beat LOG_FORMAT=text in the children too.
    expect(p.err()).toMatch(/^\[worker\] +\{"level":30,/m);
    expect(p.err()).toMatch(/^\[mcp\] +\{"level":30,/m);
    const { code, ms } = await stopWith(p, 'SIGTERM');
    expect(code, p.err()).toBe(0);
    expect(ms).toBeLessThan(20_000);
    expect(p.err()).toContain('stopped (SIGTERM).');
    expect(p.err()).toMatch(/\[worker\].*sync worker stopped \(SIGTERM\)/);
    expect(p.err()).toMatch(/\[mcp\].*MCP server stopped \(SIGTERM\)/);
    for (const name of ['worker', 'mcp'])
      expect(existsSync(path.join(dir, 'logs', `server.${name}.log`))).toBe(true);
  }, 120_000);
});

describe('a slow shutdown', () => {
  it('a second signal stops the worker at once (exit 130 after SIGINT)', async () => {
    const p = start(['worker'], env(slowSandbox));
    await p.waitFor(/sync started/);
    p.child.kill('SIGTERM');
    await p.waitFor(/stopping: the current write finishes first/);
    const { code, ms } = await stopWith(p, 'SIGINT');
    expect(code).toBe(130);
    expect(ms).toBeLessThan(2_000);
    expect(p.err()).toContain('second SIGINT received while stopping: exiting now');
  }, 60_000);

  it('past SHUTDOWN_GRACE_PERIOD_SECONDS the worker exits with status 1 and says why', async () => {
    const p = start(['worker'], env(slowSandbox, { SHUTDOWN_GRACE_PERIOD_SECONDS: '1' }));
    await p.waitFor(/sync started/);
    const { code, ms } = await stopWith(p, 'SIGTERM');
    expect(code).toBe(1);
    expect(ms).toBeLessThan(2_900);
    expect(p.err()).toContain('shutdown took longer than the grace period (1 s');
  }, 60_000);
});
