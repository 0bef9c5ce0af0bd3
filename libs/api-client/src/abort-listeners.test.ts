/**
 * Soak (issue 18): a long-lived AbortSignal (a worker's run or stop signal handed to every call) must not
 * collect an `abort` listener per call. The real client against the real sandbox over HTTP: after many
 * calls on one signal (sequential, concurrent, a paged walk, retried after 429s) none is left. (A call
 * holds two while queued or in flight, the queue's and axios's, so more than five concurrent calls on one
 * signal pass Node's warning threshold of ten for a moment; that is not a leak.)
 */
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { createTestIOClient, type TestIOClient } from './client.js';

const TOKEN = 'sbx_tok_7c1e9a3f5b2d';
let sandbox: RunningSandbox;
let client: TestIOClient;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', scale: 'demo', token: TOKEN });
  client = createTestIOClient({ baseUrl: sandbox.baseUrl, token: TOKEN, retryBaseDelayMs: 1 });
}, 60_000);

afterAll(async () => {
  client?.close();
  await sandbox?.close();
});

describe('abort listeners on a long-lived signal', () => {
  it('leaves none behind after sequential and concurrent calls, a paged walk and retries', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const products = await client.listProducts({ signal });
    const product = products[0];
    if (!product) throw new Error('the sandbox has products');
    for (let i = 0; i < 50; i += 1) await client.listProducts({ signal });
    for (let i = 0; i < 10; i += 1)
      await Promise.all(Array.from({ length: 4 }, () => client.getProduct(product.id, { signal })));
    for await (const page of client.walkTests(product.id, { pageSize: 5, signal })) void page;
    sandbox.setFaults({ rateLimit: { times: 3, retryAfterSeconds: 0 } });
    await client.listProducts({ signal });
    sandbox.setFaults({});
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
