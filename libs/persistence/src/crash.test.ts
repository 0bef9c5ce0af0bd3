import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readMigrations, DEFAULT_MIGRATIONS_DIR } from './migrator.js';
import { openDatabase } from './database.js';

const WRITER = fileURLToPath(new URL('./__fixtures__/crash-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'testio-mcp-crash-'));
const dbPath = join(dir, 'mirror.db');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface KillResult {
  readonly ready: boolean;
  readonly rounds: number;
  readonly signal: NodeJS.Signals | null;
}

/**
 * When the kill's timer starts: at process start (may hit the migrations of a fresh file), once the
 * writer reported `ready`, or once it committed its first round (so the kill lands among later rounds
 * however slow a loaded machine makes each round).
 */
type ArmOn = 'start' | 'ready' | 'round';

/** Starts the writer and SIGKILLs it `delayMs` after the moment `armOn` names. */
function runAndKill(seed: number, delayMs: number, armOn: ArmOn): Promise<KillResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dbPath, String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    const kill = () => child.kill('SIGKILL');
    const marker = armOn === 'ready' ? /^ready$/m : /^round /m;
    if (armOn === 'start') timer = setTimeout(kill, delayMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (timer === undefined && marker.test(out)) timer = setTimeout(kill, delayMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${code}): ${err}`));
      else resolve({ ready: out.includes('ready\n'), rounds: (out.match(/^round /gm) ?? []).length, signal });
    });
  });
}

function duplicates(db: ReturnType<typeof openDatabase>, table: string, key: string): number {
  return (
    db.sqlite
      .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${table} GROUP BY ${key} HAVING count(*) > 1)`)
      .get() as { n: number }
  ).n;
}

describe('crash safety', () => {
  it('survives SIGKILL at random points: integrity, FTS, no duplicates, migrations intact', async () => {
    const results: KillResult[] = [];
    // First kill at a random moment from process start (possibly during the first migration).
    results.push(await runAndKill(1, 150 + Math.floor(Math.random() * 600), 'start'));
    for (let i = 0; i < 7; i++) {
      results.push(await runAndKill(i + 2, Math.floor(Math.random() * 400), i % 2 === 0 ? 'ready' : 'round'));
    }
    expect(results.every((r) => r.signal === 'SIGKILL')).toBe(true);
    expect(results.filter((r) => r.ready).length).toBeGreaterThanOrEqual(7);
    // The kills landed while rounds of writes were being committed.
    expect(results.reduce((sum, r) => sum + r.rounds, 0)).toBeGreaterThan(0);

    const db = openDatabase({ path: dbPath, customerId: 1 });
    try {
      expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.sqlite.pragma('foreign_key_check')).toEqual([]);
      for (const table of ['products', 'features', 'tests', 'bugs']) {
        db.sqlite.prepare(`INSERT INTO ${table}_fts(${table}_fts, rank) VALUES ('integrity-check', 1)`).run();
        const base = (db.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
        const indexed = (
          db.sqlite.prepare(`SELECT count(*) AS n FROM ${table}_fts_docsize`).get() as { n: number }
        ).n;
        expect(indexed, `${table} index rows`).toBe(base);
      }
      for (const [table, key] of [
        ['products', 'customer_id, id'],
        ['tests', 'customer_id, id'],
        ['bugs', 'customer_id, id'],
        ['test_features', 'customer_id, id'],
        ['users', 'customer_id, username'],
        ['sync_leases', 'customer_id'],
      ] as const) {
        expect(duplicates(db, table, key), table).toBe(0);
      }
      const names = readMigrations(DEFAULT_MIGRATIONS_DIR).map((m) => m.name);
      expect(db.migrations.recorded).toEqual(names);
      expect(db.migrations.applied).toEqual([]);
      // Every bug still belongs to an existing test of the same product.
      expect(
        db.sqlite
          .prepare(
            'SELECT count(*) AS n FROM bugs b LEFT JOIN tests t ON t.customer_id = b.customer_id AND t.id = b.test_id WHERE t.id IS NULL OR t.product_id <> b.product_id',
          )
          .get(),
      ).toEqual({ n: 0 });
      // The store still works and the search finds what was written.
      const runs = await db.stores.syncState.interruptStaleRuns(new Date('2100-01-01T00:00:00Z'), new Date());
      expect(runs).toBeGreaterThanOrEqual(0);
      expect((await db.search.search({ query: 'round' })).total).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  }, 300_000); // eight writer processes, each starting tsx: minutes on a loaded machine
});
