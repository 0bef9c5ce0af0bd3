import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sqliteOf } from '@testio-mcp/composition/testing';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { issueApiKey } from '@testio-mcp/composition';
import { REJECTION_REASONS, type Principal } from '@testio-mcp/domain';
import { createAuditStore, createPrincipalStore } from '@testio-mcp/persistence';
import { triageOutputSchema, type TriageOutput } from '@testio-mcp/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInMemory, expectThreePartError, structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { createServer, type ServerDeps } from './server.js';
import { resolveToolSelection, selectTools } from './toolsets.js';
import { createHttpApp, listen, type RunningHttpServer } from './transports/http.js';

/**
 * Bug triage (ADR 0032) with the official SDK client against the production composition on the sandbox
 * over HTTP: every action changes the bug in TestIO and in the mirror; the two-step confirmation and its
 * refusals; elicitation accepted and declined; roles; off by default and under --read-only; audit rows.
 */

const TRIAGE_TOOLS = ['accept_bug', 'reject_bug', 'mark_bug_known', 'mark_bug_fixed', 'triage_bugs'];
const operator: Principal = { id: 'key-operator', tenant: 'default', role: 'operator' };
const otherOperator: Principal = { id: 'key-other', tenant: 'default', role: 'operator' };
const viewer: Principal = { id: 'key-viewer', tenant: 'default', role: 'viewer' };

let stack: McpStack;
/** Forwarded (open) bugs, handed out one per test so no test sees another's change. */
let open: number[] = [];

interface UpstreamBug {
  id: number;
  title: string;
  status: string;
  known: boolean;
  comments: Array<{ body: string }>;
}

async function upstream(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${stack.sandbox.baseUrl}${path}`, {
    ...init,
    headers: { Authorization: `Token ${stack.sandbox.token}`, 'Content-Type': 'application/json' },
  });
}

async function upstreamBug(id: number): Promise<UpstreamBug> {
  return ((await (await upstream(`/bugs/${id}`)).json()) as { bug: UpstreamBug }).bug;
}

function mirrorBug(id: number): { status: string; known: number; rejection_reason: string | null } {
  return sqliteOf(stack.container.database)
    .prepare('SELECT status, known, rejection_reason FROM bugs WHERE id = ?')
    .get(id) as { status: string; known: number; rejection_reason: string | null };
}

function nextOpenBug(): number {
  const id = open.shift();
  if (id === undefined) throw new Error('no forwarded bug left');
  return id;
}

function auditRows(): Array<{
  principal: string | null;
  action: string;
  outcome: string;
  status: number | null;
}> {
  stack.container.audit.flush();
  return createAuditStore(sqliteOf(stack.container.database)).list({ limit: 500 });
}

const withTriage = resolveToolSelection({ TESTIO_ENABLE_WRITES: true });

function deps(extra: Partial<ServerDeps> = {}): ServerDeps {
  return {
    services: stack.container.services,
    logger: stack.log.logger,
    tools: withTriage.listed,
    callableTools: withTriage.callable,
    writeAudit: stack.container.audit,
    ...extra,
  };
}

/** A client that declares form elicitation and answers every question with `answer`. */
async function elicitingClient(
  answer: ElicitResult,
  extra: Partial<ServerDeps> = {},
): Promise<{ client: Client; asked: string[]; close(): Promise<void> }> {
  const server = createServer(deps(extra));
  const client = new Client(
    { name: 'vitest-elicit', version: '1.0.0' },
    { capabilities: { elicitation: {} } },
  );
  const asked: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(request.params.message);
    return answer;
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([client.connect(clientTransport), server.connect(serverTransport)]);
  return {
    client,
    asked,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<TriageOutput> {
  return triageOutputSchema.parse(structuredOf(await client.callTool({ name, arguments: args })));
}

beforeAll(async () => {
  stack = await startMcpStack();
  const withOpen = (stack.truth.tests ?? []).filter((t) => (t.bugsByStatus['forwarded'] ?? 0) > 0);
  for (let i = 0; i < withOpen.length && open.length < 40; i += 15) {
    const ids = withOpen.slice(i, i + 15).map((t) => t.id);
    const bugs = (
      (await (await upstream(`/bugs?filter_test_cycle_ids=${ids.join(',')}`)).json()) as {
        bugs: UpstreamBug[];
      }
    ).bugs;
    open = open.concat(bugs.filter((b) => b.status === 'forwarded').map((b) => b.id));
  }
  expect(open.length).toBeGreaterThanOrEqual(20);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('serving the triage tools', () => {
  it('leaves them out by default, and under --read-only even with writes on', async () => {
    const names = (settings: Parameters<typeof selectTools>[0]) => selectTools(settings).map((t) => t.name);
    expect(names({})).not.toEqual(expect.arrayContaining(['accept_bug']));
    for (const tool of TRIAGE_TOOLS) expect(names({})).not.toContain(tool);
    expect(names({ TESTIO_ENABLE_WRITES: true })).toEqual(expect.arrayContaining(TRIAGE_TOOLS));
    expect(names({ TESTIO_TOOLSETS: ['discovery', 'triage'] })).toEqual(expect.arrayContaining(TRIAGE_TOOLS));
    const readOnly = resolveToolSelection({ TESTIO_READ_ONLY: true, TESTIO_ENABLE_WRITES: true });
    for (const tool of TRIAGE_TOOLS) expect(readOnly.listed.map((t) => t.name)).not.toContain(tool);
    expect(readOnly.warnings.join('\n')).toMatch(/read-only/);

    const bug = open[0];
    const byDefault = await connectInMemory({ services: stack.container.services, logger: stack.log.logger });
    try {
      expectThreePartError(
        await byDefault.client.callTool({ name: 'accept_bug', arguments: { bug_id: bug } }),
        /'accept_bug' is not enabled on this server/,
      );
    } finally {
      await byDefault.close();
    }
    const ro = await connectInMemory({
      services: stack.container.services,
      logger: stack.log.logger,
      tools: readOnly.listed,
      callableTools: readOnly.callable,
      readOnly: true,
    });
    try {
      expect((await ro.client.listTools()).tools.map((t) => t.name)).not.toContain('reject_bug');
      expectThreePartError(
        await ro.client.callTool({ name: 'reject_bug', arguments: { bug_id: bug, reason: 'irrelevant' } }),
        /reject_bug is not available: this server is read-only/,
      );
    } finally {
      await ro.close();
    }
    expect((await upstreamBug(bug ?? 0)).status).toBe('forwarded');
  });

  it('tells the truth in its annotations and lists the reject reasons', async () => {
    const session = await connectInMemory(deps());
    try {
      const tools = (await session.client.listTools()).tools.filter((t) => TRIAGE_TOOLS.includes(t.name));
      expect(tools).toHaveLength(5);
      for (const tool of tools) expect(tool.annotations?.readOnlyHint).toBe(false);
      const byName = new Map(tools.map((t) => [t.name, t]));
      expect(byName.get('reject_bug')?.annotations?.destructiveHint).toBe(true);
      expect(byName.get('accept_bug')?.annotations?.idempotentHint).toBe(true);
      expect(byName.get('accept_bug')?.annotations?.destructiveHint).toBe(false);
      for (const key of Object.keys(REJECTION_REASONS).filter((k) => k !== 'request_timeout'))
        expect(byName.get('reject_bug')?.description).toContain(key);
    } finally {
      await session.close();
    }
  });

  it('never shows them to a viewer, and refuses a viewer that calls one', async () => {
    const session = await connectInMemory(deps({ principal: viewer }));
    try {
      const names = (await session.client.listTools()).tools.map((t) => t.name);
      for (const tool of TRIAGE_TOOLS) expect(names).not.toContain(tool);
      expectThreePartError(
        await session.client.callTool({ name: 'accept_bug', arguments: { bug_id: open[0] } }),
        /accept_bug needs the operator role; key key-viewer is a viewer/,
      );
    } finally {
      await session.close();
    }
  });
});

describe('two-step confirmation (clients without elicitation)', () => {
  let client: Client;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, close } = await connectInMemory(deps({ principal: operator })));
  });
  afterAll(async () => {
    await close();
  });

  it('accept: a preview writes nothing; the token writes; TestIO, the mirror and the audit trail show it', async () => {
    const bug = nextOpenBug();
    const preview = await call(client, 'accept_bug', { bug_id: bug });
    expect(preview).toMatchObject({
      status: 'confirmation_required',
      action: 'accept',
      bugs: [
        {
          bug_id: bug,
          before: { status: 'forwarded' },
          change: 'forwarded → accepted',
          outcome: 'would_change',
        },
      ],
    });
    expect(preview.confirmation_token).toMatch(/^tc1\./);
    expect((await upstreamBug(bug)).status).toBe('forwarded');
    expect(mirrorBug(bug).status).toBe('forwarded');

    const done = await call(client, 'accept_bug', {
      bug_id: bug,
      confirmation_token: preview.confirmation_token,
    });
    expect(done).toMatchObject({
      status: 'done',
      bugs: [{ bug_id: bug, outcome: 'applied', after: { status: 'accepted' }, upstream_status: 200 }],
    });
    expect((await upstreamBug(bug)).status).toBe('accepted');
    expect(mirrorBug(bug).status).toBe('accepted');
    expect(auditRows()).toContainEqual(
      expect.objectContaining({
        principal: 'key-operator',
        action: `accept_bug bug ${bug}: forwarded → accepted`,
        outcome: 'ok',
        status: 200,
      }),
    );
    // Accepting again changes nothing and needs no confirmation.
    const again = await call(client, 'accept_bug', { bug_id: bug });
    expect(again).toMatchObject({ status: 'done', bugs: [{ outcome: 'no_change' }] });
    expect(again.confirmation_token).toBeUndefined();
  });

  it("reject: the reason is checked, the comment defaults to the reason's, and a rejected bug cannot be rejected again", async () => {
    const bug = nextOpenBug();
    expectThreePartError(
      await client.callTool({ name: 'reject_bug', arguments: { bug_id: bug, reason: 'duplicate' } }),
      /'duplicate' is not a reject reason of this account[\s\S]*not_reproducible/,
    );
    const preview = await call(client, 'reject_bug', { bug_id: bug, reason: 'not_reproducible' });
    expect(preview).toMatchObject({
      reason: 'not_reproducible',
      comment: REJECTION_REASONS.not_reproducible,
      bugs: [{ change: 'forwarded → rejected (not_reproducible)' }],
    });
    const done = await call(client, 'reject_bug', {
      bug_id: bug,
      reason: 'not_reproducible',
      confirmation_token: preview.confirmation_token,
    });
    expect(done.bugs[0]).toMatchObject({ outcome: 'applied', after: { status: 'rejected' } });
    const after = await upstreamBug(bug);
    expect(after.status).toBe('rejected');
    expect(after.comments.map((c) => c.body)).toContain(REJECTION_REASONS.not_reproducible);
    expect(mirrorBug(bug)).toMatchObject({ status: 'rejected', rejection_reason: 'not_reproducible' });
    expectThreePartError(
      await client.callTool({ name: 'reject_bug', arguments: { bug_id: bug, reason: 'irrelevant' } }),
      /Bug \d+ is already rejected/,
    );
  });

  it('mark known and mark fixed go through to TestIO', async () => {
    const bug = nextOpenBug();
    const preview = await call(client, 'mark_bug_known', { bug_id: bug });
    await call(client, 'mark_bug_known', { bug_id: bug, confirmation_token: preview.confirmation_token });
    expect((await upstreamBug(bug)).known).toBe(true);
    expect(mirrorBug(bug).known).toBe(1);

    stack.sandbox.resetRequestLog();
    const fixed = await call(client, 'mark_bug_fixed', { bug_id: bug });
    expect(stack.sandbox.requestLog().filter((r) => r.method === 'PUT')).toEqual([]);
    const done = await call(client, 'mark_bug_fixed', {
      bug_id: bug,
      confirmation_token: fixed.confirmation_token,
    });
    expect(done.bugs[0]).toMatchObject({ outcome: 'applied', upstream_status: 200 });
    expect(stack.sandbox.requestLog()).toContainEqual(
      expect.objectContaining({ method: 'PUT', path: `/bugs/${bug}/mark_as_fixed`, status: 200 }),
    );
  });

  it('refuses a wrong token, a token of another bug, change or caller, and a stale preview', async () => {
    const [a, b] = [nextOpenBug(), nextOpenBug()];
    const preview = await call(client, 'accept_bug', { bug_id: a });
    const token = preview.confirmation_token;
    expectThreePartError(
      await client.callTool({
        name: 'accept_bug',
        arguments: { bug_id: a, confirmation_token: 'tc1.zzz.abc.def' },
      }),
      /confirmation_token does not match this request/,
    );
    expectThreePartError(
      await client.callTool({ name: 'accept_bug', arguments: { bug_id: b, confirmation_token: token } }),
      /does not match this request/,
    );
    expectThreePartError(
      await client.callTool({ name: 'mark_bug_known', arguments: { bug_id: a, confirmation_token: token } }),
      /does not match this request/,
    );
    const other = await connectInMemory(deps({ principal: otherOperator }));
    try {
      expectThreePartError(
        await other.client.callTool({
          name: 'accept_bug',
          arguments: { bug_id: a, confirmation_token: token },
        }),
        /does not match this request[\s\S]*another caller/,
      );
    } finally {
      await other.close();
    }
    // Someone changes the bug in TestIO between the preview and the confirmation.
    expect((await upstream(`/bugs/${a}/mark_as_known`, { method: 'PUT' })).status).toBe(200);
    expectThreePartError(
      await client.callTool({ name: 'accept_bug', arguments: { bug_id: a, confirmation_token: token } }),
      /The preview is stale: bug \d+ changed since it was shown/,
    );
    expect((await upstreamBug(a)).status).toBe('forwarded');
    expect((await upstreamBug(b)).status).toBe('forwarded');
  });

  it('triage_bugs reports per bug, and stops cleanly on a refusal that would repeat', async () => {
    const ids = [nextOpenBug(), nextOpenBug(), nextOpenBug()];
    const accepted = nextOpenBug();
    const first = await call(client, 'accept_bug', { bug_id: accepted });
    await call(client, 'accept_bug', { bug_id: accepted, confirmation_token: first.confirmation_token });

    const preview = await call(client, 'triage_bugs', {
      action: 'accept',
      bug_ids: [...ids.slice(0, 2), accepted],
    });
    expect(preview.bugs.map((b) => b.outcome)).toEqual(['would_change', 'would_change', 'no_change']);
    const done = await call(client, 'triage_bugs', {
      action: 'accept',
      bug_ids: [...ids.slice(0, 2), accepted],
      confirmation_token: preview.confirmation_token,
    });
    expect(done.status).toBe('done');
    expect(done.bugs.map((b) => b.outcome)).toEqual(['applied', 'applied', 'no_change']);

    const more = [ids[2] ?? 0, nextOpenBug(), nextOpenBug()];
    const rejection = { action: 'reject', bug_ids: more, reason: 'irrelevant' };
    const second = await call(client, 'triage_bugs', rejection);
    // TestIO answers the second write with 429: the run stops there, the third bug is not tried.
    stack.sandbox.setFaults({ rateLimit: { everyNth: 2, methods: ['PUT'], retryAfterSeconds: 30 } });
    try {
      const stopped = await call(client, 'triage_bugs', {
        ...rejection,
        confirmation_token: second.confirmation_token,
      });
      expect(stopped.status).toBe('stopped');
      expect(stopped.bugs.map((b) => b.outcome)).toEqual(['applied', 'failed', 'skipped']);
      expect(stopped.bugs[1]).toMatchObject({ upstream_status: 429 });
      expect(stopped.bugs[1]?.message).toMatch(/rate limited/);
      expect(stopped.message).toMatch(/^Stopped after 1 change/);
    } finally {
      stack.sandbox.setFaults({});
    }
    expect((await upstreamBug(more[0] ?? 0)).status).toBe('rejected');
    expect((await upstreamBug(more[1] ?? 0)).status).toBe('forwarded');
    expect((await upstreamBug(more[2] ?? 0)).status).toBe('forwarded');
    expect(auditRows()).toContainEqual(
      expect.objectContaining({
        action: `triage_bugs bug ${more[1]}: forwarded → unchanged`,
        outcome: 'rate_limited',
        status: 429,
      }),
    );
  });
});

describe('elicitation', () => {
  it('asks the person with the title, state and change, and writes on yes in one call', async () => {
    const bug = nextOpenBug();
    const title = (await upstreamBug(bug)).title;
    const session = await elicitingClient(
      { action: 'accept', content: { confirm: true } },
      { principal: operator },
    );
    try {
      const done = await call(session.client, 'reject_bug', { bug_id: bug, reason: 'known_bug' });
      expect(done.status).toBe('done');
      expect(done.confirmation_token).toBeUndefined();
      expect(session.asked).toHaveLength(1);
      expect(session.asked[0]).toContain(`Bug ${bug}`);
      expect(session.asked[0]).toContain(title.slice(0, 60));
      expect(session.asked[0]).toContain('(now forwarded): forwarded → rejected (known_bug)');
      expect(session.asked[0]).toContain(REJECTION_REASONS.known_bug);
    } finally {
      await session.close();
    }
    expect((await upstreamBug(bug)).status).toBe('rejected');
    expect(mirrorBug(bug).status).toBe('rejected');
  });

  it('writes nothing when the person declines', async () => {
    const bug = nextOpenBug();
    for (const answer of [
      { action: 'decline' },
      { action: 'accept', content: { confirm: false } },
    ] as const) {
      const session = await elicitingClient(answer, { principal: operator });
      try {
        const result = await call(session.client, 'accept_bug', { bug_id: bug });
        expect(result.status).toBe('cancelled');
        expect(result.confirmation_token).toBeUndefined();
        expect(session.asked).toHaveLength(1);
      } finally {
        await session.close();
      }
    }
    expect((await upstreamBug(bug)).status).toBe('forwarded');
    expect(mirrorBug(bug).status).toBe('forwarded');
  });
});

describe('elicitation for a full resync (issue 17)', () => {
  it('asks before a full forced resync, saying how long the last one took; a no starts nothing', async () => {
    const productId = stack.truth.products[0]?.id ?? 0;
    const runs = () =>
      sqliteOf(stack.container.database).prepare('SELECT COUNT(*) AS n FROM sync_runs').get() as {
        n: number;
      };
    const before = runs().n;
    const no = await elicitingClient({ action: 'decline' });
    try {
      expectThreePartError(
        await no.client.callTool({
          name: 'sync_data',
          arguments: { since: 'all', product_ids: [productId] },
        }),
        /The full resync was not started/,
      );
      expect(no.asked[0]).toMatch(
        /^Re-read products \d+ from TestIO \(a full resync: every test and bug\)\? The last full sync took \d+ (s|min)/,
      );
    } finally {
      await no.close();
    }
    expect(runs().n).toBe(before);
    const yes = await elicitingClient({ action: 'accept', content: { confirm: true } });
    try {
      const result = structuredOf<{ status: string; mode: string }>(
        await yes.client.callTool({
          name: 'sync_data',
          arguments: { since: 'all', product_ids: [productId] },
        }),
      );
      expect(result).toMatchObject({ mode: 'force' });
      // An incremental sync is not asked about.
      structuredOf(await yes.client.callTool({ name: 'sync_data', arguments: { product_ids: [productId] } }));
      expect(yes.asked).toHaveLength(1);
    } finally {
      await yes.close();
    }
    expect(runs().n).toBe(before + 2);
  });
});

describe('over HTTP with API keys', () => {
  let server: RunningHttpServer;
  const keys = { operator: '', viewer: '' };
  beforeAll(async () => {
    const store = createPrincipalStore(sqliteOf(stack.container.database));
    keys.operator = issueApiKey(
      store,
      { tenant: 'default', role: 'operator', name: 'triage op' },
      stack.container.clock,
    ).key;
    keys.viewer = issueApiKey(
      store,
      { tenant: 'default', role: 'viewer', name: 'triage viewer' },
      stack.container.clock,
    ).key;
    const app = createHttpApp({
      createServer: (principal) =>
        createServer(deps({ principal, audit: stack.container.audit, writeAudit: undefined })),
      authenticator: stack.container.principals.authenticator,
      logger: stack.log.logger,
      bindHost: '127.0.0.1',
      health: () => stack.container.health(),
    });
    server = await listen(app, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function connect(key: string): Promise<Client> {
    // Declares elicitation, but a stateless server never learns it: the token path applies.
    const client = new Client(
      { name: 'vitest-http', version: '1.0.0' },
      { capabilities: { elicitation: {} } },
    );
    client.setRequestHandler(ElicitRequestSchema, () => {
      throw new Error('a stateless server must not ask');
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { Authorization: `Bearer ${key}` } },
      }),
    );
    return client;
  }

  it('an operator previews and confirms with the token; a viewer does not see the tools', async () => {
    const bug = nextOpenBug();
    const op = await connect(keys.operator);
    try {
      const preview = await call(op, 'mark_bug_known', { bug_id: bug });
      expect(preview.status).toBe('confirmation_required');
      const done = await call(op, 'mark_bug_known', {
        bug_id: bug,
        confirmation_token: preview.confirmation_token,
      });
      expect(done.bugs[0]).toMatchObject({ outcome: 'applied', after: { known: true } });
    } finally {
      await op.close();
    }
    expect((await upstreamBug(bug)).known).toBe(true);
    const view = await connect(keys.viewer);
    try {
      const names = (await view.listTools()).tools.map((t) => t.name);
      expect(names).toContain('list_bugs');
      for (const tool of TRIAGE_TOOLS) expect(names).not.toContain(tool);
    } finally {
      await view.close();
    }
    const row = auditRows().find(
      (r) => r.action === `mark_bug_known bug ${bug}: forwarded → forwarded, known`,
    );
    expect(row).toMatchObject({ outcome: 'ok', status: 200 });
    expect(row?.principal).toMatch(/\S/);
  });
});
