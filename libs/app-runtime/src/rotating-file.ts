import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A log file rotated by size: when the next line would take `path` past `maxBytes`, `path.{N-1}` becomes
 * `path.N` (the old `path.N` is dropped), ..., `path` becomes `path.1`, and a new `path` is started.
 * Writes are synchronous, so the last lines before `process.exit()` are on disk. Files are created 0600
 * (logs name the account's products and tests), directories 0700.
 *
 * A file that cannot be written (disk full, permissions) does not stop the process: the stream reports it
 * once through `onError` and drops file output from then on.
 */

export interface RotatingFileOptions {
  readonly path: string;
  /** Size at which the file is rotated; a single line larger than this still goes into a file of its own. */
  readonly maxBytes: number;
  /** Rotated files kept: `path.1` (newest) to `path.{maxFiles}` (oldest). At least 1. */
  readonly maxFiles: number;
  /** Called once when the file cannot be written; default: a line on stderr. */
  readonly onError?: (error: Error) => void;
}

export interface RotatingFile {
  readonly path: string;
  write(chunk: string | Buffer): void;
  close(): void;
}

/** `~/logs/x.log` → the user's home; anything else resolved against the working directory. */
export function resolveUserPath(file: string): string {
  if (file === '~') return os.homedir();
  if (file.startsWith('~/')) return path.join(os.homedir(), file.slice(2));
  return path.resolve(file);
}

export function createRotatingFile(options: RotatingFileOptions): RotatingFile {
  if (!Number.isInteger(options.maxFiles) || options.maxFiles < 1)
    throw new RangeError(`maxFiles must be an integer of at least 1, got ${options.maxFiles}`);
  if (!(options.maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${options.maxBytes}`);
  const file = resolveUserPath(options.path);
  const onError =
    options.onError ??
    ((error: Error) =>
      process.stderr.write(`log file ${file} cannot be written (${error.message}); logging to it stops\n`));
  let fd: number | undefined;
  let size = 0;
  let broken = false;

  const open = () => {
    fd = openSync(file, 'a', 0o600);
    size = fstatSync(fd).size;
  };

  const rotate = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    for (let i = options.maxFiles; i >= 1; i -= 1) {
      const from = i === 1 ? file : `${file}.${i - 1}`;
      if (existsSync(from)) renameSync(from, `${file}.${i}`);
    }
    open();
  };

  const fail = (error: unknown) => {
    broken = true;
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Already unusable.
      }
      fd = undefined;
    }
    onError(error instanceof Error ? error : new Error(String(error)));
  };

  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    open();
  } catch (error) {
    fail(error);
  }

  return {
    path: file,
    write(chunk) {
      if (broken) return;
      const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      try {
        if (size > 0 && size + data.length > options.maxBytes) rotate();
        if (fd === undefined) open();
        writeSync(fd as number, data);
        size += data.length;
      } catch (error) {
        fail(error);
      }
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      broken = true;
    },
  };
}
