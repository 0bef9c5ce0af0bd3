import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { childLogEnv, startChild, stopChild, waitForHealth, withTimeout } from './children.js';

/** A stand-in for `testio-mcp <command>`: prints its arguments, then waits for SIGTERM (or exits at once). */
// The SIGTERM handler comes before the first line: the parent may signal as soon as it reads a line.
const FAKE_ENTRY = `
const [command] = process.argv.slice(2);
process.on('SIGTERM', () => { console.log('stopping'); process.exit(0); });
console.log('started ' + process.argv.slice(2).join(' '));
console.error('LOG_FILE=' + (process.env.LOG_FILE ?? ''));
if (command === 'exit') process.exit(3);
setInterval(() => undefined, 1000);
`;

let dir: string;
let entry: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-children-'));
  entry = path.join(dir, 'entry.mjs');
  writeFileSync(entry, FAKE_ENTRY);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('childLogEnv', () => {
  it('gives each child a log file of its own beside LOG_FILE', () => {
    expect(childLogEnv({ LOG_FILE: '/var/log/server.log' }, 'worker').LOG_FILE).toBe(
      '/var/log/server.worker.log',
    );
    expect(childLogEnv({ LOG_LEVEL: 'info' }, 'mcp')).toEqual({ LOG_LEVEL: 'info' });
  });
});

describe('startChild', () => {
  it('finds output lines written before and after the wait, and stops the child with SIGTERM', async () => {
    const child = startChild(entry, 'worker', ['worker', '--x'], { LOG_FILE: path.join(dir, 'a.log') });
    const [line] = await withTimeout(child.waitForLine(/started .*/), 30_000, 'the child did not start');
    expect(line).toBe('started worker --x');
    const [logLine] = await child.waitForLine(/LOG_FILE=.*/);
    expect(logLine).toBe(`LOG_FILE=${path.join(dir, 'a.worker.log')}`);
    const exit = await stopChild(child, 30_000);
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('rejects a wait when the child exits before the line comes', async () => {
    const child = startChild(entry, 'mcp', ['exit'], {});
    await expect(child.waitForLine(/never printed/)).rejects.toThrow(
      'mcp exited with code 3 before it was ready',
    );
    expect(await stopChild(child, 30_000)).toEqual({ code: 3, signal: null });
  });
});

describe('waitForHealth', () => {
  it('is done when the server answers, 401 included (it requires a key kept in the database)', async () => {
    const seen: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      seen.push(req.headers['x-api-key'] as string | undefined);
      res.writeHead(seen.length === 1 ? 503 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'unauthorized' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const child = startChild(entry, 'mcp', ['serve'], { LOG_FILE: path.join(dir, 'h.log') });
    try {
      const health = waitForHealth(
        `http://127.0.0.1:${port}/health`,
        child.child,
        ' , k-first-key-0123456789,k2',
      );
      await expect(health).resolves.toEqual({ status: 401, body: { error: { code: 'unauthorized' } } });
      expect(seen).toEqual(['k-first-key-0123456789', 'k-first-key-0123456789']);
    } finally {
      await stopChild(child, 5_000);
      server.close();
    }
  });
});

describe('withTimeout', () => {
  it('passes the value through when the promise settles first', async () => {
    await expect(withTimeout(Promise.resolve(7), 30_000, 'never')).resolves.toBe(7);
  });
});
