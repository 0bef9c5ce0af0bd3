import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

/**
 * stdio: one client, JSON-RPC on stdin/stdout. Nothing else may write to stdout (logs go to stderr).
 * Resolves when the client closes stdin or the transport closes.
 */
export async function serveStdio(
  server: Server,
  streams: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream } = {},
): Promise<{ closed: Promise<void>; close(): Promise<void> }> {
  const stdin = (streams.stdin ?? process.stdin) as NodeJS.ReadStream;
  const stdout = (streams.stdout ?? process.stdout) as NodeJS.WriteStream;
  const transport = new StdioServerTransport(stdin, stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    // The SDK transport does not notice the client going away; end of input means it did.
    stdin.once('end', () => void transport.close());
    stdin.once('close', () => void transport.close());
  });
  // connect() chains its own onclose after ours.
  await server.connect(transport);
  return {
    closed,
    close: () => server.close(),
  };
}
