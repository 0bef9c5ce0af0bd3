import { Writable } from 'node:stream';
import type { Logger } from '@testio-mcp/domain';
import { pino, type Level } from 'pino';

/**
 * The process's root logger (the same shape as the sync worker's; apps do not import each other). Logs
 * go to stderr so stdout carries only the URLs `testio-mcp api` prints. `text` is a compact human
 * format for terminals; `json` is one object per line for log shippers. API keys, tokens and auth
 * headers are redacted wherever they appear.
 */

export type LogFormat = 'json' | 'text';

export interface RootLoggerOptions {
  readonly level: Level;
  readonly format?: LogFormat;
  /** Added to every line, e.g. `{ process: 'sync-worker' }`. */
  readonly base?: Record<string, unknown>;
  /** Where lines go; stderr by default. */
  readonly destination?: NodeJS.WritableStream;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'process']);

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** Renders pino's JSON lines as `12:00:01 INFO  message key=value`. */
export function textFormatter(out: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString('utf8');
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        try {
          const record = JSON.parse(line) as Record<string, unknown>;
          const time = new Date(Number(record.time)).toISOString().slice(11, 19);
          const level = (LEVEL_NAMES[Number(record.level)] ?? String(record.level)).padEnd(5);
          const fields = Object.entries(record)
            .filter(([k]) => !HIDDEN.has(k))
            .map(([k, v]) => `${k}=${formatValue(v)}`)
            .join(' ');
          out.write(`${time} ${level} ${String(record.msg ?? '')}${fields ? ` ${fields}` : ''}\n`);
        } catch {
          out.write(`${line}\n`);
        }
        newline = pending.indexOf('\n');
      }
      done();
    },
  });
}

export function createRootLogger(options: RootLoggerOptions): Logger & pino.Logger {
  const out = options.destination ?? process.stderr;
  const format = options.format ?? ((out as { isTTY?: boolean }).isTTY ? 'text' : 'json');
  const stream = format === 'text' ? textFormatter(out) : out;
  return pino(
    {
      level: options.level,
      base: { pid: process.pid, ...options.base },
      // The token never reaches a log line, even if a caller logs a config or headers object.
      redact: {
        paths: [
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
        ],
        censor: '[REDACTED]',
      },
    },
    stream,
  );
}
