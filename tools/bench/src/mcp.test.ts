import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getEventListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, connectMcp } from './mcp.js';
import { launchCli, productEnv, startMcpHttp, type Launched } from './process.js';
import { fetchWithRequestSignal } from './request-signal-fetch.js';
import { startBenchSandbox } from './sandbox.js';

/**
 * Issue 18: the SDK client as the bench and the reliability suite use it (`connectMcp`) against a real
 * `serve --transport http` on the sandbox makes thousands of calls without a MaxListenersExceededWarning,
 * and the per-request signal it uses leaves nothing on the transport's long-lived signal.
 */

let sandbox: RunningSandbox;
let dir: string;
let server: { proc: Launched; url: string };

beforeAll(async () => {
  sandbox = await startBenchSandbox({ scale: 'demo' });
  dir = mkdtempSync(join(tmpdir(), 'testio-bench-mcp-'));
  const env = productEnv(sandbox, join(dir, 'mirror.db'), {
    LOG_LEVEL: 'info',
    TESTIO_RATE_LIMIT_VIEWER: '0',
    TESTIO_RATE_LIMIT_OPERATOR: '0',
    TESTIO_RATE_LIMIT_ADMIN: '0',
  });
  const sync = launchCli(['sync', '--force'], { env, cwd: dir });
  const { code } = await sync.exited;
  if (code !== 0) throw new Error(`sync --force exited ${code}: ${sync.err().slice(-2000)}`);
  server = await startMcpHttp(env, dir);
}, 180_000);

afterAll(async () => {
  await server?.proc.stop();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function collectListenerWarnings(): { warnings: string[]; stop(): void } {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => {
    if (warning.name === 'MaxListenersExceededWarning') warnings.push(warning.message);
  };
  process.on('warning', onWarning);
  return { warnings, stop: () => process.off('warning', onWarning) };
}

describe('connectMcp', () => {
  it('answers 3,000 calls on one client without a MaxListenersExceededWarning or a listener left', async () => {
    const collected = collectListenerWarnings();
    // The signals the transport hands to fetch: its one long-lived signal (undici's listeners would
    // pile up there, and go only when the garbage collector gets to their requests).
    const signals = new Set<AbortSignal>();
    const observe: Parameters<typeof connectMcp>[3] = (fetch) => (url, init) => {
      if (init?.signal) signals.add(init.signal);
      return fetch(url, init);
    };
    let client: Client | undefined;
    try {
      client = await connectMcp(server.url, 'soak-test', undefined, observe);
      let answered = 0;
      for (let i = 0; i < 2_000; i++) {
        const answer = await callTool(client, 'list_products', {});
        if (!answer.isError) answered++;
      }
      // Four at a time as well: each call in flight holds one listener, released when its body ends.
      for (let i = 0; i < 250; i++) {
        const answers = await Promise.all(
          Array.from({ length: 4 }, () => callTool(client as Client, 'list_products', {})),
        );
        answered += answers.filter((a) => !a.isError).length;
      }
      expect(answered).toBe(3_000);
      // Warnings are emitted on the next tick; let them arrive before looking.
      await new Promise((resolve) => setImmediate(resolve));
      expect(collected.warnings).toEqual([]);
      expect(signals.size).toBeGreaterThan(0);
      // A call resolves when its JSON-RPC answer is parsed, which can come before the read that ends
      // its body (and releases its listener): give the last bodies a moment to end, then look.
      const left = () => [...signals].reduce((n, signal) => n + getEventListeners(signal, 'abort').length, 0);
      for (let waited = 0; left() > 0 && waited < 5_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (const signal of signals) expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    } finally {
      collected.stop();
      await client?.close();
    }
  }, 300_000); // 3,000 calls: seconds alone, minutes on a shared two-core machine
});

describe('fetchWithRequestSignal', () => {
  let slow: Server;
  let slowUrl: string;

  beforeAll(async () => {
    // A body that starts at once and never ends: a stream the client is still reading.
    slow = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
  });

  it('leaves no listener on the long-lived signal after whole answers from the server', async () => {
    const controller = new AbortController();
    const wrapped = fetchWithRequestSignal();
    for (let i = 0; i < 50; i++) {
      const response = await wrapped(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' }),
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('list_products');
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('still aborts a body being read when the long-lived signal aborts, then lets go of it', async () => {
    const controller = new AbortController();
    const response = await fetchWithRequestSignal()(slowUrl, { signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain(': open');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const next = reader.read();
    controller.abort(new Error('transport closed'));
    await expect(next).rejects.toThrow();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('lets go of the long-lived signal when the reader cancels the body', async () => {
    const controller = new AbortController();
    const response = await fetchWithRequestSignal()(slowUrl, { signal: controller.signal });
    await response.body?.cancel();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
