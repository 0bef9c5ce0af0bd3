import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMirrorReader,
  createPrismaClient,
  dbTime,
  decodeRaw,
  openSqlite,
  type PrismaClient,
  type Sqlite,
} from '@testio-mcp/persistence';
import { copyMirror, ensureMirror, pick, readSamples, rng, type Samples } from '../mirror.js';
import { REPO_ROOT } from '../paths.js';
import { formatTable, writeResult } from '../results.js';
import type { Scale } from '../sandbox.js';
import { summarize, type LatencySummary } from '../stats.js';

/**
 * `persistence`: the same production queries through the raw better-sqlite3 statements the code runs
 * today and through Prisma Client (the generated client on the better-sqlite3 driver adapter,
 * `createPrismaClient`), on a copy of a synced mirror. Both sides return the same rows (checked once per
 * query before timing); the Prisma side is written the way a Prisma port would be (`findMany` with
 * `select`/`_count`, `groupBy`, `$transaction` of upserts), not as `$queryRaw`. Figures for ADR 0017.
 */

export interface PersistenceBenchOptions {
  readonly scale: Scale;
  readonly calls: number;
  readonly fresh: boolean;
}

const CUSTOMER = 1;
const WARMUP = 5;
/** Bugs per upsert batch: about what one bug page of 15 tests brings. */
const UPSERT_BATCH = 500;

interface Case {
  readonly name: string;
  readonly raw: (i: number) => unknown;
  readonly prisma: (i: number) => Promise<unknown>;
  /**
   * The raw side's SQL sent through the Prisma client's `$queryRawUnsafe` (the driver adapter, no query
   * building): what TypedSQL would run, so the gap splits into Prisma's query layer and the adapter.
   */
  readonly prismaSql?: (i: number) => Promise<unknown>;
  /** Comparable summary of one answer, to check both sides agree before timing. */
  readonly digest: (answer: unknown) => string;
}

interface Row {
  readonly query: string;
  readonly raw: LatencySummary;
  readonly prisma: LatencySummary;
  readonly prismaSql: LatencySummary | null;
  readonly ratio: number;
}

/**
 * The sides' calls alternate, so all see the same machine load (other processes, GC); the first `WARMUP`
 * calls of each are not counted.
 */
async function timeAll(
  c: Case,
  calls: number,
): Promise<{ raw: number[]; prisma: number[]; prismaSql: number[] }> {
  const out = { raw: [] as number[], prisma: [] as number[], prismaSql: [] as number[] };
  const timed = async (fn: (i: number) => unknown, i: number, into: number[]) => {
    const started = performance.now();
    await fn(i);
    if (i >= WARMUP) into.push(performance.now() - started);
  };
  for (let i = 0; i < calls + WARMUP; i++) {
    await timed(c.raw, i, out.raw);
    await timed(c.prisma, i, out.prisma);
    if (c.prismaSql) await timed(c.prismaSql, i, out.prismaSql);
  }
  return out;
}

function testsOfProduct(db: Sqlite, productId: number): number[] {
  return db
    .prepare('SELECT id FROM tests WHERE customer_id = ? AND product_id = ? ORDER BY end_at DESC LIMIT 15')
    .pluck()
    .all(CUSTOMER, productId) as number[];
}

/** The product with the most tests first: list pages then have something to page through. */
function busyProducts(db: Sqlite): number[] {
  return db
    .prepare(
      'SELECT product_id FROM tests WHERE customer_id = ? GROUP BY product_id ORDER BY count(*) DESC LIMIT 10',
    )
    .pluck()
    .all(CUSTOMER) as number[];
}

interface BugRowFull {
  id: number;
  test_id: number;
  product_id: number;
  title: string;
  severity: string | null;
  status: string | null;
  known: number;
  rejection_reason: string | null;
  reported_at: string | null;
  author: string | null;
  test_feature_id: number | null;
  feature_id: number | null;
  language: string | null;
  location: string | null;
  steps: string | null;
  actual_result: string | null;
  expected_result: string | null;
  devices: string;
  /** Compressed on SQLite (ADR 0039), or the JSON text of an older row. */
  raw: Uint8Array | string;
}

/** The production bug upsert (`stores/bug-store.ts`): insert, or update only when a column differs. */
const BUG_COLUMNS = [
  'test_id',
  'product_id',
  'title',
  'severity',
  'status',
  'known',
  'rejection_reason',
  'reported_at',
  'author',
  'test_feature_id',
  'feature_id',
  'language',
  'location',
  'steps',
  'actual_result',
  'expected_result',
  'devices',
  'raw',
] as const;
const UPSERT_BUG = `INSERT INTO bugs (customer_id, id, ${BUG_COLUMNS.join(', ')})
VALUES (@customer_id, @id, ${BUG_COLUMNS.map((c) => `@${c}`).join(', ')})
ON CONFLICT (customer_id, id) DO UPDATE SET ${BUG_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
WHERE ${BUG_COLUMNS.map((c) => `bugs.${c} IS NOT excluded.${c}`).join(' OR ')}`;

/** The same upsert with positional parameters, for `$executeRawUnsafe`. */
const UPSERT_BUG_POSITIONAL = `INSERT INTO bugs (customer_id, id, ${BUG_COLUMNS.join(', ')})
VALUES (?, ?, ${BUG_COLUMNS.map(() => '?').join(', ')})
ON CONFLICT (customer_id, id) DO UPDATE SET ${BUG_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
WHERE ${BUG_COLUMNS.map((c) => `bugs.${c} IS NOT excluded.${c}`).join(' OR ')}`;

/** `readers/bugs-reader.ts`'s filter with the parameters the bug list case binds, positional. */
const BUG_SQL_WHERE = `b.customer_id = ? AND b.test_id IN (SELECT value FROM json_each(?))
  AND b.status IN (SELECT value FROM json_each(?))`;

const AGGREGATE_SQL = `SELECT b.test_id, b.status, b.severity, count(*) AS n FROM bugs b
  WHERE b.customer_id = ? AND b.product_id = ? AND b.reported_at >= ?
  GROUP BY b.test_id, b.status, b.severity ORDER BY b.test_id, b.status, b.severity`;

function cases(db: Sqlite, prisma: PrismaClient, samples: Samples): Case[] {
  const reader = createMirrorReader(db, CUSTOMER);
  const random = rng(11);
  const products = busyProducts(db);
  const productOf = (i: number) => products[i % products.length] as number;
  const testsByProduct = new Map(products.map((p) => [p, testsOfProduct(db, p)]));
  const testIds = Array.from({ length: 2000 }, () => pick(random, samples.testIds));
  const since = dbTime(new Date('2025-01-01T00:00:00.000Z'));

  const upsertRows = db
    .prepare(
      `SELECT b.* FROM bugs b WHERE b.customer_id = ? AND b.product_id = ? ORDER BY b.id LIMIT ${UPSERT_BATCH}`,
    )
    .all(CUSTOMER, products[0]) as BugRowFull[];
  const upsert = db.prepare(UPSERT_BUG);
  // Each call changes every title (so every row is written and its FTS row re-indexed, as a changed
  // bug is), alternating between two suffixes.
  const retitled = (i: number) =>
    upsertRows.map((r) => ({ ...r, customer_id: CUSTOMER, title: `${r.title}${i % 2 ? ' (b)' : ''}` }));

  const aggregate = db.prepare(AGGREGATE_SQL);
  const jsonOf = (v: string) => JSON.parse(v) as object;
  const timeOf = (v: string | null) => (v === null ? null : new Date(v));

  return [
    {
      name: 'list page of tests (product, 20, end_at desc)',
      raw: (i) =>
        reader.listTests({
          productId: productOf(i),
          sortBy: 'end_at',
          sortOrder: 'desc',
          limit: 20,
          offset: (i % 3) * 20,
        }),
      prisma: async (i) => {
        const where = { customerId: CUSTOMER, productId: productOf(i) };
        const [total, rows] = await prisma.$transaction([
          prisma.test.count({ where }),
          prisma.test.findMany({
            where,
            select: {
              id: true,
              productId: true,
              title: true,
              goal: true,
              status: true,
              reviewStatus: true,
              testingType: true,
              startAt: true,
              endAt: true,
              environment: true,
              syncedAt: true,
              bugsSyncedAt: true,
              _count: { select: { bugs: true } },
            },
            orderBy: [{ endAt: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
            take: 20,
            skip: (i % 3) * 20,
          }),
        ]);
        return { total, items: rows.map((r) => ({ id: r.id, bugCount: r._count.bugs })) };
      },
      digest: (a) => {
        const page = a as { total: number; items: { id: number; bugCount: number }[] };
        return JSON.stringify([page.total, page.items.map((t) => [t.id, t.bugCount])]);
      },
    },
    {
      name: 'one test with its bugs (detail + bug list)',
      raw: async (i) => {
        const id = testIds[i % testIds.length] as number;
        const [detail, bugs] = await Promise.all([reader.getTestDetail(id), reader.listBugsOfTest(id)]);
        return { id: detail?.id, features: detail?.features.length, bugs: bugs.map((b) => b.id) };
      },
      prisma: async (i) => {
        const id = testIds[i % testIds.length] as number;
        const t = await prisma.test.findUnique({
          where: { customerId_id: { customerId: CUSTOMER, id } },
          include: {
            product: { select: { title: true } },
            features: { orderBy: { id: 'asc' } },
            platforms: { orderBy: { position: 'asc' } },
            bugs: {
              select: {
                id: true,
                title: true,
                severity: true,
                status: true,
                known: true,
                reportedAt: true,
                devices: true,
              },
              orderBy: [{ reportedAt: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
            },
            _count: { select: { bugs: true } },
          },
        });
        return { id: t?.id, features: t?.features.length, bugs: t?.bugs.map((b) => b.id) };
      },
      digest: (a) => JSON.stringify(a),
    },
    {
      name: 'bug list page (15 tests, accepted+rejected, reported_at desc)',
      raw: (i) =>
        reader.listBugs({
          testIds: testsByProduct.get(productOf(i)) ?? [],
          statuses: ['accepted', 'rejected'],
          sortBy: 'reported_at',
          sortOrder: 'desc',
          limit: 20,
          offset: 0,
        }),
      prisma: async (i) => {
        const where = {
          customerId: CUSTOMER,
          testId: { in: testsByProduct.get(productOf(i)) ?? [] },
          status: { in: ['accepted', 'rejected'] },
        };
        const [total, items] = await prisma.$transaction([
          prisma.bug.count({ where }),
          prisma.bug.findMany({
            where,
            select: {
              id: true,
              testId: true,
              title: true,
              severity: true,
              status: true,
              known: true,
              rejectionReason: true,
              reportedAt: true,
            },
            orderBy: [{ reportedAt: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
            take: 20,
          }),
        ]);
        return { total, items };
      },
      prismaSql: async (i) => {
        const args = [
          CUSTOMER,
          JSON.stringify(testsByProduct.get(productOf(i)) ?? []),
          '["accepted","rejected"]',
        ];
        const [count, items] = await prisma.$transaction([
          prisma.$queryRawUnsafe<{ n: number | bigint }[]>(
            `SELECT count(*) AS n FROM bugs b WHERE ${BUG_SQL_WHERE}`,
            ...args,
          ),
          prisma.$queryRawUnsafe<{ id: number | bigint }[]>(
            `SELECT b.id, b.test_id, b.title, b.severity, b.status, b.known, b.rejection_reason, b.reported_at
             FROM bugs b WHERE ${BUG_SQL_WHERE}
             ORDER BY (b.reported_at) IS NULL, b.reported_at DESC, b.id DESC LIMIT 20 OFFSET 0`,
            ...args,
          ),
        ]);
        return { total: Number(count[0]?.n ?? 0), items: items.map((b) => ({ id: Number(b.id) })) };
      },
      digest: (a) => {
        const page = a as { total: number; items: { id: number }[] };
        return JSON.stringify([page.total, page.items.map((b) => b.id)]);
      },
    },
    {
      name: `upsert ${UPSERT_BATCH} changed bugs in one transaction`,
      raw: (i) => {
        const rows = retitled(i);
        return db
          .transaction(() => {
            for (const r of rows) upsert.run(r);
            return rows.length;
          })
          .immediate();
      },
      prisma: async (i) => {
        const rows = retitled(i);
        const written = await prisma.$transaction(
          rows.map((r) => {
            const data = {
              testId: r.test_id,
              productId: r.product_id,
              title: r.title,
              severity: r.severity,
              status: r.status,
              known: r.known === 1,
              rejectionReason: r.rejection_reason,
              reportedAt: timeOf(r.reported_at),
              author: r.author,
              testFeatureId: r.test_feature_id,
              featureId: r.feature_id,
              language: r.language,
              location: r.location,
              steps: r.steps,
              actualResult: r.actual_result,
              expectedResult: r.expected_result,
              devices: jsonOf(r.devices),
              raw: decodeRaw(r.raw) as object,
            };
            return prisma.bug.upsert({
              where: { customerId_id: { customerId: CUSTOMER, id: r.id } },
              create: { customerId: CUSTOMER, id: r.id, ...data },
              update: data,
              select: { id: true },
            });
          }),
        );
        return written.length;
      },
      prismaSql: async (i) => {
        const rows = retitled(i);
        await prisma.$transaction(
          rows.map((r) =>
            prisma.$executeRawUnsafe(UPSERT_BUG_POSITIONAL, CUSTOMER, r.id, ...BUG_COLUMNS.map((c) => r[c])),
          ),
        );
        return rows.length;
      },
      digest: (a) => String(a),
    },
    {
      name: 'analytics: bugs by status and severity per test of a product since a date',
      raw: (i) => aggregate.all(CUSTOMER, productOf(i), since),
      prisma: async (i) => {
        const groups = await prisma.bug.groupBy({
          by: ['testId', 'status', 'severity'],
          where: { customerId: CUSTOMER, productId: productOf(i), reportedAt: { gte: new Date(since) } },
          _count: { _all: true },
          orderBy: [{ testId: 'asc' }, { status: 'asc' }, { severity: 'asc' }],
        });
        return groups.map((g) => ({
          test_id: g.testId,
          status: g.status,
          severity: g.severity,
          n: g._count._all,
        }));
      },
      prismaSql: (i) => prisma.$queryRawUnsafe(AGGREGATE_SQL, CUSTOMER, productOf(i), since),
      digest: (a) => JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
    },
    {
      name: 'mirror stats (counts of five tables)',
      raw: () => reader.stats(),
      prisma: async () => {
        const where = { customerId: CUSTOMER };
        const [products, features, tests, bugs, users] = await prisma.$transaction([
          prisma.product.count({ where }),
          prisma.feature.count({ where }),
          prisma.test.count({ where }),
          prisma.bug.count({ where }),
          prisma.user.count({ where }),
        ]);
        return { products, features, tests, bugs, users };
      },
      digest: (a) => {
        const s = a as Record<string, unknown>;
        return JSON.stringify([s.products, s.features, s.tests, s.bugs, s.users]);
      },
    },
  ];
}

/** Wall time of a fresh Node process that opens the mirror one way and answers one query. */
function coldStart(script: string, dbPath: string): number {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_DB: dbPath },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`cold start failed: ${result.stderr.slice(-1000)}`);
    runs.push(performance.now() - started);
  }
  return summarize(runs).p50;
}

const COLD_RAW = `import { openSqlite } from '@testio-mcp/persistence';
const db = openSqlite(process.env.BENCH_DB);
db.prepare('SELECT count(*) FROM tests WHERE customer_id = 1').get();
db.close();`;

const COLD_PRISMA = `import { createPrismaClient } from '@testio-mcp/persistence';
const p = createPrismaClient(process.env.BENCH_DB);
await p.test.count({ where: { customerId: 1 } });
await p.$disconnect();`;

const COLD_OPEN_ONLY = `import { openSqlite } from '@testio-mcp/persistence';
const db = openSqlite(process.env.BENCH_DB);
db.close();`;

/** What every start paid before ADR 0017: the client constructed beside the connection, never queried. */
const COLD_PRISMA_CONSTRUCTED = `import { createPrismaClient, openSqlite } from '@testio-mcp/persistence';
const db = openSqlite(process.env.BENCH_DB);
const p = createPrismaClient(process.env.BENCH_DB);
await p.$disconnect();
db.close();`;

export async function runPersistenceBenchmark(options: PersistenceBenchOptions): Promise<unknown> {
  const mirror = await ensureMirror(options.scale, { fresh: options.fresh });
  const dir = mkdtempSync(join(tmpdir(), 'testio-bench-persistence-'));
  const dbPath = copyMirror(mirror, dir);
  const samples = readSamples(dbPath);
  console.error(
    `persistence benchmark: scale ${options.scale} (${mirror.tests} tests, ${mirror.bugs} bugs), ${options.calls} calls per query and side`,
  );
  const rows: Row[] = [];
  const db = openSqlite(dbPath);
  const prisma = createPrismaClient(dbPath);
  try {
    for (const c of cases(db, prisma, samples)) {
      for (let i = 0; i < 3; i++) {
        const [a, b] = [c.digest(await c.raw(i)), c.digest(await c.prisma(i))];
        if (a !== b)
          throw new Error(`${c.name}: the two sides disagree on call ${i}:\n raw    ${a}\n prisma ${b}`);
      }
      const calls = c.name.startsWith('upsert')
        ? Math.max(10, Math.round(options.calls / 10))
        : options.calls;
      const times = await timeAll(c, calls);
      const raw = summarize(times.raw);
      const viaPrisma = summarize(times.prisma);
      const prismaSql = times.prismaSql.length ? summarize(times.prismaSql) : null;
      rows.push({ query: c.name, raw, prisma: viaPrisma, prismaSql, ratio: viaPrisma.p50 / raw.p50 });
      console.error(
        `  ${c.name}: raw p50 ${raw.p50.toFixed(3)} ms, prisma p50 ${viaPrisma.p50.toFixed(3)} ms`,
      );
    }
  } finally {
    await prisma.$disconnect();
    db.close();
  }
  const cold = {
    importOnlyMs: coldStart(COLD_OPEN_ONLY, dbPath),
    prismaConstructedMs: coldStart(COLD_PRISMA_CONSTRUCTED, dbPath),
    rawFirstQueryMs: coldStart(COLD_RAW, dbPath),
    prismaFirstQueryMs: coldStart(COLD_PRISMA, dbPath),
  };
  rmSync(dir, { recursive: true, force: true });
  console.log(
    formatTable(
      [
        'query',
        'raw p50 ms',
        'raw p95 ms',
        'Prisma p50 ms',
        'Prisma p95 ms',
        'Prisma / raw (p50)',
        '$queryRaw p50 ms',
        '$queryRaw / raw (p50)',
      ],
      rows.map((r) => [
        r.query,
        r.raw.p50,
        r.raw.p95,
        r.prisma.p50,
        r.prisma.p95,
        r.ratio,
        r.prismaSql?.p50,
        r.prismaSql ? r.prismaSql.p50 / r.raw.p50 : null,
      ]),
    ),
  );
  console.log(
    formatTable(
      ['fresh process (median of 3)', 'ms'],
      [
        ['import the lib, open better-sqlite3, no query', cold.importOnlyMs],
        ['import the lib, open better-sqlite3 and construct a Prisma client', cold.prismaConstructedMs],
        ['import the lib, open better-sqlite3, one count', cold.rawFirstQueryMs],
        ['import the lib, Prisma client, one count', cold.prismaFirstQueryMs],
      ],
    ),
  );
  const file = writeResult({
    benchmark: 'persistence',
    scale: options.scale,
    options: { calls: options.calls },
    figures: { mirror: { tests: mirror.tests, bugs: mirror.bugs }, rows, cold },
  });
  console.error(`results: ${file}`);
  return { rows, cold };
}
