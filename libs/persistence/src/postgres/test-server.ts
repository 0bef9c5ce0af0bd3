import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL server for tests on machines without `TESTIO_TEST_DATABASE_URL`: the system's
 * binaries (Debian's `postgresql` package, /usr/lib/postgresql/<major>/bin), a fresh cluster in a temporary
 * directory, trust authentication, loopback only, durability off (fsync, full page writes: it is thrown away).
 *
 * One per test process (module state), started on first use. It stops when this process ends, however it
 * ends: a small shell watchdog holds the server and waits for EOF on a pipe from this process, then stops
 * the server and removes the directory. PostgreSQL refuses to run as root, so as root the cluster is owned
 * by and run as the `postgres` system user (`setpriv`).
 */

export interface ThrowawayServer {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  /** Stops the server and removes its directory (also done automatically at process exit). */
  stop(): void;
}

const PG_LIB = '/usr/lib/postgresql';

/** The newest /usr/lib/postgresql/<major>/bin holding initdb and postgres, or undefined. */
export function findPostgresBinaries(): string | undefined {
  if (!existsSync(PG_LIB)) return undefined;
  const majors = readdirSync(PG_LIB)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(PG_LIB, major, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return bin;
  }
  return undefined;
}

interface SystemUser {
  readonly uid: number;
  readonly gid: number;
}

function postgresUser(): SystemUser {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(
      'Cannot start a throwaway PostgreSQL server as root: there is no `postgres` system user to run it as ' +
        "(PostgreSQL refuses to run as root). Install Debian's postgresql package (it creates the user), " +
        'or set TESTIO_TEST_DATABASE_URL to a server the tests may create databases on.',
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `[command, ...args]` run as the postgres user when this process is root. */
function asPostgres(user: SystemUser | undefined, command: string[]): string[] {
  if (!user) return command;
  return ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', ...command];
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export async function startThrowawayServer(): Promise<ThrowawayServer> {
  const bin = findPostgresBinaries();
  if (!bin) {
    throw new Error(
      'No PostgreSQL server for the tests: TESTIO_TEST_DATABASE_URL is not set and no PostgreSQL binaries were ' +
        `found under ${PG_LIB}/<version>/bin. Install Debian's postgresql package (apt-get install postgresql), ` +
        'or set TESTIO_TEST_DATABASE_URL=postgresql://user@host:port/db to a server the tests may create databases on.',
    );
  }
  const user = process.getuid?.() === 0 ? postgresUser() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'testio-mcp-pg-'));
  const data = join(dir, 'data');
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o700);
  }
  const [initCommand = 'initdb', ...initArgs] = asPostgres(user, [
    join(bin, 'initdb'),
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const initResult = spawnSync(initCommand, initArgs, { encoding: 'utf8' });
  if (initResult.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `Could not create a throwaway PostgreSQL cluster (initdb exited with ${initResult.status ?? initResult.signal}): ` +
        `${(initResult.stderr || initResult.error?.message || '').trim()}. ` +
        'Check the PostgreSQL installation, or set TESTIO_TEST_DATABASE_URL to a running server.',
    );
  }
  const port = await freePort();
  const server = asPostgres(user, [
    join(bin, 'postgres'),
    '-D',
    data,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'fsync=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'max_connections=200',
  ]);
  // The watchdog: starts the server, waits for EOF on stdin (this process closed the pipe or died),
  // then stops the server (fast shutdown) and removes the directory.
  const script = [
    `${server.map(shellQuote).join(' ')} &`,
    'pid=$!',
    'cat >/dev/null',
    'kill -INT "$pid" 2>/dev/null',
    'wait "$pid"',
    `rm -rf ${shellQuote(dir)}`,
  ].join('\n');
  const child = spawn('sh', ['-c', script], { stdio: ['pipe', 'ignore', 'pipe'] });
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();

  await new Promise<void>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      if (log.includes('database system is ready to accept connections')) {
        child.stderr.off('data', onData);
        child.stderr.resume();
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      rmSync(dir, { recursive: true, force: true });
      reject(
        new Error(
          `The throwaway PostgreSQL server stopped before it was ready (exit ${code}): ${log.trim().slice(-2000)}. ` +
            'Check the PostgreSQL installation, or set TESTIO_TEST_DATABASE_URL to a running server.',
        ),
      );
    };
    child.stderr.on('data', onData);
    child.on('exit', onExit);
  });

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    child.stdin.end();
  };
  process.once('exit', stop);
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, stop };
}
