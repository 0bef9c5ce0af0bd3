/**
 * Idle keep-alive sockets: the client closes them itself before the server would. A socket the server
 * closes while the client sends a request on it makes that request fail without an answer (ECONNRESET)
 * and be retried: one more upstream call than the server saw (the sync's `upstreamCalls` against the
 * sandbox's request log), and under load the same race against any server. A real HTTP server on
 * 127.0.0.1 that would keep idle connections for a minute but announces `Keep-Alive: timeout=2`: only the
 * client can close the socket before the test's own timeout, and it must, about a second after the answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestIOClient, type TestIOClient } from './client.js';

let server: Server | undefined;
let client: TestIOClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function startServer(keepAliveHint: string | null): Promise<{ baseUrl: string; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(keepAliveHint ? { 'keep-alive': keepAliveHint } : {}),
    });
    res.end(JSON.stringify({ products: [] }));
  });
  // The server itself would keep an idle connection for a minute: whoever closes sooner is the client.
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/customer/v2`, sockets };
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
}

describe('idle keep-alive sockets', () => {
  it("are closed by the client before the server's announced timeout (Keep-Alive: timeout=2)", async () => {
    const { baseUrl, sockets } = await startServer('timeout=2');
    client = createTestIOClient({ baseUrl, token: 'tok_keepalive', retries: 0 });
    await expect(client.listProducts()).resolves.toEqual([]);
    expect(sockets).toHaveLength(1);
    // The server would wait 60 s; the socket closes because the client closed its end.
    await closed(sockets[0] as Socket);
    // A request after that opens a new connection instead of reusing a closed one.
    await expect(client.listProducts()).resolves.toEqual([]);
    expect(sockets).toHaveLength(2);
  }, 15_000);

  it('are reused while busy: back-to-back requests share one connection', async () => {
    const { baseUrl, sockets } = await startServer('timeout=5');
    client = createTestIOClient({ baseUrl, token: 'tok_keepalive', retries: 0 });
    for (let i = 0; i < 5; i += 1) await client.listProducts();
    expect(sockets).toHaveLength(1);
  });
});
