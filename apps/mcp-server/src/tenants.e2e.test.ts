import { randomBytes } from 'node:crypto';
import { sqliteOf } from '@testio-mcp/composition/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { addTenant, issueApiKey, openTenantMirror, type TenantMirror } from '@testio-mcp/composition';
import { createPrincipalStore, type PrincipalStore } from '@testio-mcp/persistence';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from './__fixtures__/harness.js';
import { ANCHOR, startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { parseMcpServerSettings } from './config.js';
import { createServer } from './server.js';
import { createHttpApp, listen, type RunningHttpServer } from './transports/http.js';

/**
 * Two tenants served by one process (ADR 0024): `default` synced from a sandbox with seed 7, and the
 * stored tenant `beta` synced from a second sandbox with seed 11 into the same mirror. With each
 * tenant's key, over HTTP with the official SDK client and a bearer header, every tool of the catalogue
 * answers from that tenant's data only, and every id of the other tenant answers exactly like an id
 * that does not exist.
 */

const MASTER_KEY = randomBytes(32);
/** An id no sandbox generates: what "does not exist" looks like. */
const MISSING_ID = 987_654_321;

interface TenantData {
  readonly key: string;
  readonly customerId: number;
  readonly productNames: Set<string>;
  readonly ids: Record<'product' | 'test' | 'bug' | 'feature' | 'user', number[]>;
}

let stack: McpStack;
let sandboxB: RunningSandbox;
let mirrorB: TenantMirror;
let server: RunningHttpServer;
let store: PrincipalStore;
const tenants = {} as Record<'a' | 'b', TenantData>;

function idsOf(customerId: number): TenantData['ids'] {
  const sqlite = sqliteOf(stack.container.database);
  const column = (table: string): number[] =>
    (
      sqlite.prepare(`SELECT id FROM ${table} WHERE customer_id = ? ORDER BY id`).all(customerId) as Array<{
        id: number;
      }>
    ).map((r) => r.id);
  return {
    product: column('products'),
    test: column('tests'),
    bug: column('bugs'),
    feature: column('features'),
    user: column('users'),
  };
}

beforeAll(async () => {
  stack = await startMcpStack({ TESTIO_MASTER_KEY: MASTER_KEY.toString('hex') });
  const { container } = stack;
  sandboxB = await startSandbox({
    port: 0,
    seed: 11,
    scale: 'small',
    anchor: ANCHOR,
    token: 'beta-sandbox-token-0123456789',
  });
  store = createPrincipalStore(sqliteOf(container.database));
  const beta = addTenant(
    store,
    { slug: 'beta', token: sandboxB.token, baseUrl: sandboxB.baseUrl },
    MASTER_KEY,
    container.clock,
    [container.runtime.customerId],
  );
  // The stored tenant's sync, through the same parts the worker uses.
  const row = store.findTenant('beta');
  if (!row) throw new Error('tenant beta was not stored');
  mirrorB = openTenantMirror({
    settings: parseMcpServerSettings(stack.env),
    base: container.runtime,
    tenant: row,
    masterKey: MASTER_KEY,
    database: container.database,
    logger: stack.log.logger,
    role: 'tenants-e2e',
    clock: container.clock,
  });
  const synced = await mirrorB.engine.run({ mode: 'force', trigger: 'manual_cli' });
  expect(synced.status).toBe('success');

  const key = (tenant: string) =>
    issueApiKey(store, { tenant, role: 'admin', name: `${tenant} e2e` }, container.clock).key;
  tenants.a = {
    key: key('default'),
    customerId: container.runtime.customerId,
    productNames: new Set(stack.truth.products.map((p) => p.name)),
    ids: idsOf(container.runtime.customerId),
  };
  tenants.b = {
    key: key('beta'),
    customerId: beta.customer_id,
    productNames: new Set(sandboxB.truth().products.map((p) => p.name)),
    ids: idsOf(beta.customer_id),
  };

  const app = createHttpApp({
    createServer: (principal) =>
      createServer({
        services: container.tenants.servicesFor(principal),
        logger: stack.log.logger,
        principal,
      }),
    authenticator: container.principals.authenticator,
    logger: stack.log.logger,
    bindHost: '127.0.0.1',
    health: () => container.health(),
  });
  server = await listen(app, '127.0.0.1', 0);
}, 180_000);

afterAll(async () => {
  await server?.close();
  mirrorB?.close();
  await sandboxB?.close();
  await stack?.close();
});

async function connect(key: string): Promise<Client> {
  const client = new Client({ name: 'vitest-tenants', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
    }),
  );
  return client;
}

/** Ids of `own` that the other tenant does not have (different seeds still share some ids). */
function foreignIds(own: TenantData, other: TenantData, kind: keyof TenantData['ids']): number[] {
  const mine = new Set(own.ids[kind]);
  return other.ids[kind].filter((id) => !mine.has(id));
}

/** Arguments that make each tool answer from real data of `own` (the catalogue's required inputs). */
function argumentsFor(tool: Tool, own: TenantData, word: string): Record<string, unknown> {
  const samples: Record<string, unknown> = {
    product_id: own.ids.product[0],
    product_ids: [own.ids.product[0]],
    test_id: own.ids.test[0],
    test_ids: [own.ids.test[0]],
    bug_id: own.ids.bug[0],
    feature_id: own.ids.feature[0],
    user_id: own.ids.user[0],
    query: word,
    metrics: 'test_count,bug_count',
    dimensions: 'product',
  };
  const args: Record<string, unknown> = {};
  for (const name of tool.inputSchema.required ?? []) {
    if (!(name in samples)) throw new Error(`no sample value for ${tool.name}'s required input ${name}`);
    args[name] = samples[name];
  }
  // Tools that take a product scope get the tenant's own product; a sync stays small.
  if ('product_ids' in (tool.inputSchema.properties ?? {}) && tool.name !== 'query_metrics')
    args['product_ids'] = [own.ids.product[0]];
  return args;
}

/** The id inputs of a tool whose value names one entity of the tenant. */
const ID_INPUTS = {
  product_id: 'product',
  test_id: 'test',
  bug_id: 'bug',
  feature_id: 'feature',
  user_id: 'user',
} as const;

/** An answer with the id written as `<id>`, so two answers for two different ids compare. */
function withoutId(result: unknown, id: number): { isError: boolean; text: string } {
  return {
    isError: Boolean((result as CallToolResult).isError),
    text: textOf(result).replaceAll(String(id), '<id>'),
  };
}

describe.each([
  ['default', 'a', 'b'],
  ['beta', 'b', 'a'],
] as const)('with a key of tenant %s', (_slug, own, other) => {
  let client: Client;
  let tools: Tool[];

  beforeAll(async () => {
    client = await connect(tenants[own].key);
    tools = (await client.listTools()).tools;
  });
  afterAll(async () => {
    await client?.close();
  });

  it('list_products lists exactly its own products', async () => {
    const result = await client.callTool({ name: 'list_products', arguments: { per_page: 100 } });
    const products = (result.structuredContent as { products: Array<{ id: number }> }).products;
    expect(products.map((p) => p.id).sort((x, y) => x - y)).toEqual(tenants[own].ids.product);
  });

  it("every tool of the catalogue answers, and never with a name only the other tenant's products have", async () => {
    const foreignNames = [...tenants[other].productNames].filter((n) => !tenants[own].productNames.has(n));
    expect(foreignNames.length).toBeGreaterThan(0);
    const word = [...tenants[own].productNames][0]?.split(/\s+/)[0] ?? 'test';
    expect(tools.length).toBeGreaterThan(15);
    for (const tool of tools) {
      const result = await client.callTool({
        name: tool.name,
        arguments: argumentsFor(tool, tenants[own], word),
      });
      const text = textOf(result);
      expect(result.isError, `${tool.name}: ${text.slice(0, 300)}`).toBeFalsy();
      for (const name of foreignNames) expect(text, `${tool.name} leaked '${name}'`).not.toContain(name);
    }
  }, 120_000);

  it("every id input answers for the other tenant's id exactly as for an id that does not exist", async () => {
    let compared = 0;
    for (const tool of tools) {
      const properties = Object.keys(tool.inputSchema.properties ?? {});
      for (const [input, kind] of Object.entries(ID_INPUTS)) {
        if (!properties.includes(input)) continue;
        const foreign = foreignIds(tenants[own], tenants[other], kind).slice(0, 2);
        expect(foreign.length, `no ${kind} id only the other tenant has`).toBeGreaterThan(0);
        const base = argumentsFor(tool, tenants[own], 'test');
        const missing = await client.callTool({
          name: tool.name,
          arguments: { ...base, [input]: MISSING_ID },
        });
        for (const id of foreign) {
          const answer = await client.callTool({ name: tool.name, arguments: { ...base, [input]: id } });
          expect(withoutId(answer, id), `${tool.name} ${input}=${id}`).toEqual(
            withoutId(missing, MISSING_ID),
          );
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(8);
  }, 120_000);
});

describe('a removed tenant', () => {
  it('is refused with words that say it no longer exists, and the other tenant keeps being served', async () => {
    const { container } = stack;
    addTenant(store, { slug: 'gone', token: 'gone-token-0123456789' }, MASTER_KEY, container.clock, [
      container.runtime.customerId,
    ]);
    const key = issueApiKey(store, { tenant: 'gone', role: 'viewer', name: 'gone' }, container.clock).key;
    // Removing a tenant revokes its keys; a key row left behind (another process, an old backup) still
    // cannot reach anything: the tenant check refuses it.
    store.removeTenant('gone', container.clock.now());
    sqliteOf(container.database)
      .prepare('UPDATE api_keys SET revoked_at = NULL WHERE tenant = ?')
      .run('gone');
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(403);
    expect(JSON.stringify(await res.json())).toContain("belongs to tenant 'gone', which does not exist");
    const client = await connect(tenants.b.key);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });
});
