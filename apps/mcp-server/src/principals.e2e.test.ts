import { spawn } from 'node:child_process';
import { sqliteOf } from '@testio-mcp/composition/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { addTenant, issueApiKey } from '@testio-mcp/composition';
import { createPrincipalStore, type PrincipalStore } from '@testio-mcp/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectThreePartError, structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { createServer } from './server.js';
import { listProductsOutputSchema } from './tools/list-products.js';
import { createHttpApp, listen, type RunningHttpServer } from './transports/http.js';

/**
 * Principals on MCP over HTTP (ADR 0022), with the official SDK client sending a bearer header: each
 * role's tools, the refusal naming the role a call needs, bad keys, the 401 challenge and the RFC 9728
 * document, and the refusal to bind beyond loopback without a principal source.
 */

const BIN = path.resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');

let stack: McpStack;
let server: RunningHttpServer;
let store: PrincipalStore;
const keys = { viewer: '', operator: '', admin: '', revoked: '', expired: '', otherTenant: '' };
const MASTER_KEY = randomBytes(32);

beforeAll(async () => {
  stack = await startMcpStack();
  const { container, log } = stack;
  store = createPrincipalStore(sqliteOf(container.database));
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    keys[role] = issueApiKey(store, { tenant: 'default', role, name: `${role} e2e` }, container.clock).key;
  }
  const revoked = issueApiKey(store, { tenant: 'default', role: 'admin', name: 'gone' }, container.clock);
  store.revokeApiKey(revoked.id, container.clock.now());
  keys.revoked = revoked.key;
  const past = { now: () => new Date(container.clock.now().getTime() - 2 * 86_400_000) };
  keys.expired = issueApiKey(
    store,
    { tenant: 'default', role: 'admin', name: 'old', expires: '1d' },
    past,
  ).key;
  addTenant(store, { slug: 'acme', token: 'acme-token-e2e-0123456789' }, MASTER_KEY, container.clock);
  keys.otherTenant = issueApiKey(store, { tenant: 'acme', role: 'admin', name: 'acme' }, container.clock).key;
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
});

async function connect(key?: string): Promise<Client> {
  const client = new Client({ name: 'vitest-principals', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: key ? { headers: { Authorization: `Bearer ${key}` } } : {},
    }),
  );
  return client;
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

function post(headers: Record<string, string> = {}) {
  return fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: initialize,
  });
}

describe('MCP over HTTP with principals', () => {
  it('a viewer reads tools, prompts and resources, does not see sync_data, and is told which role it needs', async () => {
    const client = await connect(keys.viewer);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('list_products');
      expect(names).not.toContain('sync_data');
      const data = listProductsOutputSchema.parse(
        structuredOf(await client.callTool({ name: 'list_products', arguments: {} })),
      );
      expect(data.total_count).toBe(stack.truth.totals.products);
      expect((await client.listPrompts()).prompts.length).toBeGreaterThan(0);
      expect((await client.readResource({ uri: 'testio://knowledge/playbook' })).contents.length).toBe(1);
      const refused = expectThreePartError(
        await client.callTool({ name: 'sync_data', arguments: {} }),
        /sync_data needs the operator role/,
      );
      expect(refused).toContain('--role operator');
    } finally {
      await client.close();
    }
  });

  it('an operator and an admin see sync_data', async () => {
    for (const key of [keys.operator, keys.admin]) {
      const client = await connect(key);
      try {
        expect((await client.listTools()).tools.map((t) => t.name)).toContain('sync_data');
      } finally {
        await client.close();
      }
    }
  });

  it('answers 401 with the RFC 9728 challenge without a key, and serves the metadata document', async () => {
    const missing = await post();
    expect(missing.status).toBe(401);
    const challenge = missing.headers.get('www-authenticate') ?? '';
    expect(challenge).toBe(
      `Bearer resource_metadata="${server.origin}/.well-known/oauth-protected-resource"`,
    );
    const doc = await fetch(`${server.origin}/.well-known/oauth-protected-resource`);
    expect(doc.status).toBe(200);
    expect(await doc.json()).toMatchObject({ resource: server.url, bearer_methods_supported: ['header'] });
    await expect(connect()).rejects.toThrow(/An API key is required/);
  });

  it('names the public scheme behind a trusted TLS proxy', async () => {
    const behindProxy = await listen(
      createHttpApp({
        createServer: (principal) =>
          createServer({ services: stack.container.services, logger: stack.log.logger, principal }),
        authenticator: stack.container.principals.authenticator,
        logger: stack.log.logger,
        bindHost: '127.0.0.1',
        trustProxy: ['loopback'],
        health: () => stack.container.health(),
      }),
      '127.0.0.1',
      0,
    );
    try {
      const res = await fetch(behindProxy.url, { method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(
        /^Bearer resource_metadata="https:\/\/127\.0\.0\.1:/,
      );
    } finally {
      await behindProxy.close();
    }
  });

  it('refuses revoked, expired and malformed keys, and never logs a key', async () => {
    for (const [key, why] of [
      [keys.revoked, /revoked/],
      [keys.expired, /expired/],
      ['tmcp_0123456789ab_not-a-real-secret', /not valid/],
      ['Basic-looking nonsense', /not valid/],
    ] as const) {
      const res = await post({ authorization: `Bearer ${key}` });
      expect(res.status).toBe(401);
      expect(JSON.stringify(await res.json())).toMatch(why);
    }
    expect(await post({ authorization: `Bearer ${keys.viewer}` }).then((r) => r.status)).toBe(200);
    const logged = stack.log.text();
    for (const key of Object.values(keys)) expect(logged).not.toContain(key);
  });
});

describe('tenants', () => {
  it('refuses a key of a stored tenant while it runs without the master key, saying what to set', async () => {
    // This server started without TESTIO_MASTER_KEY (no tenant was stored then); `acme` came later.
    const res = await post({ authorization: `Bearer ${keys.otherTenant}` });
    expect(res.status).toBe(503);
    const body = JSON.stringify(await res.json());
    expect(body).toContain("Tenant 'acme' cannot be served");
    expect(body).toContain('TESTIO_MASTER_KEY');
  });
});

/** `testio-mcp serve` in a child process on a database of its own; resolves with its exit code and stderr. */
async function serveFails(args: string[], extraEnv: Record<string, string>, db: string) {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--transport', 'http', '--port', '0', '--no-sync', ...args],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: path.dirname(db),
        TESTIO_CUSTOMER_API_TOKEN: stack.sandbox.token,
        TESTIO_CUSTOMER_API_BASE_URL: stack.sandbox.baseUrl,
        TESTIO_DB_PATH: db,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr };
}

describe('starting with stored tenants', () => {
  it('refuses to start without the master key, and says why', async () => {
    const { code, stderr } = await serveFails([], {}, stack.env.TESTIO_DB_PATH ?? '');
    expect(code).toBe(2);
    expect(stderr).toContain('holds 1 tenant with encrypted tokens (acme), but no master key is set');
    expect(stderr).toContain('TESTIO_MASTER_KEY');
  }, 60_000);
});

describe('binding beyond loopback', () => {
  it('refuses to start without a principal source (exit 2), saying how to create a key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'testio-mcp-bind-'));
    try {
      const child = spawn(
        process.execPath,
        [BIN, 'serve', '--transport', 'http', '--host', '0.0.0.0', '--port', '0', '--no-sync'],
        {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: dir,
            TESTIO_CUSTOMER_API_TOKEN: stack.sandbox.token,
            TESTIO_CUSTOMER_API_BASE_URL: stack.sandbox.baseUrl,
            TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(2);
      expect(stderr).toContain('no API key is configured');
      expect(stderr).toContain('testio-mcp keys create --tenant default --role admin');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
