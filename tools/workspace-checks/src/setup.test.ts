import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, launch } from './__fixtures__/processes.js';

/**
 * `testio-mcp setup` as a user runs it: real processes against the real sandbox over 127.0.0.1, the
 * written env file used by `testio-mcp serve`, and (when python3 is there) a person typing at a terminal.
 */

const TOKEN = 'tok-setup-0123456789abcdefghij';
let sandbox: RunningSandbox;
let home: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, scale: 'demo', token: TOKEN });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'testio-setup-'));
  return () => rmSync(home, { recursive: true, force: true });
});

/** No settings of the developer's: a fresh HOME, no token, no .env (cwd is a temp folder). */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: home, ...extra };
}

async function run(args: string[], input?: string, extra: Record<string, string> = {}) {
  const p = launch(args, env(extra), home);
  if (input !== undefined) p.child.stdin.end(input);
  const code = await p.exited;
  return { code, stdout: p.out(), stderr: p.err() };
}

const mode = (file: string) => statSync(file).mode & 0o777;

/** Runs `testio-mcp <args>` in a pseudo-terminal and types the answers (asynchronously: the sandbox runs in this process). */
async function drive(steps: string[][], args: string[]) {
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
      cwd: home,
      env: env(),
    },
  );
  let stdout = '';
  driver.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  await new Promise((resolve) => driver.on('exit', resolve));
  return JSON.parse(stdout) as { exitCode: number | null; failure: string | null; transcript: string };
}

describe('testio-mcp setup --non-interactive', () => {
  it('checks the token against the API, writes a 0600 env file that serve then uses, and never prints the token', async () => {
    writeFileSync(path.join(home, 'token.txt'), `${TOKEN}\n`);
    const file = path.join(home, 'conf', 'testio.env');
    const result = await run([
      'setup',
      '--non-interactive',
      '--token-file',
      path.join(home, 'token.txt'),
      '--base-url',
      sandbox.baseUrl,
      '--customer-name',
      'acme',
      '--customer-id',
      '7',
      '--toolsets',
      'discovery,admin',
      '--output',
      file,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Token accepted: it can see 3 products');
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    expect(mode(file)).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`TESTIO_CUSTOMER_API_TOKEN=${TOKEN}`);
    expect(text).toContain(`TESTIO_CUSTOMER_API_BASE_URL=${sandbox.baseUrl}`);
    expect(text).toContain('TESTIO_CUSTOMER_NAME=acme');
    expect(text).toContain('TESTIO_CUSTOMER_ID=7');
    expect(text).toContain('TESTIO_TOOLSETS=discovery,admin');

    // The file is all `serve` needs: the toolsets limit the tools, and a tool call reaches the sandbox.
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'serve', '--transport', 'stdio', '--env-file', file],
      env: env({ TESTIO_DB_PATH: path.join(home, 'cache.db') }) as Record<string, string>,
      cwd: home,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'setup-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(
        [
          'get_problematic_tests',
          'get_server_diagnostics',
          'list_bugs',
          'list_features',
          'list_products',
          'list_tests',
          'list_users',
          'sync_data',
        ].sort(),
      );
      const sync = await client.callTool({ name: 'sync_data', arguments: {} }, undefined, {
        timeout: 60_000,
      });
      expect(sync.isError, JSON.stringify(sync.content)).toBeFalsy();
      const products = await client.callTool({ name: 'list_products', arguments: {} });
      expect(products.structuredContent).toMatchObject({ total_count: 3 });
    } finally {
      await client.close();
    }
    expect(stderr).not.toContain(TOKEN);
  }, 120_000);

  it('reads the token from stdin with --token-file -, and writes ~/.testio-mcp.env by default', async () => {
    const result = await run(
      ['setup', '--non-interactive', '--token-file', '-', '--base-url', sandbox.baseUrl],
      `${TOKEN}\n`,
    );
    expect(result.code, result.stderr).toBe(0);
    const file = path.join(home, '.testio-mcp.env');
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('# TESTIO_TOOLSETS=');
    // Every command reads it when there is no ./.env: `sync` (which needs a token) mirrors the sandbox.
    const sync = await run(['sync'], undefined, { TESTIO_DB_PATH: path.join(home, 'cache.db') });
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout + sync.stderr).toContain('"productsSynced":3');
    expect(sync.stdout + sync.stderr).not.toContain(TOKEN);
  }, 60_000);

  it('refuses a wrong token: exit 1, nothing written, the token not echoed', async () => {
    const wrong = 'tok-wrong-9876543210zyxwvutsrq';
    const file = path.join(home, 'out.env');
    const result = await run([
      'setup',
      '--non-interactive',
      '--token',
      wrong,
      '--base-url',
      sandbox.baseUrl,
      '--output',
      file,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/TestIO refused the token \(HTTP 401/);
    expect(result.stderr).toContain('Nothing was written');
    expect(result.stdout + result.stderr).not.toContain(wrong);
    expect(existsSync(file)).toBe(false);
  });

  it('says when the API cannot be reached, and saves nothing', async () => {
    const file = path.join(home, 'out.env');
    const result = await run([
      'setup',
      '--non-interactive',
      '--token',
      TOKEN,
      '--base-url',
      'http://127.0.0.1:9/customer/v2',
      '--output',
      file,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('could not be reached');
    expect(existsSync(file)).toBe(false);
  });

  it('replaces an existing file only with --force, and then with mode 0600 even if it was looser', async () => {
    const file = path.join(home, 'existing.env');
    writeFileSync(file, 'OLD=1\n');
    chmodSync(file, 0o644);
    const args = [
      'setup',
      '--non-interactive',
      '--token',
      TOKEN,
      '--base-url',
      sandbox.baseUrl,
      '--skip-check',
      '--output',
      file,
    ];
    const refused = await run(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe('OLD=1\n');
    const forced = await run([...args, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain(`TESTIO_CUSTOMER_API_TOKEN=${TOKEN}`);
    expect(mode(file)).toBe(0o600);
  });

  it('names the flag, the value and what is allowed for a bad value (exit 2)', async () => {
    const base = [
      'setup',
      '--non-interactive',
      '--token',
      TOKEN,
      '--skip-check',
      '--output',
      path.join(home, 'x.env'),
    ];
    const toolsets = await run([...base, '--toolsets', 'discovery,magic']);
    expect(toolsets.code).toBe(2);
    expect(toolsets.stderr).toContain(
      "--toolsets 'discovery,magic' is not valid: unknown toolset 'magic'; valid: discovery, summaries, analytics, search, admin, triage",
    );
    const id = await run([...base, '--customer-id', '0']);
    expect(id.code).toBe(2);
    expect(id.stderr).toContain("--customer-id '0' is not valid");
    const url = await run([...base, '--base-url', 'ftp://x']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('--base-url');
    const none = await run(['setup', '--non-interactive']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--token-file');
    expect(existsSync(path.join(home, 'x.env'))).toBe(false);
  });
});

describe('testio-mcp setup without --non-interactive', () => {
  it('refuses politely without a terminal (exit 2), pointing to --non-interactive', async () => {
    const result = await run(['setup']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('setup needs a terminal');
    expect(result.stderr).toContain('--non-interactive');
    expect(existsSync(path.join(home, '.testio-mcp.env'))).toBe(false);
  });

  const python = spawnSync('python3', ['--version']).status === 0;

  it.skipIf(!python)(
    'asks its questions at a terminal (a pseudo-terminal driven by python3), hides the token, and writes the file',
    async () => {
      const file = path.join(home, 'interactive.env');
      const wrong = 'tok-typo-00000000000000000000';
      const steps = [
        ['base URL', `${sandbox.baseUrl}\r`],
        // A wrong token first: refused, asked again.
        ['token', `${wrong}\r`],
        ['refused the token \\(HTTP 401', ''],
        ['Enter the token again', '\r'],
        ['token', `${TOKEN}\r`],
        ['Token accepted', ''],
        ['Customer name', 'acme\r'],
        ['Customer id', '42\r'],
        // The products come from the API: select the first one.
        ['Products to mirror', ' \r'],
        // Toolsets: all are checked; uncheck the first (discovery).
        ['toolsets to serve', ' \r'],
        ['Write the settings to', `${file}\r`],
        ['Saved the settings', ''],
      ];
      const result = await drive(steps, ['setup']);
      expect(result.failure, result.transcript).toBeNull();
      expect(result.exitCode, result.transcript).toBe(0);
      expect(result.transcript).not.toContain(TOKEN);
      expect(result.transcript).not.toContain(wrong);
      expect(mode(file)).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain(`TESTIO_CUSTOMER_API_TOKEN=${TOKEN}`);
      expect(text).toContain('TESTIO_CUSTOMER_NAME=acme');
      expect(text).toContain('TESTIO_CUSTOMER_ID=42');
      expect(text).toMatch(/^TESTIO_PRODUCT_IDS=\d+$/m);
      expect(text).toContain('TESTIO_TOOLSETS=summaries,analytics,search,admin');
    },
    120_000,
  );

  it.skipIf(!python)(
    'Ctrl-C at a prompt cancels with exit 130 and writes nothing',
    async () => {
      const result = await drive([['base URL', '\u0003']], ['setup']);
      expect(result.failure, result.transcript).toBeNull();
      expect(result.exitCode, result.transcript).toBe(130);
      expect(result.transcript).toContain('cancelled; nothing was written');
      expect(existsSync(path.join(home, '.testio-mcp.env'))).toBe(false);
    },
    60_000,
  );
});
