import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, launch } from './__fixtures__/processes.js';

/**
 * Each app at a terminal (a pseudo-terminal driven by python3) and through a pipe: text logs for people,
 * JSON for machines, with no LOG_FORMAT set; Ctrl-C typed at the terminal stops it cleanly.
 */

const python = spawnSync('python3', ['--version']).status === 0;
let sandbox: RunningSandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, scale: 'demo' });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'testio-terminal-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    TERM: 'dumb',
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: path.join(dir, 'cache.db'),
    TESTIO_HTTP_PORT: '0',
    TESTIO_REST_PORT: '0',
    ...extra,
  };
}

/** Runs `testio-mcp <args>` in a pseudo-terminal, waits for `ready`, types Ctrl-C, and returns the transcript. */
async function atTerminal(args: string[], ready: string, processEnv = env()) {
  const steps = [[ready, '\u0003']];
  const driver = spawn(
    'python3',
    [
      path.join(import.meta.dirname, '__fixtures__/pty-drive.py'),
      JSON.stringify(steps),
      '--',
      process.execPath,
      BIN,
      ...args,
    ],
    {
      cwd: dir,
      env: { ...processEnv, PTY_STEP_TIMEOUT: '60' },
    },
  );
  let stdout = '';
  driver.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  await new Promise((resolve) => driver.on('exit', resolve));
  return JSON.parse(stdout) as { exitCode: number | null; failure: string | null; transcript: string };
}

const TEXT_LINE = (message: string) => new RegExp(`^\\d\\d:\\d\\d:\\d\\d INFO {2}${message}`, 'm');

describe.skipIf(!python)('at a terminal', () => {
  it.each([
    ['serve', ['serve', '--transport', 'http'], 'MCP server ready at', 'MCP server stopped \\(SIGINT\\)'],
    ['api', ['api'], 'REST API ready at', 'REST API stopped \\(SIGINT\\)'],
    ['worker', ['worker'], 'sync #1 success', 'sync worker stopped \\(SIGINT\\)'],
  ])(
    '%s logs text and stops on Ctrl-C',
    async (_name, args, ready, stopped) => {
      const result = await atTerminal(args, ready);
      expect(result.failure, result.transcript).toBeNull();
      expect(result.exitCode, result.transcript).toBe(0);
      expect(result.transcript).toMatch(TEXT_LINE(ready));
      expect(result.transcript).toMatch(TEXT_LINE(stopped));
      expect(result.transcript).not.toContain('{"level"');
    },
    90_000,
  );

  it('start stops all its children on one Ctrl-C, each child stopping once and cleanly', async () => {
    const result = await atTerminal(
      ['start'],
      'Press Ctrl-C to stop',
      env({ TESTIO_CUSTOMER_API_TOKEN: '', TESTIO_SANDBOX_PORT: '0', TESTIO_SANDBOX_SCALE: 'demo' }),
    );
    expect(result.failure, result.transcript).toBeNull();
    expect(result.exitCode, result.transcript).toBe(0);
    expect(result.transcript).toContain('stopped (SIGINT).');
    // The children got start's SIGTERM only (their own process groups): no "second signal" anywhere.
    expect(result.transcript).toMatch(/\[worker\] .*INFO {2}sync worker stopped \(SIGTERM\)/);
    expect(result.transcript).toMatch(/\[mcp\] .*INFO {2}MCP server stopped \(SIGTERM\)/);
    expect(result.transcript).not.toContain('second SIG');
  }, 120_000);
});

describe('through a pipe', () => {
  it.each([
    ['serve', ['serve', '--transport', 'http'], 'MCP server ready at'],
    ['api', ['api'], 'REST API ready at'],
    ['worker', ['worker'], 'sync worker started'],
  ])(
    '%s logs one JSON object per line',
    async (_name, args, ready) => {
      const p = launch(args, env(), dir);
      await p.waitFor(new RegExp(ready));
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      const lines = p.err().trim().split('\n');
      expect(lines.length).toBeGreaterThan(2);
      for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    },
    60_000,
  );
});
