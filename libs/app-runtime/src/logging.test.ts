import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogDestination, loggingFromSettings, rootLoggerOptions } from './logging.js';
import { formatTextLine } from './text-format.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  Object.assign(stream, { isTTY });
  return { stream, text: () => chunks.join('') };
}

const record = `${JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5), pid: 1, msg: 'hello world', tool: 'list_products' })}\n`;

describe('the log destination', () => {
  it('writes text on a terminal and JSON otherwise, unless a format is given', () => {
    const tty = sink(true);
    createLogDestination({ destination: tty.stream }).write(record);
    expect(tty.text()).toBe('03:04:05 INFO  hello world tool=list_products\n');
    const pipe = sink(false);
    createLogDestination({ destination: pipe.stream }).write(record);
    expect(pipe.text()).toBe(record);
    const forced = sink(true);
    createLogDestination({ destination: forced.stream, format: 'json' }).write(record);
    expect(forced.text()).toBe(record);
  });

  it('also writes the JSON lines to the log file, whatever the terminal format', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'log-dest-'));
    try {
      const out = sink(true);
      const destination = createLogDestination({
        destination: out.stream,
        format: 'text',
        file: { path: path.join(dir, 'app.log'), maxSizeMb: 1, maxFiles: 2 },
      });
      destination.write(record);
      destination.file?.close();
      expect(readFileSync(path.join(dir, 'app.log'), 'utf8')).toBe(record);
      expect(out.text()).toContain('INFO  hello world');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps the settings to logger options and redacts the token paths', () => {
    expect(
      loggingFromSettings({ LOG_LEVEL: 'debug', LOG_FILE_MAX_SIZE_MB: 10, LOG_FILE_MAX_FILES: 5 }),
    ).toEqual({ level: 'debug' });
    expect(
      loggingFromSettings({
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'text',
        LOG_FILE: '/tmp/x.log',
        LOG_FILE_MAX_SIZE_MB: 2,
        LOG_FILE_MAX_FILES: 3,
      }),
    ).toEqual({ level: 'info', format: 'text', file: { path: '/tmp/x.log', maxSizeMb: 2, maxFiles: 3 } });
    expect(rootLoggerOptions({ level: 'info' }).redact.paths).toContain('TESTIO_CUSTOMER_API_TOKEN');
  });

  it('keeps a line that is not JSON as it is', () => {
    expect(formatTextLine('plain words')).toBe('plain words');
  });
});
