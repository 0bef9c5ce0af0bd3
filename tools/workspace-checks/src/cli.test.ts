import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { HEAP_FLAGS } from '@testio-mcp/app-runtime';
import { startSandbox } from '@testio-mcp/testio-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogueToolNames } from './__fixtures__/catalogue.js';

/** The `testio-mcp` bin as a user runs it: a real process, real stdout/stderr, real signals. */

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/testio-mcp.mjs');

const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TESTIO_CUSTOMER_API_TOKEN;
  return { ...env, ...extra };
}

function launch(args: string[], env = cleanEnv()) {
  // cwd outside the repo so a developer's own .env is not picked up.
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT + '/tools', env });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
      const started = Date.now();
      for (;;) {
        const match = stderr.match(pattern) ?? stdout.match(pattern);
        if (match) return match;
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before ${pattern}: ${stderr}`);
        if (Date.now() - started > timeoutMs)
          throw new Error(`no ${pattern} within ${timeoutMs} ms: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

async function run(args: string[], env?: NodeJS.ProcessEnv) {
  const p = launch(args, env);
  const code = await p.exited;
  return { code, stdout: p.out(), stderr: p.err() };
}

describe('testio-mcp CLI', () => {
  it('prints its version and help', async () => {
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('sandbox');
    expect(help.stdout).toContain('start');
    expect(help.stdout).toContain('serve');
  });

  it('refuses an unknown command with exit code 2 and a pointer to --help', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
    expect(result.stderr).toContain('--help');
  });

  it('setup without a terminal refuses politely and points to --non-interactive (setup.test.ts covers the rest)', async () => {
    const result = await run(['setup']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('setup needs a terminal');
    expect(result.stderr).not.toContain('not built yet');
  });

  it('names the flag, the value and what is allowed for a bad sandbox flag', async () => {
    const result = await run(['sandbox', '--scale', 'huge']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--scale.*huge.*demo, small, medium, large/);
  });

  it('serves the sandbox and stops cleanly on SIGTERM', async () => {
    const p = launch(['sandbox', '--port', '0', '--scale', 'demo']);
    const [url] = await p.waitFor(/http:\/\/127\.0\.0\.1:\d+\/customer\/v2/);
    const response = await fetch(`${url}/products`, { headers: { Authorization: 'Token sandbox-token' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { products: unknown[] };
    expect(body.products).toHaveLength(3);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('npm start runs the demo on the sandbox when no token is configured, syncs it, serves MCP, and stops on Ctrl-C', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'testio-start-'));
    let p: ReturnType<typeof launch> | undefined;
    try {
      p = launch(
        ['start'],
        cleanEnv({
          TESTIO_SANDBOX_PORT: '0',
          TESTIO_SANDBOX_SCALE: 'demo',
          TESTIO_HTTP_PORT: '0',
          TESTIO_DB_PATH: path.join(dir, 'demo.db'),
          LOG_FORMAT: 'text',
        }),
      );
      await p.waitFor(/DEMO MODE/);
      const [url] = await p.waitFor(/http:\/\/127\.0\.0\.1:\d+\/customer\/v2/);
      expect((await fetch(`${url}/products`)).status).toBe(401);
      expect(
        (await fetch(`${url}/products`, { headers: { Authorization: 'Token sandbox-token' } })).status,
      ).toBe(200);
      // The worker, a child process with prefixed lines, mirrors the sandbox into SQLite.
      await p.waitFor(/\[worker\].*sync #\d+ success/, 60_000);
      // The MCP server: its URL and ready-to-paste client configurations, then an SDK client on it.
      const [, mcpUrl] = await p.waitFor(/MCP server\s+(http:\/\/127\.0\.0\.1:\d+\/mcp)/, 60_000);
      await p.waitFor(/Press Ctrl-C to stop/);
      expect(p.err()).toContain(`claude mcp add --transport http testio-mcp ${mcpUrl}`);
      expect(p.err()).toContain('"TESTIO_DB_PATH"');
      // The worker and the server run under the V8 heap limits (ADR 0011), and so does the printed stdio server.
      expect(p.err()).toContain('"--max-old-space-size=192"');
      const children = readFileSync(`/proc/${p.child.pid}/task/${p.child.pid}/children`, 'utf8')
        .trim()
        .split(/\s+/);
      const commandLines = children.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
      expect(commandLines.map((argv) => argv.slice(1, 3))).toEqual(Array(2).fill([...HEAP_FLAGS]));
      expect(
        commandLines.map((argv) => argv.find((a) => ['worker', 'serve', 'api'].includes(a))).sort(),
      ).toEqual(['serve', 'worker']);
      const client = new Client({ name: 'cli-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl ?? '')));
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toEqual(catalogueToolNames());
        const result = await client.callTool({ name: 'list_products', arguments: {} });
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent).toMatchObject({ total_count: 3 });
      } finally {
        await client.close();
      }
      // The REST API on the same port (ADR 0015): the same numbers as JSON, and its docs.
      const [, apiUrl] = await p.waitFor(/REST API\s+(http:\/\/127\.0\.0\.1:\d+\/api)/);
      expect(apiUrl).toBe(mcpUrl?.replace(/\/mcp$/, '/api'));
      const products = (await (await fetch(`${apiUrl}/products`)).json()) as { total_count: number };
      expect(products.total_count).toBe(3);
      expect((await fetch(`${apiUrl?.replace(/\/api$/, '')}/openapi.json`)).status).toBe(200);
      p.child.kill('SIGINT');
      expect(await p.exited).toBe(0);
      expect(p.err()).toContain('stopped (SIGINT).');
      expect(existsSync(path.join(dir, 'demo.db'))).toBe(true);
    } finally {
      // A failed check must not leave the demo (and its worker and server) running.
      if (p && p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm start with a token talks to the configured API instead, and never prints the token', async () => {
    const sandbox = await startSandbox({ port: 0, scale: 'demo', token: 'tok-real-looking-0123456789' });
    const dir = mkdtempSync(path.join(tmpdir(), 'testio-start-'));
    try {
      const p = launch(
        ['start'],
        cleanEnv({
          TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
          TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
          TESTIO_HTTP_PORT: '0',
          TESTIO_DB_PATH: path.join(dir, 'cache.db'),
          LOG_FORMAT: 'text',
        }),
      );
      await p.waitFor(/\[worker\].*sync #\d+ success/, 60_000);
      await p.waitFor(/Press Ctrl-C to stop/, 60_000);
      expect(p.err()).toContain('<your TestIO API token>');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.err()).not.toContain('DEMO MODE');
      expect(p.err() + p.out()).not.toContain(sandbox.token);
    } finally {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
