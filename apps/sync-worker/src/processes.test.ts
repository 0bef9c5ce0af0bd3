import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '@testio-mcp/persistence';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectMirrorMatchesTruth } from './__fixtures__/harness.js';

/**
 * Sync processes as users run them (`testio-mcp sync`), against the sandbox over HTTP: killed at
 * random points, or started twice at once.
 */

const BIN = resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');

let sandbox: RunningSandbox;
let dir: string;

beforeEach(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small' });
  dir = mkdtempSync(join(tmpdir(), 'testio-sync-proc-'));
});

afterEach(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: join(dir, 'mirror.db'),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  };
}

function runSync(args: string[]) {
  return runCli(['sync', ...args]);
}

function runCli(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...env(), ...extraEnv }, cwd: dir });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  // The first progress line (stderr) means a run is under way: kill points are measured from there, so a
  // slow start (TypeScript compiled at start, a busy machine) cannot push every kill before the run.
  const started = new Promise<void>((done) => {
    child.stderr.once('data', () => done());
    child.once('exit', () => done());
  });
  return { child, exited, started, out: () => stdout, err: () => stderr };
}

/** A deterministic sequence of kill points after the run's first progress line, so a failure can be replayed. */
function killPoints(count: number, seed = 42): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x % 1_500;
  });
}

describe('sync processes', () => {
  it('survives SIGKILL at random points ten times, then the next run completes and matches the truth', async () => {
    for (const delay of killPoints(10)) {
      const run = runSync(['--force']);
      await run.started;
      await new Promise((r) => setTimeout(r, delay));
      run.child.kill('SIGKILL');
      await run.exited;
    }

    const db = openDatabase({ path: join(dir, 'mirror.db'), customerId: 1 });
    try {
      expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.sqlite.pragma('foreign_key_check')).toEqual([]);
    } finally {
      await db.close();
    }

    const final = runSync([]);
    const { code } = await final.exited;
    expect(final.err()).not.toMatch(/error|❌|warning/i);
    expect(code).toBe(0);
    expect(final.out()).toMatch(/outcome\s+success/);

    const after = openDatabase({ path: join(dir, 'mirror.db'), customerId: 1 });
    try {
      expectMirrorMatchesTruth(await after.queries.countsForTruthComparison(), sandbox.truth());
      const runs = await after.stores.syncState.listRuns(20);
      // Every killed run was found still `running` and closed as interrupted; none is left dangling.
      expect(runs.filter((r) => r.status === 'running')).toEqual([]);
      expect(runs.filter((r) => r.status === 'interrupted').length).toBeGreaterThan(0);
    } finally {
      await after.close();
    }
  }, 180_000);

  it('two syncs started together: one runs, the other says a sync is in progress', async () => {
    // Latency keeps the first sync busy long enough for the second to find it running.
    sandbox.setFaults({ latencyMs: 30 });
    const a = runSync(['--force']);
    const b = runSync(['--force']);
    const [ra, rb] = await Promise.all([a.exited, b.exited]);
    const outcomes = [
      { code: ra.code, text: a.out() + a.err() },
      { code: rb.code, text: b.out() + b.err() },
    ].sort((x, y) => (x.code ?? 9) - (y.code ?? 9));
    expect(outcomes[0]?.code).toBe(0);
    expect(outcomes[0]?.text).toMatch(/outcome\s+success/);
    expect(outcomes[1]?.code).toBe(1);
    expect(outcomes[1]?.text).toMatch(/A sync is already running/);
  }, 120_000);

  it('records tests TestIO cannot serve, lists them, and heals them with problematic retry', async () => {
    const poisoned = sandbox.truth({ perTest: true }).tests?.find((t) => t.status === 'archived')
      ?.id as number;
    sandbox.setFaults({ failTests: [poisoned] });
    const first = runSync(['--force']);
    expect((await first.exited).code).toBe(0);
    expect(first.out()).toMatch(/outcome\s+partial_failure/);
    expect(first.out()).toContain('testio-mcp problematic list');

    const list = runCli(['problematic', 'list']);
    expect((await list.exited).code).toBe(0);
    expect(list.out()).toMatch(/#\d+ product \d+ positions \d+-\d+/);

    // Still failing: the retry says what is left and exits 1.
    const stillBroken = runCli(['problematic', 'retry']);
    expect((await stillBroken.exited).code).toBe(1);
    expect(stillBroken.out()).toMatch(/still open [1-9]/);

    sandbox.setFaults({});
    const retry = runCli(['problematic', 'retry']);
    expect((await retry.exited).code).toBe(0);
    expect(retry.out()).toMatch(/resolved [1-9]\d*, still open 0/);
    const empty = runCli(['problematic', 'list']);
    await empty.exited;
    expect(empty.out()).toContain('no problematic ranges');

    const status = runSync(['--status', '--verbose']);
    expect((await status.exited).code).toBe(0);
    expect(status.out()).toMatch(/problematic\s+0 open range/);
    expect(status.out()).toMatch(/#\d+ .* manual_cli force partial_failure/);
  }, 120_000);

  it('--status and --dry-run work without a token; a real sync without one explains what to do', async () => {
    const noToken = { TESTIO_CUSTOMER_API_TOKEN: '' };
    const status = runCli(['sync', '--status'], noToken);
    expect((await status.exited).code).toBe(0);
    expect(status.out()).toMatch(/database\s+.*mirror\.db/);
    expect(status.out()).toContain('none yet');
    const sync = runCli(['sync'], noToken);
    expect((await sync.exited).code).toBe(2);
    expect(sync.err()).toContain('No TestIO API token is configured (TESTIO_CUSTOMER_API_TOKEN)');
    expect(sync.err()).toContain('npm start');
  }, 60_000);

  it('--dry-run reads nothing from TestIO and writes nothing', async () => {
    const dry = runSync(['--dry-run', '--refresh']);
    expect((await dry.exited).code).toBe(0);
    expect(dry.out()).toContain('dry run: a refresh sync of every product');
    expect(dry.out()).toContain('nothing was read from TestIO and nothing was written');
    expect(sandbox.requestLog()).toEqual([]);
  }, 60_000);

  it('refuses contradicting flags and bad values, naming them', async () => {
    const both = runSync(['--force', '--refresh']);
    expect((await both.exited).code).toBe(2);
    expect(both.err()).toContain('--force and --refresh cannot be used together');
    const since = runSync(['--since', '2025']);
    expect((await since.exited).code).toBe(2);
    expect(since.err()).toContain("Ambiguous year-only input: '2025'");
    const ids = runSync(['--product-ids', '1,x']);
    expect((await ids.exited).code).toBe(2);
    expect(ids.err()).toContain("--product-ids[1]: 'x' is not a valid id");
  }, 60_000);

  it('the worker stops on SIGTERM in the middle of a sync: the write finishes, the run is interrupted, exit 0', async () => {
    sandbox.setFaults({ latencyMs: 40 });
    const worker = runCli(['worker']);
    // Wait until the initial sync is under way (the first requests reach the sandbox).
    for (let i = 0; i < 200 && sandbox.requestLog().length < 5; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(sandbox.requestLog().length).toBeGreaterThanOrEqual(5);
    worker.child.kill('SIGTERM');
    const { code } = await worker.exited;
    expect(code).toBe(0);

    const db = openDatabase({ path: join(dir, 'mirror.db'), customerId: 1 });
    try {
      const [run] = await db.stores.syncState.listRuns(1);
      expect(run?.status).toBe('interrupted');
      expect(await db.stores.syncState.readLease()).toBeNull();
    } finally {
      await db.close();
    }
  }, 60_000);
});
