import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launch } from './__fixtures__/processes.js';

/**
 * The global flags of `testio-mcp`: on every command, before or after it, `--flag value` or
 * `--flag=value`; checked with the schema of the variable they set (so the limits agree); winning over
 * the environment, which wins over the env file.
 */

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'testio-flags-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A serve that can start without a network: a token and an address nobody listens on (the API is not
 * called at start), and no sync process of its own (ADR 0012; first-sync.e2e.test.ts covers that).
 */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    TESTIO_CUSTOMER_API_TOKEN: 'tok-flags-0123456789',
    TESTIO_CUSTOMER_API_BASE_URL: 'http://127.0.0.1:9/customer/v2',
    TESTIO_DB_PATH: path.join(dir, 'cache.db'),
    TESTIO_SERVE_SYNC: 'false',
    ...extra,
  };
}

/** Runs the command with stdin closed at once (a stdio server then stops by itself). */
async function run(args: string[], extra: Record<string, string> = {}) {
  const p = launch(args, env(extra), dir);
  p.child.stdin.end();
  const code = await p.exited;
  return { code, stdout: p.out(), stderr: p.err() };
}

describe('global flag values', () => {
  it.each([
    [
      ['serve', '--log-level', 'loud'],
      "--log-level 'loud' is not valid: expected DEBUG, INFO, WARNING, ERROR or CRITICAL (it sets LOG_LEVEL",
    ],
    [
      ['--log-format=xml', 'api'],
      "--log-format 'xml' is not valid: expected json or text (it sets LOG_FORMAT",
    ],
    [
      ['--max-concurrent-requests', '0', 'worker'],
      "--max-concurrent-requests '0' is not valid: must be at least 1 (it sets MAX_CONCURRENT_API_REQUESTS",
    ],
    [
      ['sync', '--http-timeout=301'],
      "--http-timeout '301' is not valid: must be at most 300 (it sets HTTP_TIMEOUT_SECONDS",
    ],
    [
      ['--cache-ttl', 'soon', 'serve'],
      "--cache-ttl 'soon' is not valid: expected an integer between 60 and 86400 (it sets CACHE_TTL_SECONDS",
    ],
    [['sandbox', '--cache-ttl', '59'], "--cache-ttl '59' is not valid: must be at least 60"],
    [['serve', '--log-level'], '--log-level needs a value'],
    [['--frobnicate', 'serve'], "unknown option '--frobnicate' before the command"],
  ])('%j stops with exit code 2, naming the flag, the value and what is allowed', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it('has the same limits as the environment variable it sets', async () => {
    const fromEnv = await run(['serve'], { MAX_CONCURRENT_API_REQUESTS: '51' });
    const fromFlag = await run(['serve', '--max-concurrent-requests', '51']);
    expect(fromEnv.code).toBe(2);
    expect(fromFlag.code).toBe(2);
    expect(fromEnv.stderr).toContain("MAX_CONCURRENT_API_REQUESTS='51' is not valid: must be at most 50");
    expect(fromFlag.stderr).toContain("--max-concurrent-requests '51' is not valid: must be at most 50");
  });
});

describe('precedence and placement', () => {
  const ready = /MCP server ready on stdio/;

  it('reads the env file; the environment wins over it; a flag wins over both, before or after the command', async () => {
    const file = path.join(dir, 'settings.env');
    writeFileSync(file, 'LOG_FORMAT=text\nLOG_LEVEL=info\n');
    const fromFile = await run(['serve', '--env-file', file]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stderr).toMatch(/^\d\d:\d\d:\d\d INFO {2}MCP server ready on stdio/m);

    const fromEnv = await run(['--env-file', file, 'serve'], { LOG_FORMAT: 'json' });
    expect(fromEnv.stderr).toMatch(/^\{"level":30,.*"msg":"MCP server ready on stdio"\}$/m);

    for (const args of [
      ['--log-format', 'text', '--env-file', file, 'serve', '--log-level', 'warning'],
      ['serve', '--env-file=' + file, '--log-format=text', '--log-level=warning'],
      ['--log-level=warning', 'serve', '--transport', 'stdio', '--log-format', 'text', '--env-file', file],
    ]) {
      const result = await run(args, { LOG_FORMAT: 'json', LOG_LEVEL: 'debug' });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      // warning: the info lines are gone, whatever the environment and the file said.
      expect(result.stderr).not.toMatch(ready);
    }
    const textFlag = await run(['serve', '--log-format', 'text'], { LOG_FORMAT: 'json' });
    expect(textFlag.stderr).toMatch(/^\d\d:\d\d:\d\d INFO {2}MCP server ready on stdio/m);
    // Six `serve` processes one after another, each started through tsx: 8–11 s apiece on a loaded
    // 2-core machine, past the shared 60 s limit. The limit stops a hang; it measures nothing.
  }, 240_000);

  it('--log-file writes JSON lines to the file while stdout carries only the protocol', async () => {
    const file = path.join(dir, 'logs', 'mcp.log');
    const result = await run(['serve', '--log-file', file, '--log-format', 'text']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('MCP server ready on stdio');
    expect(readFileSync(file, 'utf8')).not.toContain('tok-flags-0123456789');
  });
});

describe('help and version', () => {
  it.each([
    [['serve', '--help']],
    [['--help', 'serve']],
    [['help', 'serve']],
    [['serve', '-h', '--log-level', 'debug']],
  ])('%j shows the command help and the global options', async (args) => {
    const result = await run(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: testio-mcp serve');
    expect(result.stdout).toContain('--transport');
    expect(result.stdout).toContain('Global options');
    expect(result.stdout).toContain('--max-concurrent-requests N');
    expect(result.stdout).toContain('[CACHE_TTL_SECONDS]');
  });

  it.each(['setup', 'start', 'sync', 'api', 'worker', 'sandbox', 'problematic'])(
    '%s --help lists its options and the global ones',
    async (command) => {
      const result = await run([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`testio-mcp ${command}`);
      expect(result.stdout).toContain('Global options');
    },
  );

  it('a bare testio-mcp (global options allowed) is serve over stdio: it answers initialize on stdout', async () => {
    for (const args of [[], ['--log-level', 'info']]) {
      const p = launch(args, env({ LOG_FORMAT: 'json' }), dir);
      p.child.stdin.write(
        `${JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'raw', version: '1' },
          },
        })}\n`,
      );
      const [line] = await p.waitFor(/^\{.*"id":1.*\}$/m);
      p.child.stdin.end();
      expect(await p.exited).toBe(0);
      const answer = JSON.parse(line) as { result?: { serverInfo?: { name?: string } } };
      expect(answer.result?.serverInfo?.name).toBe('testio-mcp');
      expect(p.out().trim()).toBe(line);
      expect(p.err()).toContain('MCP server ready on stdio');
    }
  });

  it('--help with no command prints the usage, not a server', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: testio-mcp [global options] <command> [options]');
    expect(result.stdout).toContain('with no command: serve over stdio');
    expect(result.stderr).not.toContain('MCP server ready');
  });

  it('prints the version before or after the command', async () => {
    for (const args of [['--version'], ['-v'], ['serve', '--version']]) {
      const result = await run(args);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});
