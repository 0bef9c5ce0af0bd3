import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgTestServerUrl } from '@testio-mcp/persistence/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToolsBenchmark } from './benchmarks/tools.js';
import {
  benchServerUrl,
  clonePgDatabase,
  engineLabel,
  ensurePgTemplate,
  parseEngineOptions,
  pgTemplateName,
} from './engine.js';
import { ensureMirror } from './mirror.js';
import { REPO_ROOT } from './paths.js';

/** `--engine` and `--instances` of `npm run bench -- tools|rest` (issue 15), and a short real run on PostgreSQL. */

describe('engine options', () => {
  it('defaults to SQLite with one instance and takes PostgreSQL with several', () => {
    expect(parseEngineOptions({})).toEqual({ engine: 'sqlite', instances: 1 });
    expect(parseEngineOptions({ engine: 'postgres' })).toEqual({ engine: 'postgres', instances: 1 });
    expect(parseEngineOptions({ engine: 'postgres', instances: '3' })).toEqual({
      engine: 'postgres',
      instances: 3,
    });
    expect(parseEngineOptions({ engine: 'sqlite', instances: '1' })).toEqual({
      engine: 'sqlite',
      instances: 1,
    });
  });

  it('refuses an unknown engine, a count that is not a small whole number, and several SQLite instances', () => {
    expect(() => parseEngineOptions({ engine: 'mysql' })).toThrow(
      /--engine 'mysql' is not an engine.*Use --engine/,
    );
    for (const bad of ['0', '-1', '1.5', 'two', '17'])
      expect(() => parseEngineOptions({ engine: 'postgres', instances: bad })).toThrow(
        /--instances .* is not valid.*from 1 to 16/,
      );
    expect(() => parseEngineOptions({ instances: '2' })).toThrow(/needs --engine postgres.*ADR 0036/);
  });

  it('labels the runs as the tables and file names show them', () => {
    expect(engineLabel({ engine: 'sqlite', instances: 1 })).toBe('sqlite');
    expect(engineLabel({ engine: 'postgres', instances: 1 })).toBe('postgres x1');
    expect(engineLabel({ engine: 'postgres', instances: 2 })).toBe('postgres x2 (nginx)');
  });

  it('finds the server in TESTIO_BENCH_DATABASE_URL, then TESTIO_TEST_DATABASE_URL, and says what to set', () => {
    const bench = 'postgresql://bench@127.0.0.1:5432/postgres';
    const test = 'postgresql://test@127.0.0.1:5432/test';
    expect(benchServerUrl({ TESTIO_BENCH_DATABASE_URL: bench, TESTIO_TEST_DATABASE_URL: test })).toBe(bench);
    expect(benchServerUrl({ TESTIO_BENCH_DATABASE_URL: ' ', TESTIO_TEST_DATABASE_URL: test })).toBe(test);
    expect(() => benchServerUrl({})).toThrow(/no PostgreSQL server for --engine postgres.*Set one/);
  });

  it('names a template by scale, seed, migrations and the mirror it was filled from', () => {
    const a = pgTemplateName({ scale: 'medium', builtAt: '2026-12-07T10:00:00.000Z' });
    expect(a).toMatch(/^bench_medium_seed7_[0-9a-f]{12}$/);
    expect(pgTemplateName({ scale: 'medium', builtAt: '2026-12-07T10:00:00.000Z' })).toBe(a);
    expect(pgTemplateName({ scale: 'medium', builtAt: '2026-12-08T10:00:00.000Z' })).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(63);
  });

  it('the command line refuses --engine on a benchmark that reads the SQLite file itself, saying why', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'tools/bench/src/cli.ts'), 'search', '--engine', 'postgres'],
      { encoding: 'utf8', cwd: REPO_ROOT, timeout: 60_000 },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--engine and --instances apply to tools and rest only/);
  });
});

describe('the PostgreSQL side on a real server', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'testio-bench-engine-results-'));
  let serverUrl: string;

  beforeAll(async () => {
    serverUrl = await pgTestServerUrl();
    // The benchmark's own lookup, pointed at the test server (a fresh machine has a throwaway one).
    process.env.TESTIO_BENCH_DATABASE_URL ??= serverUrl;
  });

  afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

  it('fills a template once, then clones it: each run gets its own copy of the same rows', async () => {
    const mirror = await ensureMirror('demo');
    const template = await ensurePgTemplate(mirror, serverUrl);
    const again = await ensurePgTemplate(mirror, serverUrl);
    expect(again).toEqual({ name: template.name, builtSeconds: null });
    const [one, two] = [
      await clonePgDatabase(serverUrl, template.name),
      await clonePgDatabase(serverUrl, template.name),
    ];
    try {
      expect(one.database).not.toBe(two.database);
      const count = async (url: string) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const { rows } = await client.query<{ tests: string; bugs: string }>(
            'SELECT (SELECT count(*) FROM tests) AS tests, (SELECT count(*) FROM bugs) AS bugs',
          );
          return { tests: Number(rows[0]?.tests), bugs: Number(rows[0]?.bugs) };
        } finally {
          await client.end();
        }
      };
      expect(await count(one.url)).toEqual({ tests: mirror.tests, bugs: mirror.bugs });
      expect(await count(two.url)).toEqual({ tests: mirror.tests, bugs: mirror.bugs });
    } finally {
      await one.drop();
      await two.drop();
    }
  }, 180_000);

  it('runs tools on two instances behind nginx and records the engine and the instances', async () => {
    const figures = (await runToolsBenchmark({
      scale: 'demo',
      calls: 2,
      analyticsCalls: 1,
      fresh: false,
      only: ['list_products', 'get_test_summary', 'query_metrics'],
      engine: 'postgres',
      instances: 2,
      resultsDir,
    })) as {
      engine: string;
      instances: number;
      tools: { tool: string; calls: number; errors: number; floor: unknown }[];
      serverPeakRssMb: unknown;
      file: string;
    };
    expect(figures.engine).toBe('postgres');
    expect(figures.instances).toBe(2);
    expect(figures.tools.map((t) => t.tool).sort()).toEqual([
      'get_test_summary',
      'list_products',
      'query_metrics',
    ]);
    for (const tool of figures.tools) {
      expect(tool.errors).toBe(0);
      expect(tool.floor).not.toBeNull();
    }
    expect(figures.serverPeakRssMb).toHaveLength(2);
    expect(figures.file).toMatch(/tools-demo-postgres-x2-.*\.json$/);
    const written = JSON.parse(readFileSync(figures.file, 'utf8')) as {
      options: { engine: string; instances: number };
      figures: { engine: string; instances: number };
    };
    expect(written.options).toMatchObject({ engine: 'postgres', instances: 2 });
    expect(written.figures).toMatchObject({ engine: 'postgres', instances: 2 });
  }, 180_000);
});
