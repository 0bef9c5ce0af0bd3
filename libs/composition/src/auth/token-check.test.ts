import { createServer } from 'node:net';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkToken } from './token-check.js';

/** `tenants add` and the admin route check a token with one request to the real (here: sandbox) API. */

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small' });
});
afterAll(() => sandbox.close());

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/customer/v2`;
}

describe('checkToken', () => {
  it('lists the products a good token sees', async () => {
    const result = await checkToken({ baseUrl: sandbox.baseUrl, token: sandbox.token });
    expect(result).toEqual({
      ok: true,
      products: sandbox.truth().products.map((p) => ({ id: p.id, name: p.name })),
    });
  });

  it('says TestIO refused a wrong token, without the token', async () => {
    const wrong = 'wrong-token-never-shown';
    const result = await checkToken({ baseUrl: sandbox.baseUrl, token: wrong });
    expect(result).toMatchObject({ ok: false, kind: 'refused' });
    expect(result.ok ? '' : result.message).toContain('TestIO refused the token (HTTP 401');
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it('says an address that does not answer could not be reached', async () => {
    const baseUrl = await closedPortUrl();
    const result = await checkToken({ baseUrl, token: sandbox.token, timeoutMs: 2_000 });
    expect(result).toMatchObject({ ok: false, kind: 'unreachable' });
    expect(result.ok ? '' : result.message).toContain(`${baseUrl} could not be reached (network error)`);
    expect(JSON.stringify(result)).not.toContain(sandbox.token);
  });

  it('reports a server error with its status', async () => {
    sandbox.setFaults({ failRate: 1 });
    try {
      const result = await checkToken({ baseUrl: sandbox.baseUrl, token: sandbox.token });
      expect(result).toMatchObject({ ok: false, kind: 'failed' });
      expect(result.ok ? '' : result.message).toContain('/products answered HTTP 500');
    } finally {
      sandbox.setFaults({});
    }
  });
});
