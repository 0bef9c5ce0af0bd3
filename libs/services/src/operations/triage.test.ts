import { createTestIOClient } from '@testio-mcp/api-client';
import { InvalidInputError, UpstreamError, type Clock } from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, startStack, type Stack, stackEngines, type StackEngine } from '../__fixtures__/stack.js';
import { describeWriteFailure } from './triage.js';
import {
  checkConfirmationToken,
  issueConfirmationToken,
  newConfirmationKey,
  stateDigest,
  type ConfirmationBinding,
} from '../triage/confirmation.js';

describe.each(stackEngines)('on $name', ({ name }) => {
  /** Bug triage on the real stack (sandbox over HTTP, real client, migrated SQLite), with a clock we move. */

  let stack: Stack<StackEngine>;
  let now: Date;
  const clock: Clock = { now: () => now };
  const actor = { id: 'key-1', tenant: 'default' };

  beforeAll(async () => {
    stack = await startStack({ engine: name });
    now = stack.clock.now();
  }, 120_000);
  afterAll(() => stack.close());

  function triageServices(ttlSeconds = 60) {
    const api = createTestIOClient({ baseUrl: stack.sandbox.baseUrl, token: stack.sandbox.token });
    return stack.withServices({
      clock,
      triage: { api, bugs: stack.db.stores.bugs, confirmationTtlSeconds: ttlSeconds },
    });
  }

  async function forwardedBug(): Promise<number> {
    const tests = (stack.truth.tests ?? []).filter((t) => (t.bugsByStatus['forwarded'] ?? 0) > 0);
    const page = await stack.services.listBugs({
      test_ids: tests.slice(0, 20).map((t) => t.id),
      status: ['forwarded'],
      sort_by: 'reported_at',
      sort_order: 'desc',
      page: 1,
      per_page: 50,
      offset: 0,
    } as Parameters<typeof stack.services.listBugs>[0]);
    return must(
      page.bugs.find((b) => !used.has(b.id) && used.add(b.id)),
      'a forwarded bug',
    ).id;
  }
  const used = new Set<number>();

  describe('triage services', () => {
    it('refuses a token past its lifetime, and writes with a fresh one', async () => {
      const services = triageServices(60);
      const bugId = await forwardedBug();
      const preview = await services.previewTriage({ action: 'accept', bug_ids: [bugId] }, actor);
      expect(preview.expires_at).toBe(new Date(now.getTime() + 60_000).toISOString());
      now = new Date(now.getTime() + 61_000);
      await expect(
        services.applyTriage(
          { action: 'accept', bug_ids: [bugId], confirmation_token: preview.confirmation_token },
          actor,
        ),
      ).rejects.toThrow(/confirmation_token has expired/);
      const fresh = await services.previewTriage({ action: 'accept', bug_ids: [bugId] }, actor);
      const events: unknown[] = [];
      const done = await services.applyTriage(
        { action: 'accept', bug_ids: [bugId], confirmation_token: fresh.confirmation_token },
        actor,
        { record: (event) => events.push(event) },
      );
      expect(done.bugs[0]).toMatchObject({ outcome: 'applied', after: { status: 'accepted' } });
      expect(events).toEqual([
        expect.objectContaining({
          bugId,
          action: 'accept',
          before: 'forwarded',
          after: 'accepted',
          outcome: 'ok',
        }),
      ]);
      const summary = await stack.services.getBugSummary({ bug_id: bugId });
      expect(summary.status).toBe('accepted');
    });

    it('asks for a token, a reason only with reject, and a configured triage', async () => {
      const services = triageServices();
      const bugId = await forwardedBug();
      await expect(services.applyTriage({ action: 'accept', bug_ids: [bugId] }, actor)).rejects.toThrow(
        /needs the confirmation_token of its preview/,
      );
      await expect(
        services.previewTriage({ action: 'accept', bug_ids: [bugId], reason: 'irrelevant' }, actor),
      ).rejects.toThrow(/reason and comment apply to reject only/);
      await expect(services.previewTriage({ action: 'reject', bug_ids: [bugId] }, actor)).rejects.toThrow(
        /A rejection needs a reason/,
      );
      await expect(
        stack.services.previewTriage({ action: 'accept', bug_ids: [bugId] }, actor),
      ).rejects.toThrow(/Bug triage is not available on this server/);
      const custom = await services.previewTriage(
        {
          action: 'reject',
          bug_ids: [bugId],
          reason: 'IRRELEVANT',
          comment: 'Out of scope for this release',
        },
        actor,
      );
      expect(custom).toMatchObject({ reason: 'irrelevant', comment: 'Out of scope for this release' });
    });
  });

  describe('confirmation tokens', () => {
    const key = newConfirmationKey();
    const binding: ConfirmationBinding = {
      action: 'reject',
      bugIds: [1, 2],
      reason: 'irrelevant',
      comment: 'c',
      actorId: 'key-1',
      tenant: 'default',
    };
    const at = new Date('2026-01-01T00:00:00Z');
    const state = stateDigest(['1|forwarded', '2|forwarded']);
    const token = issueConfirmationToken(key, binding, state, new Date(at.getTime() + 60_000));
    const refused = (change: Partial<ConfirmationBinding>, otherKey = key) => {
      try {
        checkConfirmationToken(otherKey, token, { ...binding, ...change }, at);
      } catch (error) {
        if (error instanceof InvalidInputError) return error.message;
        throw error;
      }
      return 'accepted';
    };

    it('answers the state it was issued for when everything matches', () => {
      expect(checkConfirmationToken(key, token, binding, at)).toBe(state);
      expect(token).not.toContain('key-1');
    });

    it('is bound to the change, the bugs, the caller, the tenant and the key', () => {
      const mismatch = 'The confirmation_token does not match this request';
      expect(refused({ action: 'accept' })).toBe(mismatch);
      expect(refused({ bugIds: [1] })).toBe(mismatch);
      expect(refused({ reason: 'known_bug' })).toBe(mismatch);
      expect(refused({ comment: 'other' })).toBe(mismatch);
      expect(refused({ actorId: 'key-2' })).toBe(mismatch);
      expect(refused({ tenant: 'acme' })).toBe(mismatch);
      expect(refused({}, newConfirmationKey())).toBe(mismatch);
      expect(() => checkConfirmationToken(key, `${token}x`, binding, at)).toThrow(mismatch);
      expect(() =>
        checkConfirmationToken(key, token.replace(state, stateDigest(['x'])), binding, at),
      ).toThrow(mismatch);
    });
  });

  describe('what a refused write means', () => {
    const operation = { method: 'PUT', path: 'bugs/7/reject' };
    const upstream = (status: number, retryAfterSeconds?: number) =>
      new UpstreamError({
        status,
        operation,
        message: `TestIO rejected the request (HTTP ${status}) for PUT bugs/7/reject: reason must be one of a, b`,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      });
    const cases = [
      {
        status: 429,
        outcome: 'rate_limited',
        stop: true,
        text: /rate limited the request to reject bug 7[\s\S]*Wait 12 s/,
      },
      {
        status: 401,
        outcome: 'refused',
        stop: true,
        text: /did not allow this account[\s\S]*invalid or expired/,
      },
      {
        status: 403,
        outcome: 'refused',
        stop: true,
        text: /did not allow this account[\s\S]*not triage its bugs/,
      },
      { status: 404, outcome: 'refused', stop: false, text: /Bug 7 was not found in TestIO/ },
      {
        status: 422,
        outcome: 'refused',
        stop: false,
        text: /not allowed for this bug[\s\S]*it said: reason must be one of a, b/,
      },
      {
        status: 503,
        outcome: 'error',
        stop: true,
        text: /could not reject bug 7 \(HTTP 503\)[\s\S]*may or may not/,
      },
      { status: 0, outcome: 'error', stop: true, text: /could not reject bug 7 \(no connection\)/ },
    ] as const;

    it.each(cases)('HTTP $status: $outcome, stop $stop', ({ status, outcome, stop, text }) => {
      const failure = describeWriteFailure(upstream(status, status === 429 ? 12 : undefined), 7, 'reject');
      expect(failure).toMatchObject({ status, outcome, stop });
      expect((failure.error as UpstreamError).toUserText()).toMatch(text);
    });

    it('an unexpected error stops the run', () => {
      expect(describeWriteFailure(new Error('boom'), 7, 'accept')).toMatchObject({
        status: 0,
        outcome: 'error',
        stop: true,
      });
    });
  });
});
