import { spawn } from 'node:child_process';

/**
 * Runs a command to completion without blocking the event loop, unlike `spawnSync`.
 *
 * Vitest's worker answers its main process over an RPC with a 60 s timeout; a test that holds the
 * worker in `spawnSync` for longer (a git commit through ESLint and tsc, headless Chromium) makes that
 * call time out and fails the whole run, although every test passed. Same result shape as `spawnSync`
 * with `encoding: 'utf8'`.
 */

export interface RunResult {
  /** The exit code, or null when a signal ended the process (or it never started). */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the command could not start or ran past `timeoutMs`. */
  readonly error?: Error;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is then closed. */
  readonly input?: string;
  /** Sends SIGTERM after this long, as `spawnSync`'s `timeout` does. */
  readonly timeoutMs?: number;
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let error: Error | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            error = new Error(
              `${command} ${args.join(' ')} ran longer than ${options.timeoutMs} ms and was stopped`,
            );
            child.kill('SIGTERM');
          }, options.timeoutMs);
    let started = true;
    child.on('error', (err) => {
      if (child.pid === undefined) started = false;
      error ??= err;
    });
    // 'close', not 'exit': like spawnSync, wait until everything the command printed has been read.
    child.on('close', (status, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ status: started ? status : null, signal, stdout, stderr, ...(error ? { error } : {}) });
    });
    child.stdin.on('error', () => undefined); // a command that exits without reading its input
    child.stdin.end(options.input);
  });
}
