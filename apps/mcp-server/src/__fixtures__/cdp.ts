import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * Debian's headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
 * JSON messages ending in NUL on fds 3 and 4), so a test can wait for a page, read the DOM of a
 * sandboxed iframe and take a screenshot without a browser download or a WebSocket library.
 */

export const CHROMIUM = '/usr/bin/chromium';

interface Reply {
  id?: number;
  result?: Record<string, unknown>;
  error?: { message: string };
}

export interface Browser {
  send<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

export function launchChromium(profileDir: string, size: { width: number; height: number }): Browser {
  const child: ChildProcess = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // One renderer for the page and its sandboxed frame, so the test reaches the frame's DOM.
      '--disable-site-isolation-trials',
      '--disable-features=IsolateSandboxedIframes,site-per-process',
      '--remote-debugging-pipe',
      `--user-data-dir=${profileDir}`,
      `--window-size=${size.width},${size.height}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const input = child.stdio[3] as Writable;
  const output = child.stdio[4] as Readable;
  const waiting = new Map<number, { resolve(r: Reply): void }>();
  let buffer = '';
  let nextId = 1;
  output.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(buffer.slice(0, end)) as Reply;
      buffer = buffer.slice(end + 1);
      if (message.id !== undefined) waiting.get(message.id)?.resolve(message);
    }
  });
  let sessionId: string | undefined;
  const raw = (method: string, params: Record<string, unknown>, session?: string): Promise<Reply> => {
    const id = nextId++;
    input.write(`${JSON.stringify({ id, method, params, ...(session ? { sessionId: session } : {}) })}\0`);
    return new Promise((resolve) => waiting.set(id, { resolve }));
  };
  const ready = (async () => {
    const targets = (await raw('Target.getTargets', {})).result as {
      targetInfos: Array<{ targetId: string; type: string }>;
    };
    const page = targets.targetInfos.find((t) => t.type === 'page');
    if (!page) throw new Error('Chromium opened no page');
    const attached = await raw('Target.attachToTarget', { targetId: page.targetId, flatten: true });
    sessionId = (attached.result as { sessionId: string }).sessionId;
  })();
  return {
    async send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      await ready;
      const reply = await raw(method, params, sessionId);
      if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
      return reply.result as T;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
