/**
 * The triage writes (ADR 0032) of the real client against the real sandbox over HTTP: each endpoint, the
 * reject body, the reason list, and a refused write that is not retried.
 */
import { REJECTION_REASONS, UpstreamError } from '@testio-mcp/domain';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIOClient, type TestIOClient } from './client.js';

let sandbox: RunningSandbox;
let client: TestIOClient;
let open: number[];

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    seed: 7,
    scale: 'small',
    anchor: new Date('2025-06-01T00:00:00Z'),
  });
  client = createTestIOClient({ baseUrl: sandbox.baseUrl, token: sandbox.token, retryBaseDelayMs: 1 });
  const tests = (sandbox.truth({ perTest: true }).tests ?? [])
    .filter((t) => (t.bugsByStatus['forwarded'] ?? 0) > 0)
    .slice(0, 15)
    .map((t) => t.id);
  open = (await client.listBugsForTests(tests)).filter((b) => b.status === 'forwarded').map((b) => b.id);
});
afterAll(async () => {
  client.close();
  await sandbox.close();
});

describe('bug triage endpoints', () => {
  it('lists the reject reasons with their default comments', async () => {
    const reasons = await client.listRejectReasons();
    expect(reasons).toContainEqual({
      key: 'known_bug',
      name: 'Known bug',
      defaultComment: REJECTION_REASONS.known_bug,
    });
  });

  it('accepts, rejects with reason and comment, marks known and fixed, answering the bug after the change', async () => {
    const [a, b, c] = open;
    expect(await client.triageBug(a ?? 0, 'accept')).toMatchObject({ id: a, status: 'accepted' });
    const rejected = await client.triageBug(b ?? 0, 'reject', {
      reason: 'irrelevant',
      comment: 'Out of scope',
    });
    expect(rejected).toMatchObject({ status: 'rejected' });
    expect(rejected.comments?.map((x) => x.body)).toContain('Out of scope');
    expect(await client.triageBug(c ?? 0, 'mark_known')).toMatchObject({ known: true });
    sandbox.resetRequestLog();
    await client.triageBug(c ?? 0, 'mark_fixed');
    expect(sandbox.requestLog()).toEqual([
      expect.objectContaining({ method: 'PUT', path: `/bugs/${c}/mark_as_fixed` }),
    ]);
  });

  it('does not retry a refused write, and says what TestIO answered', async () => {
    sandbox.setFaults({ rateLimit: { times: 1, methods: ['PUT'], retryAfterSeconds: 1 } });
    sandbox.resetRequestLog();
    const error = await client.triageBug(open[3] ?? 0, 'accept').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(429);
    expect(sandbox.requestLog()).toHaveLength(1);
    const invalid = await client
      .triageBug(open[3] ?? 0, 'reject', { reason: 'nope', comment: 'x' })
      .catch((e: unknown) => e);
    expect((invalid as UpstreamError).status).toBe(422);
    expect((invalid as UpstreamError).message).toContain('reason must be one of');
    await expect(client.triageBug(0, 'accept')).rejects.toThrow(RangeError);
    sandbox.setFaults({});
  });
});
