import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announce } from './__fixtures__/config.js';
import { RELIABILITY_ENGINES } from './__fixtures__/engines.js';
import { findSecret } from './__fixtures__/secrets.js';
import { startStack, type Stack } from './__fixtures__/stack.js';

/**
 * The REST API refuses to run unauthenticated on a non-loopback bind and refuses requests without a
 * valid key when keys are required; the MCP HTTP server rejects forged Host and Origin headers
 * (DNS rebinding). No secret in any answer or log. On both engines: a process on PostgreSQL opens a pool
 * and migrates before it listens, and must refuse the same way.
 */

let stack: Stack;

/** A raw request, so Host and Origin can be anything (fetch would not let us forge Host). */
function raw(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
});
const MCP_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

describe.each(RELIABILITY_ENGINES)('on $name', ({ name: engine }) => {
  beforeAll(async () => {
    announce('security', { engine });
    stack = await startStack({ scale: 'demo', engine });
    const sync = await stack.run(['sync', '--force'], { LOG_LEVEL: 'warn' });
    expect(sync.code, sync.err).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  describe('REST API authentication', () => {
    it.each(['0.0.0.0', '192.0.2.10', '::'])(
      'refuses to start on %s without API keys (never listens)',
      async (host) => {
        const result = await stack.run(['api', '--host', host], { TESTIO_API_KEYS: '' });
        expect(result.code).toBe(2);
        expect(result.err).toContain('TESTIO_API_KEYS');
        expect(result.out).not.toMatch(/TestIO REST API\s+http/);
      },
    );

    it('with keys required: no key, a wrong key and a key in the query are 401; the right key works; the key is never logged', async () => {
      const { url, base } = await stack.startRest({ TESTIO_REST_REQUIRE_API_KEY: 'true' });
      const key = stack.secrets.apiKey;
      for (const headers of [
        {},
        { 'X-API-Key': 'x'.repeat(32) },
        { Authorization: `Bearer ${key}x` },
        { Authorization: `Token ${key}` },
        { 'X-API-Key': '' },
      ] as Array<Record<string, string>>) {
        const response = await fetch(`${url}/products`, { headers });
        expect(response.status, JSON.stringify(headers)).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/Bearer/);
        const text = await response.text();
        expect(JSON.parse(text)).toMatchObject({ error: { code: 'unauthorized' } });
        expect(findSecret(text, stack.secrets)).toBeNull();
      }
      expect((await fetch(`${url}/products?api_key=${key}`)).status).toBe(401);
      expect((await fetch(`${base}/health`)).status).toBe(401);
      expect((await fetch(`${url}/products`, { headers: { 'X-API-Key': key } })).status).toBe(200);
      expect((await fetch(`${url}/products`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(
        200,
      );
      expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
      expect(findSecret(stack.output(), stack.secrets), 'a secret in the logs').toBeNull();
    });
  });

  describe('MCP HTTP DNS-rebinding protection', () => {
    it('rejects a forged Host or a foreign Origin with 403, accepts loopback ones', async () => {
      const { url } = await stack.startMcp();
      const port = new URL(url).port;
      for (const host of [
        'evil.example.com',
        `evil.example.com:${port}`,
        `127.0.0.1.nip.io:${port}`,
        '10.0.0.1',
      ]) {
        const response = await raw(url, { ...MCP_HEADERS, Host: host }, 'POST', INIT);
        expect(response.status, `Host: ${host}`).toBe(403);
      }
      for (const origin of ['http://evil.example.com', 'https://attacker.test:8080', 'null', 'file://']) {
        const response = await raw(
          url,
          { ...MCP_HEADERS, Host: `127.0.0.1:${port}`, Origin: origin },
          'POST',
          INIT,
        );
        expect(response.status, `Origin: ${origin}`).toBe(403);
      }
      // The stack sets TESTIO_API_KEYS, so past the Host and Origin checks /mcp needs the key too.
      const bearer = { Authorization: `Bearer ${stack.secrets.apiKey}` };
      for (const headers of [
        { Host: `127.0.0.1:${port}` },
        { Host: `localhost:${port}` },
        { Host: `127.0.0.1:${port}`, Origin: 'http://localhost:6274' },
      ] as Array<Record<string, string>>) {
        const response = await raw(url, { ...MCP_HEADERS, ...headers, ...bearer }, 'POST', INIT);
        expect(response.status, JSON.stringify(headers)).toBe(200);
        const keyless = await raw(url, { ...MCP_HEADERS, ...headers }, 'POST', INIT);
        expect(keyless.status, `${JSON.stringify(headers)} without a key`).toBe(401);
      }
      expect(findSecret(stack.output(), stack.secrets), 'a secret in the logs').toBeNull();
    });
  });
});
