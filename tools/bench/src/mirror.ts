import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { launchCli, productEnv } from './process.js';
import { MIRROR_CACHE_DIR } from './paths.js';
import { BENCH_SEED, startBenchSandbox, type Scale } from './sandbox.js';

/**
 * A synced mirror per scale, built once with `testio-mcp sync --force` against the sandbox (no
 * latency) and cached under `bench-results/cache/`. Read benchmarks work on a copy, so a server's
 * read-through writes never change the cached file.
 */

export interface CachedMirror {
  readonly path: string;
  readonly scale: Scale;
  readonly builtAt: string;
  readonly buildSeconds: number;
  readonly tests: number;
  readonly bugs: number;
  /** Peak RSS of the `sync --force` that built it (absent in caches built before it was recorded). */
  readonly syncPeakRssMb?: number | null;
}

/** Folds the WAL into the main file so the database is one self-contained file. */
export function checkpoint(path: string): void {
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

export function fileSizeWithWal(path: string): number {
  let total = 0;
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) total += statSync(file).size;
  return total;
}

export async function ensureMirror(
  scale: Scale,
  options: { fresh?: boolean; log?: (line: string) => void } = {},
): Promise<CachedMirror> {
  const log = options.log ?? ((line: string) => console.error(line));
  mkdirSync(MIRROR_CACHE_DIR, { recursive: true });
  const path = join(MIRROR_CACHE_DIR, `mirror-${scale}-seed${BENCH_SEED}.db`);
  const meta = `${path}.json`;
  if (!options.fresh && existsSync(path) && existsSync(meta)) {
    return JSON.parse(readFileSync(meta, 'utf8')) as CachedMirror;
  }
  log(`building the ${scale} mirror (testio-mcp sync --force against the sandbox); cached in ${path}`);
  const sandbox = await startBenchSandbox({ scale });
  const work = mkdtempSync(join(tmpdir(), 'testio-bench-mirror-'));
  try {
    const dbPath = join(work, 'mirror.db');
    const started = Date.now();
    const sync = launchCli(['sync', '--force'], {
      env: productEnv(sandbox, dbPath, { LOG_LEVEL: 'warn', CACHE_TTL_SECONDS: '86400' }),
      cwd: work,
    });
    const { code } = await sync.exited;
    if (code !== 0)
      throw new Error(`sync --force of the ${scale} mirror exited ${code}: ${sync.err().slice(-2000)}`);
    checkpoint(dbPath);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
    renameSync(dbPath, path);
    const truth = sandbox.truth();
    const info: CachedMirror = {
      path,
      scale,
      builtAt: new Date().toISOString(),
      buildSeconds: (Date.now() - started) / 1000,
      tests: truth.totals.tests,
      bugs: truth.totals.bugs,
      syncPeakRssMb: sync.peakRssKb() === null ? null : Math.round((sync.peakRssKb() ?? 0) / 102.4) / 10,
    };
    writeFileSync(meta, `${JSON.stringify(info, null, 2)}\n`);
    log(
      `built the ${scale} mirror in ${info.buildSeconds.toFixed(1)} s (sync peak RSS ${info.syncPeakRssMb ?? '?'} MB)`,
    );
    return info;
  } finally {
    await sandbox.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** A private copy of a cached mirror in `dir`. */
export function copyMirror(mirror: CachedMirror, dir: string): string {
  const target = join(dir, 'mirror.db');
  copyFileSync(mirror.path, target);
  return target;
}

/** Ids and words to vary the benchmark inputs with, read from a mirror. */
export interface Samples {
  readonly productIds: number[];
  readonly testIds: number[];
  readonly bugIds: number[];
  readonly featureIds: number[];
  readonly userIds: number[];
  /** Common words of bug and test titles (4+ letters), most frequent first. */
  readonly words: string[];
  /** Adjacent word pairs found in titles, for phrase queries. */
  readonly phrases: string[];
}

export function readSamples(path: string, limit = 500): Samples {
  const db = new Database(path, { readonly: true });
  try {
    const ids = (sql: string) =>
      (db.prepare(sql).pluck().all(limit) as number[]).filter((n) => Number.isSafeInteger(n));
    const titles = db
      .prepare(
        'SELECT title FROM (SELECT title FROM bugs ORDER BY random() LIMIT ?) UNION ALL SELECT title FROM (SELECT title FROM tests ORDER BY random() LIMIT 500)',
      )
      .pluck()
      .all(2000) as string[];
    return {
      productIds: ids('SELECT id FROM products ORDER BY id LIMIT ?'),
      testIds: ids('SELECT id FROM tests ORDER BY random() LIMIT ?'),
      bugIds: ids('SELECT id FROM bugs ORDER BY random() LIMIT ?'),
      featureIds: ids('SELECT id FROM features ORDER BY random() LIMIT ?'),
      userIds: ids('SELECT id FROM users ORDER BY random() LIMIT ?'),
      ...titleWords(titles),
    };
  } finally {
    db.close();
  }
}

/** The common words (4+ letters) and adjacent word pairs of `titles`, most frequent first. */
export function titleWords(titles: readonly string[]): Pick<Samples, 'words' | 'phrases'> {
  const freq = new Map<string, number>();
  const pairs = new Map<string, number>();
  for (const title of titles) {
    const words = title.toLowerCase().match(/[a-z]{4,}/g) ?? [];
    words.forEach((w, i) => {
      freq.set(w, (freq.get(w) ?? 0) + 1);
      const next = words[i + 1];
      if (next) pairs.set(`${w} ${next}`, (pairs.get(`${w} ${next}`) ?? 0) + 1);
    });
  }
  const byFreq = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([w]) => w);
  return { words: byFreq(freq).slice(0, 200), phrases: byFreq(pairs).slice(0, 100) };
}

/** Deterministic picks (mulberry32), so two runs vary their inputs the same way. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, list: readonly T[]): T {
  if (list.length === 0) throw new RangeError('pick from an empty list');
  return list[Math.floor(random() * list.length)] as T;
}
