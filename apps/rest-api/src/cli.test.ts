import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApiCommand } from './cli.js';

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return () => text;
}

describe('testio-mcp api', () => {
  let sandbox: RunningSandbox;
  let dir: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      seed: 7,
      scale: 'small',
      anchor: new Date('2025-06-01T00:00:00Z'),
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'rest-cli-'));
  });

  afterAll(async () => {
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('listens, prints the API and docs URLs, serves, and stops cleanly', async () => {
    const stdout = new PassThrough();
    const printed = collect(stdout);
    const stop = new AbortController();
    let urls: { api: string; docs: string; base: string } | undefined;
    let checks: Promise<unknown> = Promise.resolve();
    const env = {
      TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
      TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
      TESTIO_DB_PATH: path.join(dir, 'cli.db'),
      LOG_LEVEL: 'error',
    };
    const exit = runApiCommand(['--host', '127.0.0.1', '--port', '0'], env, {
      stdout,
      signal: stop.signal,
      onListening: (u) => {
        urls = u;
        checks = (async () => {
          const health = await fetch(`${u.base}/health`);
          const docs = await fetch(`${u.docs}/`);
          return {
            health: health.status,
            body: (await health.json()) as { status: string },
            docs: docs.status,
          };
        })().finally(() => stop.abort());
      },
    });
    await expect(exit).resolves.toBe(0);
    // Never synced: the mirror answers, but the data is not there yet.
    await expect(checks).resolves.toEqual({
      health: 200,
      body: expect.objectContaining({ status: 'degraded' }),
      docs: 200,
    });
    expect(urls?.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    expect(printed()).toContain(`TestIO REST API  ${urls?.api}`);
    expect(printed()).toContain(`API docs         ${urls?.docs}`);
  });

  it('refuses a network address without API keys (exit 2, three-part message)', async () => {
    const stderr = new PassThrough();
    const printed = collect(stderr);
    const code = await runApiCommand(
      ['--host', '0.0.0.0', '--port', '0'],
      {
        TESTIO_CUSTOMER_API_TOKEN: 't',
        TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
        TESTIO_DB_PATH: path.join(dir, 'refused.db'),
      },
      { stderr },
    );
    expect(code).toBe(2);
    expect(printed()).toMatch(/❌ .*TESTIO_API_KEYS is empty/);
    expect(printed()).toContain('testio-mcp keys create --tenant default --role admin');
  });

  it('rejects a bad --port and an unknown flag', async () => {
    const stderr = new PassThrough();
    const printed = collect(stderr);
    expect(await runApiCommand(['--port', '99999'], {}, { stderr })).toBe(2);
    expect(printed()).toContain("--port '99999' is not valid");
    expect(await runApiCommand(['--nope'], {}, { stderr })).toBe(2);
  });
});
