import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRotatingFile } from './rotating-file.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rotating-file-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(80) })}\n`;
const numbers = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { n: number }).n);

describe('a log file rotated by size', () => {
  it('rotates path -> path.1 -> ... -> path.N when the next line would pass the size, dropping the oldest', () => {
    const file = path.join(dir, 'logs', 'server.log');
    const log = createRotatingFile({ path: file, maxBytes: 1000, maxFiles: 2 });
    const size = Buffer.byteLength(line(0));
    const perFile = Math.floor(1000 / size);
    for (let n = 0; n < perFile * 4; n += 1) log.write(line(n));
    log.close();
    // Four files' worth of lines: the first file's were dropped, the rest kept in order.
    expect(numbers(`${file}.2`)[0]).toBe(perFile);
    expect(numbers(`${file}.1`)[0]).toBe(perFile * 2);
    expect(numbers(file)).toEqual(Array.from({ length: perFile }, (_, i) => perFile * 3 + i));
    expect(existsSync(`${file}.3`)).toBe(false);
    for (const f of [file, `${file}.1`, `${file}.2`]) expect(statSync(f).size).toBeLessThanOrEqual(1000);
  });

  it('creates the directory, and the file with mode 0600, and appends to an existing file', () => {
    const file = path.join(dir, 'nested', 'a.log');
    const first = createRotatingFile({ path: file, maxBytes: 10_000, maxFiles: 1 });
    first.write(line(1));
    first.close();
    const second = createRotatingFile({ path: file, maxBytes: 10_000, maxFiles: 1 });
    second.write(line(2));
    second.close();
    expect(numbers(file)).toEqual([1, 2]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('counts an existing file towards the size', () => {
    const file = path.join(dir, 'b.log');
    writeFileSync(file, 'y'.repeat(950));
    const log = createRotatingFile({ path: file, maxBytes: 1000, maxFiles: 3 });
    log.write(line(7));
    log.close();
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('y'.repeat(950));
    expect(numbers(file)).toEqual([7]);
  });

  it('reports an unwritable file once and keeps the process running', () => {
    const blocker = path.join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const errors: string[] = [];
    const log = createRotatingFile({
      path: path.join(blocker, 'x.log'),
      maxBytes: 1000,
      maxFiles: 1,
      onError: (e) => errors.push(e.message),
    });
    log.write(line(1));
    log.write(line(2));
    expect(errors).toHaveLength(1);
  });

  it('refuses nonsensical limits', () => {
    expect(() => createRotatingFile({ path: path.join(dir, 'c.log'), maxBytes: 100, maxFiles: 0 })).toThrow(
      /maxFiles/,
    );
  });
});
