import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRootLogger } from './logger.js';

/** The root logger with LOG_FILE: a real file, rotated by size, with the token redacted in it. */

const discard = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

describe('the root logger with a log file', () => {
  it('writes JSON lines to the file, rotates it by size keeping N files, and redacts the token', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'root-logger-'));
    try {
      const file = path.join(dir, 'worker.log');
      const logger = createRootLogger({
        level: 'info',
        format: 'text',
        destination: discard(),
        file: { path: file, maxSizeMb: 1, maxFiles: 2 },
      });
      const token = 'tok-SECRET-0123456789';
      // ~4 MB of lines: the file rotates at 1 MB, keeping worker.log, worker.log.1 and worker.log.2 only.
      const padding = 'x'.repeat(1000);
      for (let i = 0; i < 4000; i += 1)
        logger.info({ i, padding, config: { TESTIO_CUSTOMER_API_TOKEN: token }, token }, 'line');
      expect(readdirSync(dir).sort()).toEqual(['worker.log', 'worker.log.1', 'worker.log.2']);
      for (const name of readdirSync(dir)) {
        const text = readFileSync(path.join(dir, name), 'utf8');
        expect(text.length).toBeLessThanOrEqual(1024 * 1024);
        expect(text).not.toContain(token);
        expect(text).toContain('[REDACTED]');
        // JSON lines, whatever the terminal format.
        expect(() =>
          text
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as unknown),
        ).not.toThrow();
      }
      const newest = readFileSync(file, 'utf8').trim().split('\n');
      expect((JSON.parse(newest.at(-1) ?? '{}') as { i: number }).i).toBe(3999);
      expect(existsSync(`${file}.3`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
