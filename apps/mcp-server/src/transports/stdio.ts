import type { Server } from '@modelcontextprotocol/server';
import { serveStdio as serveSdkStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';

/**
 * stdio: one client, JSON-RPC on stdin/stdout. Nothing else may write to stdout (logs go to stderr).
 * The SDK's entry decides the era from the client's first message (ADR 0037): `initialize` pins a
 * 2025-era server for the connection, a 2026-07-28 request (`server/discover`, or any request with the
 * `_meta` envelope) a modern one; `createServer` builds either from the same definitions, and may be
 * called once more for a discarded `server/discover` probe. Resolves `closed` when the client closes
 * stdin or the transport closes.
 */
export function serveStdio(
  createServer: () => Server,
  streams: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream } = {},
): { closed: Promise<void>; close(): Promise<void> } {
  const stdin = (streams.stdin ?? process.stdin) as NodeJS.ReadStream;
  const stdout = (streams.stdout ?? process.stdout) as NodeJS.WriteStream;
  const transport = new StdioServerTransport(stdin, stdout);
  const handle = serveSdkStdio(() => createServer(), { transport });
  const closed = new Promise<void>((resolve) => {
    // End of input means the client went away; the entry closes its own transport then.
    stdin.once('end', () => resolve());
    stdin.once('close', () => resolve());
  });
  return {
    closed,
    close: () => handle.close(),
  };
}
