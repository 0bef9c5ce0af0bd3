import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PG_MIGRATIONS_DIR, readMigrations } from '@testio-mcp/persistence';
import { onPgServer as onServer, withDatabase } from '@testio-mcp/persistence/testing';
import type { CachedMirror } from './mirror.js';
import { launchCli, productEnv, readCpuMs, startMcpHttp } from './process.js';
import { round } from './results.js';
import { BENCH_SEED, startBenchSandbox } from './sandbox.js';
import { startTopology } from './topology/topology.js';

/**
 * The database engine a read benchmark runs on (issue 15). `sqlite`: a private copy of the cached mirror
 * file. `postgres`: a fresh database cloned (`CREATE DATABASE ... TEMPLATE`) from a template that holds the
 * same mirror, built once per scale and cached on the server like the SQLite file is cached on disk.
 */

export const ENGINES = ['sqlite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

export interface EngineOptions {
  readonly engine: Engine;
  /** `serve --transport http` instances; above 1 they run behind nginx (PostgreSQL only). */
  readonly instances: number;
}

/** Variables naming the PostgreSQL server the benchmarks create their databases on, first found wins. */
export const BENCH_DATABASE_URL_VARIABLES = [
  'TESTIO_BENCH_DATABASE_URL',
  'TESTIO_TEST_DATABASE_URL',
] as const;

/** `--engine` and `--instances` as typed; three-part errors for what cannot run. */
export function parseEngineOptions(values: { engine?: string; instances?: string }): EngineOptions {
  const engine = (values.engine ?? 'sqlite') as Engine;
  if (!ENGINES.includes(engine))
    throw new Error(
      `--engine '${values.engine}' is not an engine: the benchmarks run on ${ENGINES.join(' or ')}. Use --engine sqlite (the default) or --engine postgres`,
    );
  let instances = 1;
  if (values.instances !== undefined) {
    instances = Number(values.instances);
    if (!Number.isInteger(instances) || instances < 1 || instances > 16)
      throw new Error(
        `--instances '${values.instances}' is not valid: it is the number of server instances behind the proxy. Use a whole number from 1 to 16`,
      );
  }
  if (engine === 'sqlite' && instances > 1)
    throw new Error(
      `--instances ${instances} needs --engine postgres: several instances share one PostgreSQL database (ADR 0036), a SQLite mirror belongs to one machine's processes. Add --engine postgres, or leave --instances out`,
    );
  return { engine, instances };
}

/** A label for tables and JSON: `sqlite`, `postgres x1`, `postgres x2 (nginx)`. */
export function engineLabel(options: EngineOptions): string {
  if (options.engine === 'sqlite') return 'sqlite';
  return options.instances > 1 ? `postgres x${options.instances} (nginx)` : 'postgres x1';
}

export function benchServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  for (const name of BENCH_DATABASE_URL_VARIABLES) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  throw new Error(
    `no PostgreSQL server for --engine postgres: the benchmark creates its databases on the server named by ${BENCH_DATABASE_URL_VARIABLES.join(' or ')}, and neither is set. Set one, e.g. TESTIO_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres`,
  );
}

/**
 * The template's name: scale, seed, and a digest of the PostgreSQL migrations, of the SQLite mirror it
 * was filled from (its build time) and of how it was filled, so a new migration, a rebuilt mirror (`--fresh`)
 * or a changed fill gets a new template.
 */
export function pgTemplateName(mirror: Pick<CachedMirror, 'scale' | 'builtAt'>): string {
  const digest = createHash('sha256');
  for (const file of readMigrations(DEFAULT_PG_MIGRATIONS_DIR))
    digest.update(`${file.name}:${file.checksum}\n`);
  digest.update(`mirror ${mirror.builtAt}\n`);
  // Templates built before the fill vacuumed and analysed them were planned without statistics.
  digest.update('fill vacuum-analyze\n');
  return `bench_${mirror.scale}_seed${BENCH_SEED}_${digest.digest('hex').slice(0, 12)}`;
}

/** How a template is filled: `db copy` of the cached SQLite mirror, or `sync --force` from the sandbox. */
export type PgFill = 'copy' | 'sync';

/**
 * The fill the templates use. Measured once at `small` (docs/performance.md, "Issue 15"): `db copy` of the
 * cached file took 22.4 s, a `sync --force` from the sandbox straight into PostgreSQL 67.0 s (load ~8).
 */
export const DEFAULT_PG_FILL: PgFill = 'copy';

/** Advisory lock key ("testio-mcp" and the template's name): one build of a template at a time. */
const BUILD_LOCK = 0x74696f;

export interface PgTemplate {
  readonly name: string;
  /** Seconds the fill took now, or null when the template was already there. */
  readonly builtSeconds: number | null;
}

/**
 * The template database of `mirror` on `serverUrl`, built if missing: a scratch database filled with
 * `fill`, renamed once complete (a crashed build leaves no half template). Older templates of the same scale
 * are dropped.
 */
export async function ensurePgTemplate(
  mirror: CachedMirror,
  serverUrl: string,
  options: { fill?: PgFill; fresh?: boolean; log?: (line: string) => void } = {},
): Promise<PgTemplate> {
  const log = options.log ?? ((line: string) => console.error(line));
  const name = pgTemplateName(mirror);
  const fill = options.fill ?? DEFAULT_PG_FILL;
  return onServer(serverUrl, async (c) => {
    const exists = async () =>
      ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
    // Without a wait when it is there (another scale's build may hold its own lock for many minutes).
    if (!options.fresh && (await exists())) return { name, builtSeconds: null };
    await c.query('SELECT pg_advisory_lock($1, hashtext($2))', [BUILD_LOCK, name]);
    try {
      if (await exists()) {
        if (!options.fresh) return { name, builtSeconds: null };
        await c.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      }
      const building = `bench_build_${randomBytes(6).toString('hex')}`;
      await c.query(`CREATE DATABASE "${building}"`);
      const url = withDatabase(serverUrl, building);
      log(
        `filling the ${mirror.scale} PostgreSQL template (${fill === 'copy' ? 'db copy' : 'sync --force'}); cached as ${name}`,
      );
      const started = Date.now();
      try {
        await fillDatabase(mirror, url, fill);
        // What autovacuum does to a production database some time after a bulk load (`db copy` does it
        // itself; a `sync --force` fill does not): the template is measured as a settled database, not one
        // planned without statistics (docs/performance.md, Issue 15, `large`).
        await onServer(url, (db) => db.query('VACUUM (ANALYZE)'));
      } catch (error) {
        await c.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
        throw error;
      }
      const seconds = round((Date.now() - started) / 1000, 1);
      await c.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      log(`filled the ${mirror.scale} PostgreSQL template in ${seconds} s`);
      const stale = await c.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2',
        [`bench\\_${mirror.scale}\\_seed${BENCH_SEED}\\_%`, name],
      );
      for (const { datname } of stale.rows)
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      return { name, builtSeconds: seconds };
    } finally {
      await c.query('SELECT pg_advisory_unlock($1, hashtext($2))', [BUILD_LOCK, name]);
    }
  });
}

/** Fills the empty database at `url` with the mirror, by a real `testio-mcp` process. */
export async function fillDatabase(mirror: CachedMirror, url: string, fill: PgFill): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'testio-bench-pgfill-'));
  const sandbox = fill === 'sync' ? await startBenchSandbox({ scale: mirror.scale }) : undefined;
  try {
    let args: string[];
    let env: NodeJS.ProcessEnv;
    if (sandbox) {
      args = ['sync', '--force'];
      env = productEnv(sandbox, join(work, 'unused.db'), {
        LOG_LEVEL: 'warn',
        CACHE_TTL_SECONDS: '86400',
        TESTIO_DATABASE_URL: url,
      });
    } else {
      // `db copy` migrates its source first: a private copy keeps the cached file as it is.
      const source = join(work, 'mirror.db');
      copyFileSync(mirror.path, source);
      args = ['db', 'copy', '--to', url, '--json'];
      env = productEnv({ baseUrl: 'http://127.0.0.1:9', token: 'unused' }, source, { LOG_LEVEL: 'warn' });
    }
    const proc = launchCli(args, { env, cwd: work });
    const { code } = await proc.exited;
    if (code !== 0)
      throw new Error(
        `testio-mcp ${args[0]} ${args[1]} into the benchmark's PostgreSQL database exited ${code}: ${proc.err().slice(-2000)}`,
      );
  } finally {
    await sandbox?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export interface PgRunDatabase {
  readonly url: string;
  readonly database: string;
  /** Seconds the clone took. */
  readonly cloneSeconds: number;
  drop(): Promise<void>;
}

/** A private database for one run, cloned from the template (the template itself is never written). */
export async function clonePgDatabase(serverUrl: string, template: string): Promise<PgRunDatabase> {
  const database = `bench_run_${randomBytes(6).toString('hex')}`;
  const started = Date.now();
  await onServer(serverUrl, (c) => c.query(`CREATE DATABASE "${database}" TEMPLATE "${template}"`));
  return {
    url: withDatabase(serverUrl, database),
    database,
    cloneSeconds: round((Date.now() - started) / 1000, 1),
    drop: () =>
      onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** The cached mirror as a PostgreSQL database for one run: template ensured, then cloned. */
export async function pgRunDatabase(
  mirror: CachedMirror,
  options: { fresh?: boolean; log?: (line: string) => void } = {},
): Promise<PgRunDatabase & { template: PgTemplate }> {
  const serverUrl = benchServerUrl();
  const template = await ensurePgTemplate(mirror, serverUrl, options);
  const run = await clonePgDatabase(serverUrl, template.name);
  return { ...run, template };
}

export interface BenchServers {
  /** `http://127.0.0.1:<port>`: the one instance, or nginx in front of several. */
  readonly origin: string;
  readonly mcpUrl: string;
  /** Peak RSS of each instance in MB (null where /proc is not readable). */
  peakRssMb(): (number | null)[];
  /** CPU time all instances have used so far, in ms (every thread); null where /proc is not readable. */
  cpuMs(): number | null;
  stop(): Promise<void>;
}

/**
 * The server(s) a read benchmark calls: one `serve --transport http` on the SQLite file or the PostgreSQL
 * database, or with `instances` > 1 the topology of ADR 0036 (N instances, nginx in front, no worker).
 * `env` is the benchmark's own environment (productEnv); TESTIO_DATABASE_URL is added for PostgreSQL.
 */
export async function startBenchServers(
  options: EngineOptions & {
    readonly env: NodeJS.ProcessEnv;
    readonly dir: string;
    readonly sandbox: { baseUrl: string; token: string };
    readonly databaseUrl?: string;
    readonly cpus?: string;
  },
): Promise<BenchServers> {
  const rssMb = (kb: number | null) => (kb === null ? null : round(kb / 1024, 1));
  if (options.instances > 1) {
    if (!options.databaseUrl) throw new Error('several instances need the PostgreSQL database URL');
    const extra: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.env)) if (value !== undefined) extra[key] = value;
    const topology = await startTopology({
      sandbox: options.sandbox,
      dir: options.dir,
      instances: options.instances,
      databaseUrl: options.databaseUrl,
      worker: false,
      env: { ...extra, TESTIO_DATABASE_URL: options.databaseUrl },
      ...(options.cpus ? { cpus: [options.cpus] } : {}),
    });
    return {
      origin: topology.url,
      mcpUrl: topology.mcpUrl,
      peakRssMb: () => topology.instances.map((i) => rssMb(i.proc.peakRssKb())),
      cpuMs: () => sumCpu(topology.instances.map((i) => readCpuMs(i.proc.pid))),
      stop: () => topology.stop(),
    };
  }
  const env = options.databaseUrl
    ? { ...options.env, TESTIO_DATABASE_URL: options.databaseUrl }
    : options.env;
  const server = await startMcpHttp(env, options.dir, undefined, options.cpus);
  return {
    origin: server.url.replace(/\/mcp$/, ''),
    mcpUrl: server.url,
    peakRssMb: () => [rssMb(server.proc.peakRssKb())],
    cpuMs: () => readCpuMs(server.proc.pid),
    stop: () => server.proc.stop(),
  };
}

function sumCpu(values: (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);
}
