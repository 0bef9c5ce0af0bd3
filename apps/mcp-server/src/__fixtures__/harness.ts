import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '@testio-mcp/domain';
import { expect } from 'vitest';
import { createRootLogger } from '@testio-mcp/composition';
import { createServer, type ServerDeps } from '../server.js';

/** A real SDK client joined in memory to a real server built by `createServer`. */
export async function connectInMemory(deps: ServerDeps): Promise<{ client: Client; close(): Promise<void> }> {
  const server = createServer(deps);
  const client = new Client({ name: 'vitest', version: '1.0.0' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([client.connect(clientTransport), server.connect(serverTransport)]);
  return {
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** A JSON logger whose lines the test can read. */
export function memoryLogger(): { logger: Logger; lines(): Array<Record<string, unknown>>; text(): string } {
  let buffer = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      buffer += chunk.toString('utf8');
      done();
    },
  });
  const logger = createRootLogger({ level: 'debug', format: 'json', destination });
  return {
    logger,
    text: () => buffer,
    lines: () =>
      buffer
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  const first = content[0];
  if (!first || first.type !== 'text') throw new Error('expected a text block');
  return first.text;
}

/**
 * Asserts an `isError` result in the three-part format and returns its text. The text must never
 * carry a stack trace, SQL or a token.
 */
export function expectThreePartError(result: unknown, pattern?: RegExp): string {
  expect((result as CallToolResult).isError).toBe(true);
  const text = textOf(result);
  const lines = text.split('\n');
  expect(lines[0]).toMatch(/^❌ \S/);
  expect(lines.some((l) => l.startsWith('ℹ️ '))).toBe(true);
  expect(lines.some((l) => l.startsWith('💡 '))).toBe(true);
  expect(text).not.toMatch(
    /\n\s+at .+\(.+:\d+:\d+\)|\bSELECT\b.+\bFROM\b|INSERT INTO|sandbox-token|Token [A-Za-z0-9_-]{8,}/,
  );
  if (pattern) expect(text).toMatch(pattern);
  return text;
}

/** The structured answer of a successful call; its text block must be the same JSON. */
export function structuredOf<T = Record<string, unknown>>(result: unknown): T {
  const r = result as CallToolResult;
  if (r.isError) throw new Error(`tool failed: ${textOf(r)}`);
  expect(r.structuredContent).toBeDefined();
  const text = textOf(r);
  const json = text.startsWith('{')
    ? text
    : (/<untrusted-data-[0-9a-f-]+>\n([\s\S]*)\n<\/untrusted-data-[0-9a-f-]+>/.exec(text)?.[1] ?? '');
  expect(JSON.parse(json)).toEqual(r.structuredContent);
  return r.structuredContent as T;
}
