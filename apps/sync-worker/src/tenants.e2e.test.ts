import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '@testio-mcp/persistence';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `testio-mcp sync` and `testio-mcp worker` over several tenants (ADR 0024), through the real CLI: the
 * environment's account (`default`, sandbox seed 7) and stored tenants (sandbox seed 11, and one whose
 * token the API refuses). Every tenant syncs under its own lease and client, so one tenant's outage or
 * bad token never stops another's sync.
 */

const BIN = resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');
const MASTER_KEY = randomBytes(32).toString('hex');

let sandboxA: RunningSandbox;
let sandboxB: RunningSandbox;
let dir: string;

beforeAll(async () => {
  sandboxA = await startSandbox({ port: 0, seed: 7, scale: 'small' });
  sandboxB = await startSandbox({ port: 0, seed: 11, scale: 'small', token: 'beta-token-0123456789abc' });
  dir = mkdtempSync(join(tmpdir(), 'testio-sync-tenants-'));
}, 60_000);

afterAll(async () => {
  await sandboxA?.close();
  await sandboxB?.close();
  rmSync(dir, { recursive: true, force: true });
});

const dbPath = () => join(dir, 'mirror.db');

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    TESTIO_CUSTOMER_API_TOKEN: sandboxA.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandboxA.baseUrl,
    TESTIO_DB_PATH: dbPath(),
    TESTIO_MASTER_KEY: MASTER_KEY,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    ...extra,
  };
}

function start(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: env(extra), cwd: dir, stdio: 'pipe' });
  child.stdin.end();
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  return { child, exited, out: () => out, err: () => err };
}

async function run(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const proc = start(args, extra);
  const code = await proc.exited;
  return { code, out: proc.out(), err: proc.err() };
}

/** Runs and product counts per customer id, read from the mirror file. */
async function mirrorState() {
  const db = openDatabase({ path: dbPath(), customerId: 1 });
  try {
    const runs = db.sqlite
      .prepare('SELECT customer_id AS customer, status FROM sync_runs ORDER BY id')
      .all() as Array<{ customer: number; status: string }>;
    const products = db.sqlite
      .prepare('SELECT customer_id AS customer, count(*) AS n FROM products GROUP BY customer_id')
      .all() as Array<{ customer: number; n: number }>;
    return { runs, products: Object.fromEntries(products.map((p) => [p.customer, p.n])) };
  } finally {
    await db.close();
  }
}

const lastRun = (runs: Array<{ customer: number; status: string }>, customer: number) =>
  runs.filter((r) => r.customer === customer).at(-1)?.status;

describe('testio-mcp sync over tenants', () => {
  let beta = 0;

  it('syncs every tenant by default, each into its own rows', async () => {
    const added = await run(
      ['tenants', 'add', 'beta', '--base-url', sandboxB.baseUrl, '--token-env', 'BETA_TOKEN'],
      { BETA_TOKEN: sandboxB.token },
    );
    expect(added.code, added.err).toBe(0);
    beta = Number(/customer id (\d+)/.exec(added.out)?.[1]);
    expect(beta).toBeGreaterThan(1);

    const synced = await run(['sync']);
    expect(synced.code, synced.err).toBe(0);
    expect(synced.out).toContain('tenant default');
    expect(synced.out).toContain('tenant beta');
    const state = await mirrorState();
    expect(state.products[1]).toBe(sandboxA.truth().totals.products);
    expect(state.products[beta]).toBe(sandboxB.truth().totals.products);
    expect(lastRun(state.runs, 1)).toBe('success');
    expect(lastRun(state.runs, beta)).toBe('success');
  }, 180_000);

  it('--tenant syncs that tenant alone; --status reports each tenant', async () => {
    const before = (await mirrorState()).runs;
    const one = await run(['sync', '--tenant', 'beta']);
    expect(one.code, one.err).toBe(0);
    const after = (await mirrorState()).runs;
    expect(after.slice(before.length).map((r) => r.customer)).toEqual([beta]);

    const status = await run(['sync', '--status']);
    expect(status.code, status.err).toBe(0);
    expect(status.out).toMatch(/tenant default \(customer 1,/);
    expect(status.out).toMatch(new RegExp(`tenant beta \\(customer ${beta},`));
  }, 120_000);

  it('refuses an unknown --tenant and --product-ids without a tenant, with what, why and what to do', async () => {
    const unknown = await run(['sync', '--tenant', 'nope']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toMatch(/There is no tenant 'nope'[\s\S]*tenants list/);
    const scoped = await run(['sync', '--product-ids', '1']);
    expect(scoped.code).not.toBe(0);
    expect(scoped.err).toMatch(/several tenants[\s\S]*--tenant <slug>/);
  }, 60_000);

  it("one tenant's outage and another's bad token never stop the others' sync", async () => {
    // gamma's token is refused by the API it points at (added without the check).
    const gamma = await run(
      [
        'tenants',
        'add',
        'gamma',
        '--base-url',
        sandboxA.baseUrl,
        '--token-env',
        'GAMMA_TOKEN',
        '--skip-check',
      ],
      { GAMMA_TOKEN: 'not-a-valid-token-0123456789' },
    );
    expect(gamma.code, gamma.err).toBe(0);
    const gammaId = Number(/customer id (\d+)/.exec(gamma.out)?.[1]);
    // beta's API goes away.
    await sandboxB.close();

    const synced = await run(['sync', '--force']);
    // The command says something failed, and still synced `default` in full.
    expect(synced.code).toBe(1);
    const state = await mirrorState();
    expect(lastRun(state.runs, 1)).toBe('success');
    expect(lastRun(state.runs, beta)).toBe('failure');
    expect(lastRun(state.runs, gammaId)).toBe('failure');
    expect(state.products[1]).toBe(sandboxA.truth().totals.products);
    // What beta had is kept: an outage does not empty a tenant's mirror.
    expect(state.products[beta]).toBe(sandboxB.truth().totals.products);
    expect(`${synced.out}${synced.err}`).not.toContain('not-a-valid-token-0123456789');
  }, 180_000);

  it('the worker runs one scheduler per tenant: default syncs while the others fail', async () => {
    const worker = start(['worker'], { TESTIO_FORCE_INITIAL_SYNC: 'true' });
    const finished = (slug: string) => new RegExp(`"msg":"sync #\\d+ \\w+ \\(tenant ${slug}\\)"`);
    // Waits on the worker's own log lines (no timing): each tenant's first run, whatever its outcome.
    await new Promise<void>((done, fail) => {
      const check = () => {
        const text = worker.out() + worker.err();
        if (['default', 'beta', 'gamma'].every((slug) => finished(slug).test(text))) done();
      };
      worker.child.stdout.on('data', check);
      worker.child.stderr.on('data', check);
      void worker.exited.then((code) => fail(new Error(`worker exited ${code}: ${worker.err()}`)));
    });
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const text = worker.out() + worker.err();
    expect(text).toMatch(/"msg":"sync #\d+ success \(tenant default\)"/);
    expect(text).toMatch(/"msg":"sync #\d+ failure \(tenant beta\)"/);
    expect(text).not.toContain('not-a-valid-token-0123456789');
  }, 180_000);

  it('the running worker picks up a tenant added later and stops syncing one removed, without a restart', async () => {
    const worker = start(['worker'], { TESTIO_TENANT_RESCAN_SECONDS: '1' });
    // Waits on the worker's own log lines (no timing); the test's timeout bounds each wait.
    const seen = (pattern: RegExp) =>
      new Promise<void>((done, fail) => {
        const check = () => {
          if (pattern.test(worker.out() + worker.err())) done();
        };
        check();
        worker.child.stdout.on('data', check);
        worker.child.stderr.on('data', check);
        void worker.exited.then((code) => fail(new Error(`worker exited ${code}: ${worker.err()}`)));
      });
    await seen(/"msg":"sync worker started"/);
    const added = await run(
      [
        'tenants',
        'add',
        'delta',
        '--base-url',
        sandboxA.baseUrl,
        '--token-env',
        'DELTA_TOKEN',
        '--skip-check',
      ],
      { DELTA_TOKEN: sandboxA.token },
    );
    expect(added.code, added.err).toBe(0);
    const deltaId = Number(/customer id (\d+)/.exec(added.out)?.[1]);
    await seen(/"msg":"tenant delta is synced from now on"/);
    await seen(/"msg":"sync #\d+ success \(tenant delta\)"/);
    expect(lastRun((await mirrorState()).runs, deltaId)).toBe('success');

    const removed = await run(['tenants', 'remove', 'delta']);
    expect(removed.code, removed.err).toBe(0);
    await seen(/"msg":"tenant delta is no longer synced"/);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.out() + worker.err()).not.toContain(sandboxA.token);
  }, 180_000);
});
