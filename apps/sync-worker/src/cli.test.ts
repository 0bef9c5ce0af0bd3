import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { openDatabase } from '@testio-mcp/persistence';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The reference's sync flags through the real CLI (`testio-mcp sync ...`) against the sandbox:
 * `--product-ids 598 599`, `--incremental-only`, `--nuke` with its confirmation, and the confirmation
 * of `problematic clear`. Through a pipe nobody can answer, so destructive commands need `--yes`; at a
 * terminal (a pseudo-terminal driven by tools/workspace-checks' pty-drive.py) they ask.
 */

const BIN = resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');
const PTY_DRIVE = resolve(
  import.meta.dirname,
  '../../../tools/workspace-checks/src/__fixtures__/pty-drive.py',
);
const python = spawnSync('python3', ['--version']).status === 0;

let sandbox: RunningSandbox;
let dir: string;
let productIds: number[];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small' });
  dir = mkdtempSync(join(tmpdir(), 'testio-sync-cli-'));
  productIds = sandbox
    .truth()
    .products.map((p) => p.id)
    .sort((a, b) => a - b);
}, 60_000);

afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const dbPath = () => join(dir, 'mirror.db');

function env(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: dbPath(),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  };
}

/** `testio-mcp <args>` through pipes (no terminal). */
async function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: env(), cwd: dir, stdio: 'pipe' });
  child.stdin.end();
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  return { code, out, err };
}

/** `testio-mcp <args>` at a terminal, typing `answer` when the confirmation is asked. */
async function atTerminal(args: string[], answer: string) {
  const steps = [['Continue\\? \\[y/N\\]', `${answer}\r`]];
  const driver = spawn('python3', [PTY_DRIVE, JSON.stringify(steps), '--', process.execPath, BIN, ...args], {
    cwd: dir,
    env: { ...env(), TERM: 'dumb', PTY_STEP_TIMEOUT: '90' },
  });
  let stdout = '';
  driver.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  await new Promise((done) => driver.on('exit', done));
  return JSON.parse(stdout) as { exitCode: number | null; failure: string | null; transcript: string };
}

async function runs() {
  const db = openDatabase({ path: dbPath(), customerId: 1 });
  try {
    return await db.stores.syncState.listRuns(50);
  } finally {
    await db.close();
  }
}

describe('testio-mcp sync, the reference flags', () => {
  it('--product-ids takes ids separated by spaces, as well as by commas', async () => {
    const [a, b] = productIds;
    const spaced = await run(['sync', '--product-ids', String(a), String(b)]);
    expect(spaced.code, spaced.err).toBe(0);
    const commas = await run(['sync', '--product-ids', `${a},${b}`]);
    expect(commas.code, commas.err).toBe(0);
    const [latest, previous] = await runs();
    expect(latest?.productIds).toEqual([a, b]);
    expect(previous?.productIds).toEqual([a, b]);
  }, 120_000);

  it('--incremental-only only looks for new tests: no product list, no features', async () => {
    const before = sandbox.requestLog().length;
    const result = await run(['sync', '--incremental-only']);
    expect(result.code, result.err).toBe(0);
    const paths = sandbox
      .requestLog()
      .slice(before)
      .map((entry) => entry.path);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => p === '/products' || p.startsWith('/products?'))).toEqual([]);
    expect(paths.filter((p) => p.includes('/features') || p.includes('/user_stories'))).toEqual([]);
    expect(paths.some((p) => p.includes('exploratory_tests'))).toBe(true);
    expect(result.out).toMatch(/outcome\s+success/);
  }, 120_000);

  it('contradicting flags are refused, naming them', async () => {
    const both = await run(['sync', '--nuke', '--refresh']);
    expect(both.code).toBe(2);
    expect(both.err).toContain('--refresh and --nuke cannot be used together');
  }, 60_000);

  it('--nuke without a terminal refuses unless --yes, with what, why and what to do', async () => {
    const runsBefore = (await runs()).length;
    const refused = await run(['sync', '--nuke']);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      `sync --nuke needs a confirmation: it deletes the local mirror ${dbPath()}`,
    );
    expect(refused.err).toContain('No terminal is attached to ask the question');
    expect(refused.err).toContain('Run it again with --yes (or -y)');
    expect((await runs()).length).toBe(runsBefore);

    const nuked = await run(['sync', '--nuke', '-y']);
    expect(nuked.code, nuked.err).toBe(0);
    expect(nuked.out).toMatch(/outcome\s+success/);
    // Rebuilt from nothing: the earlier runs went with the old mirror.
    const after = await runs();
    expect(after.map((r) => [r.mode, r.status])).toEqual([['force', 'success']]);
  }, 180_000);

  it('problematic clear without a terminal refuses unless --yes', async () => {
    const refused = await run(['problematic', 'clear']);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('problematic clear needs a confirmation');
    expect(refused.err).toContain('--yes');
    const cleared = await run(['problematic', 'clear', '--yes']);
    expect(cleared.code, cleared.err).toBe(0);
    expect(cleared.out).toMatch(/cleared \d+ range\(s\)/);
  }, 60_000);
});

describe.skipIf(!python)('at a terminal, destructive commands ask first', () => {
  it('sync --nuke: "n" keeps the mirror, "y" rebuilds it', async () => {
    const runsBefore = (await runs()).length;
    const no = await atTerminal(['sync', '--nuke'], 'n');
    expect(no.failure, no.transcript).toBeNull();
    expect(no.exitCode, no.transcript).toBe(1);
    expect(no.transcript).toContain(`testio-mcp sync --nuke deletes the local mirror ${dbPath()}`);
    expect(no.transcript).toContain('cancelled: nothing was deleted');
    expect((await runs()).length).toBe(runsBefore);

    const yes = await atTerminal(['sync', '--nuke'], 'y');
    expect(yes.failure, yes.transcript).toBeNull();
    expect(yes.exitCode, yes.transcript).toBe(0);
    expect(yes.transcript).toMatch(/outcome\s+success/);
    expect((await runs()).length).toBe(1);
    expect(existsSync(dbPath())).toBe(true);
  }, 240_000);

  it('problematic clear asks, and "y" clears', async () => {
    const yes = await atTerminal(['problematic', 'clear'], 'y');
    expect(yes.failure, yes.transcript).toBeNull();
    expect(yes.exitCode, yes.transcript).toBe(0);
    expect(yes.transcript).toContain('testio-mcp problematic clear forgets every recorded problematic range');
    expect(yes.transcript).toMatch(/cleared \d+ range\(s\)/);
  }, 60_000);
});
