import path from 'node:path';
import { Client, StreamableHTTPClientTransport, type ElicitResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { sqliteOf } from '@testio-mcp/composition/testing';
import type { Principal } from '@testio-mcp/domain';
import { triageOutputSchema } from '@testio-mcp/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectThreePartError, structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { createServer } from './server.js';
import { resolveToolSelection } from './toolsets.js';
import { createHttpApp, listen, type RunningHttpServer } from './transports/http.js';

/**
 * Elicitation for 2026-07-28 requests (issue 17, ADR 0037): the 2.x SDK client negotiates 2026-07-28
 * over (stateless) HTTP, the server answers a question with `input_required`, and the client asks
 * through its `elicitation/create` handler and retries the call with the answer. Checked where a
 * person decides: a full forced resync (also over stdio) and a triage write, each against the sandbox.
 */

const BIN = path.resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');
const operator: Principal = { id: 'key-operator', tenant: 'default', role: 'operator' };
const withTriage = resolveToolSelection({ TESTIO_ENABLE_WRITES: true });

let stack: McpStack;
let http: RunningHttpServer;
let open: number[] = [];

async function upstream(path: string): Promise<Response> {
  return fetch(`${stack.sandbox.baseUrl}${path}`, {
    headers: { Authorization: `Token ${stack.sandbox.token}`, 'Content-Type': 'application/json' },
  });
}

async function upstreamStatus(id: number): Promise<string> {
  return ((await (await upstream(`/bugs/${id}`)).json()) as { bug: { status: string } }).bug.status;
}

function syncRuns(): number {
  return (
    sqliteOf(stack.container.database).prepare('SELECT COUNT(*) AS n FROM sync_runs').get() as { n: number }
  ).n;
}

/** A 2.x client on 2026-07-28; with `answer` it declares form elicitation and answers every question so. */
async function modernClient(answer?: ElicitResult): Promise<{ client: Client; asked: string[] }> {
  const client = new Client(
    { name: 'vitest-sdk2-elicit', version: '1.0.0' },
    {
      versionNegotiation: { mode: 'auto' },
      ...(answer ? { capabilities: { elicitation: { form: {} } } } : {}),
    },
  );
  const asked: string[] = [];
  if (answer)
    client.setRequestHandler('elicitation/create', (request) => {
      asked.push(request.params.message);
      return answer;
    });
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
  expect(client.getProtocolEra()).toBe('modern');
  return { client, asked };
}

beforeAll(async () => {
  stack = await startMcpStack();
  http = await listen(
    createHttpApp({
      createServer: () =>
        createServer({
          services: stack.container.services,
          logger: stack.log.logger,
          tools: withTriage.listed,
          callableTools: withTriage.callable,
          principal: operator,
          writeAudit: stack.container.audit,
        }),
      logger: stack.log.logger,
      bindHost: '127.0.0.1',
      health: () => stack.container.health(),
    }),
    '127.0.0.1',
    0,
  );
  const withOpen = (stack.truth.tests ?? []).filter((t) => (t.bugsByStatus['forwarded'] ?? 0) > 0);
  const ids = withOpen.slice(0, 15).map((t) => t.id);
  const bugs = (
    (await (await upstream(`/bugs?filter_test_cycle_ids=${ids.join(',')}`)).json()) as {
      bugs: Array<{ id: number; status: string }>;
    }
  ).bugs;
  open = bugs.filter((b) => b.status === 'forwarded').map((b) => b.id);
  expect(open.length).toBeGreaterThanOrEqual(3);
}, 120_000);

afterAll(async () => {
  await http?.close();
  await stack?.close();
});

describe('a full forced resync on 2026-07-28', () => {
  it('asks through input_required, saying how long the last one took; a no starts nothing, a yes runs it', async () => {
    const productId = stack.truth.products[0]?.id ?? 0;
    const args = { since: 'all', product_ids: [productId] };
    const before = syncRuns();
    const no = await modernClient({ action: 'decline' });
    try {
      expectThreePartError(
        await no.client.callTool({ name: 'sync_data', arguments: args }),
        /The full resync was not started/,
      );
      expect(no.asked).toHaveLength(1);
      expect(no.asked[0]).toMatch(
        /^Re-read products \d+ from TestIO \(a full resync: every test and bug\)\? (The last full sync took|No full sync has finished yet)/,
      );
    } finally {
      await no.client.close();
    }
    expect(syncRuns()).toBe(before);

    const yes = await modernClient({ action: 'accept', content: { confirm: true } });
    try {
      const result = structuredOf<{ mode: string }>(
        await yes.client.callTool({ name: 'sync_data', arguments: args }),
      );
      expect(result).toMatchObject({ mode: 'force' });
      expect(yes.asked).toHaveLength(1);
    } finally {
      await yes.client.close();
    }
    expect(syncRuns()).toBe(before + 1);
  }, 120_000);
});

describe('over stdio on 2026-07-28', () => {
  it('asks before a full forced resync in a spawned testio-mcp serve, and a no starts nothing', async () => {
    const before = syncRuns();
    const client = new Client(
      { name: 'vitest-sdk2-elicit', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: { form: {} } } },
    );
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', (request) => {
      asked.push(request.params.message);
      return { action: 'decline' };
    });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        // --no-sync: the start-up sync would add a run of its own to the count this test checks.
        args: [BIN, 'serve', '--transport', 'stdio', '--no-sync'],
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...stack.env },
        stderr: 'ignore',
      }),
    );
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expectThreePartError(
        await client.callTool({ name: 'sync_data', arguments: { since: 'all' } }),
        /The full resync was not started/,
      );
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatch(/^Re-read every product from TestIO/);
    } finally {
      await client.close();
    }
    expect(syncRuns()).toBe(before);
  }, 120_000);
});

describe('a triage write on 2026-07-28', () => {
  it('asks the person and writes on yes, in one call of the client', async () => {
    const bug = open[0] ?? 0;
    const { client, asked } = await modernClient({ action: 'accept', content: { confirm: true } });
    try {
      const done = triageOutputSchema.parse(
        structuredOf(await client.callTool({ name: 'accept_bug', arguments: { bug_id: bug } })),
      );
      expect(done.status).toBe('done');
      expect(done.confirmation_token).toBeUndefined();
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain(`Bug ${bug}`);
    } finally {
      await client.close();
    }
    expect(await upstreamStatus(bug)).toBe('accepted');
  }, 60_000);

  it('writes nothing when the person declines', async () => {
    const bug = open[1] ?? 0;
    const { client, asked } = await modernClient({ action: 'decline' });
    try {
      const result = triageOutputSchema.parse(
        structuredOf(await client.callTool({ name: 'accept_bug', arguments: { bug_id: bug } })),
      );
      expect(result.status).toBe('cancelled');
      expect(asked).toHaveLength(1);
    } finally {
      await client.close();
    }
    expect(await upstreamStatus(bug)).toBe('forwarded');
  }, 60_000);

  it('keeps the preview and token for a 2026-07-28 client without elicitation', async () => {
    const bug = open[2] ?? 0;
    const { client } = await modernClient();
    try {
      const preview = triageOutputSchema.parse(
        structuredOf(await client.callTool({ name: 'accept_bug', arguments: { bug_id: bug } })),
      );
      expect(preview.status).toBe('confirmation_required');
      expect(preview.confirmation_token).toMatch(/\S/);
    } finally {
      await client.close();
    }
    expect(await upstreamStatus(bug)).toBe('forwarded');
  }, 60_000);
});

describe('an ambiguous product name in analyze-product-quality on 2026-07-28', () => {
  /** Two letters found in the names of two or more of the account's products, but not in all of them. */
  function ambiguousText(): { text: string; matching: { id: number; name: string }[] } {
    const products = stack.truth.products;
    for (const product of products) {
      const name = product.name.toLowerCase();
      for (let i = 0; i + 2 <= name.length; i += 1) {
        const text = name.slice(i, i + 2);
        if (text.trim().length < 2) continue;
        const matching = products.filter((p) => p.name.toLowerCase().includes(text));
        if (matching.length >= 2 && matching.length < products.length) return { text, matching };
      }
    }
    throw new Error(
      `no two-letter text names some but not all of: ${products.map((p) => p.name).join(', ')}`,
    );
  }

  /** A 2.x client whose person picks the option at `pick`, or declines when `pick` is undefined. */
  async function choosingClient(pick?: number): Promise<{ client: Client; offered: string[][] }> {
    const client = new Client(
      { name: 'vitest-sdk2-choose', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: { form: {} } } },
    );
    const offered: string[][] = [];
    client.setRequestHandler('elicitation/create', (request) => {
      const params = request.params as {
        requestedSchema?: { properties?: { choice?: { oneOf?: { const: string; title: string }[] } } };
      };
      const options = params.requestedSchema?.properties?.choice?.oneOf ?? [];
      offered.push(options.map((o) => o.title));
      const chosen = pick === undefined ? undefined : options[pick];
      return chosen ? { action: 'accept', content: { choice: chosen.const } } : { action: 'decline' };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    return { client, offered };
  }

  const promptText = async (client: Client, product: string): Promise<string> => {
    const prompt = await client.getPrompt({ name: 'analyze-product-quality', arguments: { product } });
    const content = prompt.messages[0]?.content;
    return content?.type === 'text' ? content.text : '';
  };

  it('asks which product was meant and writes the chosen one into the prompt', async () => {
    const { text, matching } = ambiguousText();
    const { client, offered } = await choosingClient(1);
    try {
      const body = await promptText(client, text);
      expect(offered).toHaveLength(1);
      expect([...(offered[0] ?? [])].sort()).toEqual(matching.map((p) => `${p.name} (id ${p.id})`).sort());
      const chosen = (offered[0] ?? [])[1];
      expect(body).toContain(`- Product: ${chosen}`);
    } finally {
      await client.close();
    }
  });

  it('leaves the name as typed when the person declines, and asks nothing for a name that fits one product', async () => {
    const { text } = ambiguousText();
    const declining = await choosingClient(undefined);
    try {
      expect(await promptText(declining.client, text)).toContain(`- Product: ${text}\n`);
      expect(declining.offered).toHaveLength(1);
      const product = stack.truth.products[0] ?? { id: 0, name: '' };
      expect(await promptText(declining.client, product.name.toUpperCase())).toContain(
        `- Product: ${product.name} (id ${product.id})\n`,
      );
      expect(declining.offered).toHaveLength(1);
    } finally {
      await declining.client.close();
    }
  });
});
