import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { heapFlagsFor } from '@testio-mcp/app-runtime';

/**
 * The child processes of `start`: `testio-mcp <command>` run from the entry this process was started
 * from, with their output lines prefixed by their name.
 */

export type ChildEnv = Record<string, string | undefined>;

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Child {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<ChildExit>;
  /** Resolves with the match of the first output line (past or future) matching, or rejects when the child exits first. */
  waitForLine(pattern: RegExp): Promise<RegExpMatchArray>;
}

interface LineWaiter {
  readonly pattern: RegExp;
  resolve(match: RegExpMatchArray): void;
  reject(error: Error): void;
}

/** Output lines kept for a `waitForLine` that starts after the line was written. */
const SEEN_LINES = 200;

/**
 * With LOG_FILE set, each child writes (and rotates) its own file: `server.log` becomes `server.worker.log`
 * and `server.mcp.log`, so no two processes rotate the same file.
 */
export function childLogEnv(env: ChildEnv, name: string): ChildEnv {
  if (!env.LOG_FILE) return env;
  const parsed = path.parse(env.LOG_FILE);
  return { ...env, LOG_FILE: path.join(parsed.dir, `${parsed.name}.${name}${parsed.ext}`) };
}

/** Runs `testio-mcp <args>` from `entry` as a child whose output lines go to stderr prefixed with its name. */
export function startChild(entry: string, name: string, args: readonly string[], env: ChildEnv): Child {
  // Its own process group: a Ctrl-C at the terminal reaches `start` only, which then stops the children in
  // order (a child seeing the terminal's SIGINT and then start's SIGTERM would take it for a second signal).
  const child = spawn(process.execPath, [...heapFlagsFor(env), entry, ...args], {
    env: childLogEnv(env, name),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = `[${name}]`.padEnd(9);
  const seen: string[] = [];
  const waiters = new Set<LineWaiter>();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stderr.write(`${prefix} ${line}\n`);
      seen.push(line);
      if (seen.length > SEEN_LINES) seen.shift();
      for (const waiter of waiters) {
        const match = line.match(waiter.pattern);
        if (match) {
          waiters.delete(waiter);
          waiter.resolve(match);
        }
      }
    });
  }
  const exited = new Promise<ChildExit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  void exited.then(({ code }) => {
    for (const waiter of waiters)
      waiter.reject(new Error(`${name} exited with code ${code} before it was ready`));
    waiters.clear();
  });
  const waitForLine = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const earlier = seen.map((line) => line.match(pattern)).find((match) => match !== null);
      if (earlier) resolve(earlier);
      else waiters.add({ pattern, resolve, reject });
    });
  return { name, child, exited, waitForLine };
}

/** SIGTERM, then SIGKILL past `timeoutMs`; resolves with how the child exited. */
export async function stopChild({ name, child, exited }: Child, timeoutMs: number): Promise<ChildExit> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    process.stderr.write(`  ${name} did not stop within ${timeoutMs / 1000} s, killing it\n`);
    child.kill('SIGKILL');
  }, timeoutMs);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls GET /health until the server answers: 200, or 401 when it requires a key this process does not
 * hold (one made with `testio-mcp keys create` lives in the database, not in the environment). With
 * TESTIO_API_KEYS set it shows one.
 */
export async function waitForHealth(
  healthUrl: string,
  child: ChildProcess,
  apiKeys: string | undefined,
): Promise<{ status: number; body: unknown }> {
  const key = (apiKeys ?? '')
    .split(',')
    .map((k) => k.trim())
    .find(Boolean);
  const headers: Record<string, string> = key ? { 'X-API-Key': key } : {};
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the MCP server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(healthUrl, { headers, signal: AbortSignal.timeout(2_000) });
      if (response.ok || response.status === 401)
        return { status: response.status, body: await response.json() };
    } catch {
      // Not listening yet, or busy: try again shortly.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
