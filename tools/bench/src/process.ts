import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { heapFlagsFor } from '@testio-mcp/app-runtime';
import { BIN } from './paths.js';

/**
 * A `testio-mcp` subcommand as a user runs it: a real process, its output captured, its peak RSS
 * sampled from `/proc/<pid>/status` (VmHWM, the kernel's high-water mark, Linux only).
 */

export interface Launched {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** Resolves with the exit code (null when killed) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  out(): string;
  err(): string;
  /** Waits until stdout or stderr matches, the process exits, or the timeout passes. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Highest VmHWM seen, in kB; null when /proc is not available. */
  peakRssKb(): number | null;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still running. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_CAP = 8 * 1024 * 1024;

export function readVmHwmKb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+)\s*kB/.exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * CPU time a process has used so far, in milliseconds: the sum over its threads (the event loop, the
 * read workers, libuv's pool, V8's helpers) of the scheduler's own runtime counter
 * (`/proc/<pid>/task/<tid>/schedstat`, nanoseconds, Linux only). Far less sensitive to a loaded machine
 * than wall time; null when /proc is not readable. A thread that ended takes its share with it, which
 * the read pool's long-lived workers do not.
 */
export function readCpuMs(pid: number): number | null {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return ns / 1e6;
  } catch {
    return null;
  }
}

export interface LaunchOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Sampling period of VmHWM (default 100 ms). */
  readonly rssSampleMs?: number;
  /** Called with every chunk of output (both streams), e.g. to scan logs as they come. */
  readonly onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Pin the process to these CPUs (`taskset -c`, e.g. `0`): a one-core baseline on a bigger machine. */
  readonly cpus?: string;
  /** Node flags for this process only, after the shared ones (e.g. `--require` of a probe). */
  readonly nodeArgs?: readonly string[];
}

let nodeFlags: readonly string[] = heapFlagsFor(process.env);

/**
 * Node flags of every process launched from here: by default the V8 heap flags `testio-mcp start` gives
 * its children (`heapFlagsFor`), so figures are those of the product as launched; `--no-heap-flags`
 * measures plain `node`.
 */
export function setNodeFlags(flags: readonly string[]): void {
  nodeFlags = [...flags];
}

export function currentNodeFlags(): readonly string[] {
  return nodeFlags;
}

let bin = BIN;

/**
 * The `testio-mcp` entry every process is launched from: the checkout's (TypeScript through tsx) by
 * default; `--bin` points at an installed package's `bin.mjs`, the bundle users run, whose memory and
 * start-up differ (no tsx in the process or its read workers).
 */
export function setBin(path: string): void {
  bin = path;
}

export function currentBin(): string {
  return bin;
}

export function launchCli(args: readonly string[], options: LaunchOptions): Launched {
  const argv = [...nodeFlags, ...(options.nodeArgs ?? []), bin, ...args];
  // taskset execs node in place, so the pid (and its /proc figures) are node's.
  const child = options.cpus
    ? spawn('taskset', ['-c', options.cpus, process.execPath, ...argv], {
        env: options.env,
        cwd: options.cwd,
      })
    : spawn(process.execPath, argv, { env: options.env, cwd: options.cwd });
  const pid = child.pid ?? -1;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    const text = d.toString();
    if (stdout.length < OUTPUT_CAP) stdout += text;
    options.onOutput?.(text, 'stdout');
  });
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString();
    if (stderr.length < OUTPUT_CAP) stderr += text;
    options.onOutput?.(text, 'stderr');
  });
  let peak: number | null = null;
  const sample = () => {
    const kb = readVmHwmKb(pid);
    if (kb !== null) peak = Math.max(peak ?? 0, kb);
  };
  const timer = setInterval(sample, options.rssSampleMs ?? 100);
  timer.unref();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal });
    });
  });
  return {
    child,
    pid,
    exited,
    out: () => stdout,
    err: () => stderr,
    async waitFor(pattern, timeoutMs = 60_000) {
      const started = Date.now();
      for (;;) {
        const match = stderr.match(pattern) ?? stdout.match(pattern);
        if (match) return match;
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(
            `testio-mcp ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before ${pattern}: ${stderr.slice(-2000)}`,
          );
        }
        if (Date.now() - started > timeoutMs)
          throw new Error(
            `no ${pattern} within ${timeoutMs} ms from testio-mcp ${args.join(' ')}: ${stderr.slice(-2000)}`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    peakRssKb: () => {
      if (child.exitCode === null && child.signalCode === null) sample();
      return peak;
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      sample();
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * The environment of a child: this process' environment without any TESTIO_* / LOG_* setting of the
 * developer (so a local `.env` or shell never leaks in), plus `extra`.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(TESTIO_|LOG_|CACHE_TTL|MAX_CONCURRENT|HTTP_TIMEOUT|ENABLED_TOOLS|DISABLED_TOOLS|AUTO_ACCEPTANCE|SHUTDOWN_)/.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  return { ...env, LOG_FORMAT: 'json', ...extra };
}

/** Environment that points a `testio-mcp` process at a sandbox and a mirror file. */
export function productEnv(
  sandbox: { baseUrl: string; token: string },
  dbPath: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return childEnv({
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: dbPath,
    TESTIO_HTTP_PORT: '0',
    TESTIO_REST_PORT: '0',
    TESTIO_REFRESH_INTERVAL_SECONDS: '0',
    // Each benchmark starts the syncs it measures; `serve`'s own sync (ADR 0012) only where asked for.
    TESTIO_SERVE_SYNC: 'false',
    ...extra,
  });
}

/** `serve --transport http`: resolves with the MCP URL once the server logged its ready line. */
export async function startMcpHttp(
  env: NodeJS.ProcessEnv,
  cwd: string,
  onOutput?: LaunchOptions['onOutput'],
  cpus?: string,
): Promise<{ proc: Launched; url: string }> {
  const proc = launchCli(['serve', '--transport', 'http'], {
    env,
    cwd,
    ...(onOutput ? { onOutput } : {}),
    ...(cpus ? { cpus } : {}),
  });
  const match = await proc.waitFor(/MCP server ready at (http:\/\/127\.0\.0\.1:\d+\/mcp)/);
  return { proc, url: match[1] as string };
}

/** `api`: resolves with the `/api` base URL once the server printed it. */
export async function startRestApi(
  env: NodeJS.ProcessEnv,
  cwd: string,
  onOutput?: LaunchOptions['onOutput'],
  cpus?: string,
): Promise<{ proc: Launched; url: string }> {
  const proc = launchCli(['api'], { env, cwd, ...(onOutput ? { onOutput } : {}), ...(cpus ? { cpus } : {}) });
  const match = await proc.waitFor(/TestIO REST API\s+(http:\/\/127\.0\.0\.1:\d+\/api)/);
  return { proc, url: match[1] as string };
}
