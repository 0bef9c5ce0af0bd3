import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createRateLimits, rateLimitConfig } from '@testio-mcp/composition';
import { startTestIssuer, type TestIssuer, sqliteOf } from '@testio-mcp/composition/testing';
import { createAuditStore } from '@testio-mcp/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectThreePartError, structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { createServer } from './server.js';
import { listProductsOutputSchema } from './tools/list-products.js';
import { createHttpApp, listen, type RunningHttpServer } from './transports/http.js';

/**
 * MCP over HTTP as an OAuth 2.1 resource server (ADR 0025): the official SDK client sends JWT access
 * tokens minted by an authorization server this test runs on loopback; the server is composed from the
 * settings (TESTIO_OAUTH_*) as `testio-mcp serve` composes it, discovering the JWKS from the issuer.
 */

const AUDIENCE = 'https://testio.example.com/mcp';
let stack: McpStack;
let idp: TestIssuer;
let server: RunningHttpServer;

beforeAll(async () => {
  idp = await startTestIssuer(AUDIENCE, { now: () => stack.container.clock.now() });
  stack = await startMcpStack({ TESTIO_OAUTH_ISSUER: idp.issuer, TESTIO_OAUTH_AUDIENCE: AUDIENCE });
  const { container, log } = stack;
  const app = createHttpApp({
    createServer: (principal) =>
      createServer({ services: container.services, logger: log.logger, principal }),
    authenticator: container.principals.authenticator,
    logger: log.logger,
    bindHost: '127.0.0.1',
    health: () => container.health(),
  });
  server = await listen(app, '127.0.0.1', 0);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await stack?.close();
  await idp?.close();
});

async function connect(token?: string): Promise<Client> {
  const client = new Client({ name: 'vitest-oauth', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
    }),
  );
  return client;
}

describe('MCP with OAuth access tokens', () => {
  it('a viewer token reads, does not see sync_data, and is told which role it needs', async () => {
    const client = await connect(await idp.sign({ testio_tenant: 'default', scope: 'testio:read' }));
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('sync_data');
      const data = listProductsOutputSchema.parse(
        structuredOf(await client.callTool({ name: 'list_products', arguments: {} })),
      );
      expect(data.total_count).toBe(stack.truth.totals.products);
      expectThreePartError(
        await client.callTool({ name: 'sync_data', arguments: {} }),
        /sync_data needs the operator role; key oauth:user-1 is a viewer/,
      );
    } finally {
      await client.close();
    }
  });

  it('an operator token (testio:sync scope) sees sync_data', async () => {
    const client = await connect(await idp.sign({ testio_tenant: 'default', scope: 'testio:sync' }));
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('sync_data');
    } finally {
      await client.close();
    }
  });

  it('refuses expired, other-audience, other-issuer, alg none and HMAC-confused tokens with 401', async () => {
    const claims = { testio_tenant: 'default', scope: 'testio:admin' };
    const past = Math.floor(stack.container.clock.now().getTime() / 1000) - 3600;
    for (const [token, why] of [
      [await idp.sign({ ...claims, exp: past }), /expired/],
      [await idp.sign({ ...claims, aud: 'https://other.example.com/mcp' }), /another audience/],
      [await idp.sign({ ...claims, iss: 'https://evil.example.com' }), /another issuer/],
      [idp.unsigned(claims), /signing algorithm is not accepted/],
      [await idp.hmacWithPublicKey(claims), /signing algorithm is not accepted/],
    ] as const) {
      await expect(connect(token)).rejects.toThrow(why);
    }
  });

  it('refuses a token signed by a key the issuer does not publish', async () => {
    // Rotation itself (the JWKS refetched once the cool-down allows) is checked in composition's jwt.test.ts.
    const claims = { testio_tenant: 'default', scope: 'testio:read' };
    await expect(connect(await idp.signWithUnpublishedKey(claims))).rejects.toThrow(
      /key the authorization server/,
    );
  });

  it('lists the authorization server and the scopes in the RFC 9728 document, and challenges without a token', async () => {
    const doc = await fetch(`${server.origin}/.well-known/oauth-protected-resource`);
    expect(await doc.json()).toMatchObject({
      resource: server.url,
      authorization_servers: [idp.issuer],
      scopes_supported: ['testio:read', 'testio:sync', 'testio:admin'],
    });
    const missing = await fetch(server.url, { method: 'POST' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${server.origin}/.well-known/oauth-protected-resource"`,
    );
  });

  it('refuses a token of a tenant this server does not serve with 403, and never logs a token', async () => {
    const token = await idp.sign({ testio_tenant: 'acme', scope: 'testio:read' });
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(JSON.stringify(await res.json())).toContain("is for tenant 'acme'");
    expect(stack.log.text()).not.toContain(token.split('.')[2]);
  });
});

describe('audit trail and rate limits over MCP', () => {
  it('records each tool call under the principal, and answers a call over the budget with when to retry', async () => {
    const { container, log } = stack;
    // One limiter for the process: the server is built per request.
    const rateLimits = createRateLimits(
      rateLimitConfig({ TESTIO_RATE_LIMIT_VIEWER: 2 }, { points: 0, windowSeconds: 60 }),
    );
    const limited = await listen(
      createHttpApp({
        createServer: (principal) =>
          createServer({
            services: container.services,
            logger: log.logger,
            principal,
            audit: container.audit,
            rateLimits,
          }),
        authenticator: container.principals.authenticator,
        logger: log.logger,
        bindHost: '127.0.0.1',
        health: () => container.health(),
      }),
      '127.0.0.1',
      0,
    );
    const client = new Client({ name: 'vitest-limits', version: '1.0.0' });
    const token = await idp.sign({ sub: 'grace', testio_tenant: 'default', scope: 'testio:read' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(limited.url), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    try {
      await client.callTool({ name: 'list_products', arguments: {} });
      // A refusal by role is cheap and does not use the budget.
      await client.callTool({ name: 'sync_data', arguments: {} });
      await client.callTool({ name: 'list_products', arguments: {} });
      const refused = expectThreePartError(
        await client.callTool({ name: 'list_products', arguments: {} }),
        /Rate limit reached: oauth:grace may make 2 requests per minute/,
      );
      expect(refused).toMatch(/Retry after \d+ s/);
    } finally {
      await client.close();
      await limited.close();
    }
    container.audit.flush();
    const rows = createAuditStore(sqliteOf(container.database))
      .list({ limit: 10 })
      .filter((r) => r.principal === 'oauth:grace')
      .reverse();
    expect(rows.map((r) => [r.tenant, r.surface, r.action, r.outcome])).toEqual([
      ['default', 'mcp', 'list_products', 'ok'],
      ['default', 'mcp', 'sync_data', 'refused'],
      ['default', 'mcp', 'list_products', 'ok'],
      ['default', 'mcp', 'list_products', 'rate_limited'],
    ]);
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});
