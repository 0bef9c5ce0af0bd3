import { createRotatingFile, type RotatingFile } from './rotating-file.js';
import { formatTextLine, lineSplitter, type LogFormat } from './text-format.js';

/**
 * The pieces of every app's root logger that are not pino itself: the options (level, base fields,
 * redaction), and the destination (stderr as text or JSON, plus an optional rotated JSON file). Each app
 * creates its one logger with `pino(rootLoggerOptions(o), createLogDestination(o))`; libraries receive
 * child loggers and never create one.
 */

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LogFileOptions {
  readonly path: string;
  readonly maxSizeMb: number;
  readonly maxFiles: number;
}

export interface RootLoggerOptions {
  readonly level: LogLevel;
  /** Format on `destination`; default text on a terminal, JSON otherwise. The file is always JSON. */
  readonly format?: LogFormat | undefined;
  /** Added to every line, e.g. `{ process: 'sync-worker' }`. */
  readonly base?: Record<string, unknown>;
  /** Where lines go; stderr by default (stdout belongs to the MCP stdio transport and to command output). */
  readonly destination?: NodeJS.WritableStream;
  /** Also write every line, as JSON, to this rotated file. */
  readonly file?: LogFileOptions | undefined;
}

/** Wherever these appear in a logged object, the value is replaced by `[REDACTED]`, on stderr and in the file. */
export const REDACT_PATHS: readonly string[] = [
  'token',
  '*.token',
  'headers.Authorization',
  '*.headers.Authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'TESTIO_CUSTOMER_API_TOKEN',
  '*.TESTIO_CUSTOMER_API_TOKEN',
  'TESTIO_API_KEYS',
  '*.TESTIO_API_KEYS',
];

/** pino's options for a root logger (kept free of pino's types so this library never depends on it). */
export function rootLoggerOptions(options: Pick<RootLoggerOptions, 'level' | 'base'>) {
  return {
    level: options.level,
    base: { pid: process.pid, ...options.base },
    // The token never reaches a log line, even if a caller logs a config or headers object.
    redact: { paths: [...REDACT_PATHS], censor: '[REDACTED]' },
  };
}

export interface LogDestination {
  write(chunk: string): void;
  /** The rotated file, when one is configured. */
  readonly file: RotatingFile | undefined;
}

/** Where a root logger writes: `destination` in the chosen format, and the JSON lines to the file too. */
export function createLogDestination(options: Omit<RootLoggerOptions, 'level' | 'base'>): LogDestination {
  const out = options.destination ?? process.stderr;
  const format = options.format ?? ((out as { isTTY?: boolean }).isTTY ? 'text' : 'json');
  const toOut =
    format === 'text'
      ? lineSplitter((line) => out.write(`${formatTextLine(line)}\n`))
      : (chunk: string) => out.write(chunk);
  const file = options.file
    ? createRotatingFile({
        path: options.file.path,
        maxBytes: options.file.maxSizeMb * 1024 * 1024,
        maxFiles: options.file.maxFiles,
      })
    : undefined;
  return {
    file,
    write(chunk) {
      toOut(chunk);
      file?.write(chunk);
    },
  };
}

/** The logging part of parsed settings (LOG_LEVEL, LOG_FORMAT, LOG_FILE, LOG_FILE_MAX_SIZE_MB, LOG_FILE_MAX_FILES). */
export interface LoggingSettings {
  readonly LOG_LEVEL: LogLevel;
  readonly LOG_FORMAT?: LogFormat | undefined;
  readonly LOG_FILE?: string | undefined;
  readonly LOG_FILE_MAX_SIZE_MB: number;
  readonly LOG_FILE_MAX_FILES: number;
}

export function loggingFromSettings(
  settings: LoggingSettings,
): Pick<RootLoggerOptions, 'level' | 'format' | 'file'> {
  return {
    level: settings.LOG_LEVEL,
    ...(settings.LOG_FORMAT ? { format: settings.LOG_FORMAT } : {}),
    ...(settings.LOG_FILE
      ? {
          file: {
            path: settings.LOG_FILE,
            maxSizeMb: settings.LOG_FILE_MAX_SIZE_MB,
            maxFiles: settings.LOG_FILE_MAX_FILES,
          },
        }
      : {}),
  };
}
