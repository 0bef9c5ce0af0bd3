import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmptyPgDatabase } from '@testio-mcp/persistence/testing';
import type { RunningSandbox, SandboxFaults } from '@testio-mcp/testio-sandbox';
import { launchCli, productEnv, startMcpHttp, startRestApi, type Launched } from '../../process.js';
import { startBenchSandbox, type Scale } from '../../sandbox.js';
import type { MirrorLocation, ReliabilityEngine } from './engines.js';
import { makeSecrets, type Secrets } from './secrets.js';

/**
 * The product as users run it, on loopback only: the sandbox (with a per-run secret token), a mirror
 * (a file in a temp dir, or a fresh PostgreSQL database every process reaches by TESTIO_DATABASE_URL),
 * and `testio-mcp` processes. Everything they print is kept, for the leak checks.
 */

export interface Stack extends MirrorLocation {
  readonly sandbox: RunningSandbox;
  readonly secrets: Secrets;
  readonly dir: string;
  /** Environment of a `testio-mcp` process on this stack. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Runs `testio-mcp <args>` to completion. */
  run(
    args: string[],
    extra?: Record<string, string>,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
  /** Starts `testio-mcp <args>` and keeps it (stopped by `close`). */
  launch(args: string[], extra?: Record<string, string>): Launched;
  startMcp(extra?: Record<string, string>): Promise<{ proc: Launched; url: string }>;
  startRest(extra?: Record<string, string>): Promise<{ proc: Launched; url: string; base: string }>;
  /** Everything every process of this stack printed so far. */
  output(): string;
  close(): Promise<void>;
}

export async function startStack(options: {
  scale: Scale;
  /** Default SQLite. PostgreSQL: an empty database, migrated by the first process as on a new install. */
  engine?: ReliabilityEngine;
  faults?: SandboxFaults;
  port?: number;
}): Promise<Stack> {
  const engine = options.engine ?? 'sqlite';
  const pg = engine === 'postgres' ? await createEmptyPgDatabase() : undefined;
  const secrets = makeSecrets();
  let sandbox: RunningSandbox;
  try {
    sandbox = await startBenchSandbox({
      scale: options.scale,
      token: secrets.token,
      ...(options.port ? { port: options.port } : {}),
    });
  } catch (error) {
    await pg?.drop();
    throw error;
  }
  if (options.faults) sandbox.setFaults(options.faults);
  const dir = mkdtempSync(join(tmpdir(), 'testio-reliability-'));
  const dbPath = join(dir, 'mirror.db');
  const procs: Launched[] = [];
  const chunks: string[] = [];
  const env = (extra: Record<string, string> = {}) =>
    productEnv(sandbox, dbPath, {
      LOG_LEVEL: 'info',
      TESTIO_API_KEYS: secrets.apiKey,
      TESTIO_REST_RATE_LIMIT: '0',
      // Fuzzers and load are no abuse: the per-role limits (ADR 0025) are off as the address one is.
      TESTIO_RATE_LIMIT_VIEWER: '0',
      TESTIO_RATE_LIMIT_OPERATOR: '0',
      TESTIO_RATE_LIMIT_ADMIN: '0',
      ...(pg ? { TESTIO_DATABASE_URL: pg.url } : {}),
      ...extra,
    });
  const launch = (args: string[], extra: Record<string, string> = {}) => {
    const proc = launchCli(args, {
      env: env(extra),
      cwd: dir,
      rssSampleMs: 1000,
      onOutput: (text) => chunks.push(text),
    });
    procs.push(proc);
    return proc;
  };
  return {
    engine,
    ...(pg ? { databaseUrl: pg.url } : {}),
    sandbox,
    secrets,
    dir,
    dbPath,
    env,
    launch,
    async run(args, extra = {}) {
      const proc = launch(args, extra);
      const { code, signal } = await proc.exited;
      return { code, signal, out: proc.out(), err: proc.err() };
    },
    async startMcp(extra = {}) {
      const started = await startMcpHttp(env(extra), dir, (text) => chunks.push(text));
      procs.push(started.proc);
      return started;
    },
    async startRest(extra = {}) {
      const started = await startRestApi(env(extra), dir, (text) => chunks.push(text));
      procs.push(started.proc);
      return { ...started, base: started.url.replace(/\/api$/, '') };
    },
    output: () => chunks.join(''),
    async close() {
      await Promise.all(procs.map((p) => p.stop(5_000)));
      await sandbox.close();
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
