import {
  BugNotFoundError,
  ConflictError,
  InvalidInputError,
  UpstreamError,
  normalizeBug,
  type BugTriageAction,
  type RejectReason,
  type UpstreamBug,
} from '@testio-mcp/domain';
import type { TriageBugOutcome, TriageOutput, TriageRequest } from '../contracts/triage.js';
import { safeMessage, type ServiceContext, type TriageDeps } from '../context.js';
import {
  checkConfirmationToken,
  issueConfirmationToken,
  newConfirmationKey,
  stalePreviewError,
  stateDigest,
  type ConfirmationBinding,
} from '../triage/confirmation.js';

/**
 * Bug triage (ADR 0032). `previewTriage` reads every bug from TestIO (never the mirror: the preview must
 * show the state the write will meet), says what would change and issues a token bound to that change,
 * those bugs, their state and the caller. `applyTriage` checks the token, reads the bugs again (a bug
 * that changed meanwhile makes the preview stale), then writes one bug at a time: TestIO's answer goes
 * into the mirror at once and each write is reported to `record` for the audit trail. A refusal that
 * would repeat for every bug (rate limit, not allowed, TestIO unavailable) stops the run; the rest are
 * skipped and reported.
 */

/** Who asks: the principal's public id (`local` without one) and its tenant. */
export interface TriageActor {
  readonly id: string;
  readonly tenant: string;
}

/** One write, as the audit trail records it. */
export interface TriageWriteEvent {
  readonly bugId: number;
  readonly action: BugTriageAction;
  readonly before: string;
  readonly after: string | null;
  readonly outcome: 'ok' | 'refused' | 'error' | 'rate_limited';
  /** HTTP status of TestIO's answer (0 when it could not be reached). */
  readonly upstreamStatus: number;
  readonly durationMs: number;
}

export interface TriageOptions {
  readonly record?: (event: TriageWriteEvent) => void;
}

const DEFAULT_TTL_SECONDS = 300;
const REASONS_TTL_MS = 10 * 60_000;

interface BugState {
  readonly status: string;
  readonly known: boolean;
  readonly exported: boolean;
}

interface Planned {
  readonly bugId: number;
  readonly raw: UpstreamBug | null;
  readonly outcome: 'would_change' | 'no_change' | 'refused';
  readonly message: string | null;
  readonly change: string;
}

function stateOf(raw: UpstreamBug): BugState {
  const status = raw.status ?? 'forwarded';
  return {
    status: status === 'accepted' && raw.auto_accepted ? 'auto_accepted' : status,
    known: raw.known ?? false,
    exported: Boolean(raw.exported_at),
  };
}

function describeState(state: BugState): string {
  return `${state.status}${state.known ? ', known' : ''}${state.exported ? ', exported' : ''}`;
}

function fingerprint(raw: UpstreamBug): string {
  const s = stateOf(raw);
  return [raw.id, s.status, s.known, raw.exported_at ?? '', raw.comments?.length ?? 0].join('|');
}

const ACTION_VERB: Record<BugTriageAction, string> = {
  accept: 'accept',
  reject: 'reject',
  mark_known: 'mark as known',
  mark_fixed: 'mark as fixed',
};

function changeText(action: BugTriageAction, state: BugState | null, reason: string | null): string {
  const from = state ? state.status : '?';
  switch (action) {
    case 'accept':
      return `${from} → accepted`;
    case 'reject':
      return `${from} → rejected (${reason ?? '?'})`;
    case 'mark_known':
      return `known: ${state?.known ?? '?'} → true`;
    case 'mark_fixed':
      return 'marked as fixed (TestIO shows no field for it)';
  }
}

/** What TestIO's refusal of one write means, and whether it would repeat for the next bug. */
export function describeWriteFailure(
  error: unknown,
  bugId: number,
  action: BugTriageAction,
): { status: number; outcome: TriageWriteEvent['outcome']; stop: boolean; error: Error } {
  const verb = ACTION_VERB[action];
  if (!(error instanceof UpstreamError)) {
    return {
      status: 0,
      outcome: 'error',
      stop: true,
      error: error instanceof Error ? error : new Error(String(error)),
    };
  }
  const base = { status: error.status, operation: error.operation };
  const s = error.status;
  if (s === 429) {
    const wait = error.retryAfterSeconds ?? 30;
    return {
      status: s,
      outcome: 'rate_limited',
      stop: true,
      error: new UpstreamError({
        ...base,
        ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
        message: `TestIO rate limited the request to ${verb} bug ${bugId} (HTTP 429)`,
        reason: 'The TestIO API accepts only so many requests per account; nothing was changed for this bug',
        hint: `Wait ${wait} s, then ask for a new preview and confirm it`,
      }),
    };
  }
  if (s === 401 || s === 403) {
    return {
      status: s,
      outcome: 'refused',
      stop: true,
      error: new UpstreamError({
        ...base,
        message: `TestIO did not allow this account to ${verb} bug ${bugId} (HTTP ${s})`,
        reason:
          s === 401
            ? 'The API token is invalid or expired'
            : 'The API token may read this account but not triage its bugs',
        hint: 'Ask your TestIO administrator for a token allowed to triage bugs, or triage in the TestIO app',
      }),
    };
  }
  if (s === 404) {
    return {
      status: s,
      outcome: 'refused',
      stop: false,
      error: new UpstreamError({
        ...base,
        message: `Bug ${bugId} was not found in TestIO (HTTP 404)`,
        reason: 'It may have been deleted, or it is not visible to this account',
        hint: 'Check the id with list_bugs',
      }),
    };
  }
  if (s === 400 || s === 409 || s === 422) {
    return {
      status: s,
      outcome: 'refused',
      stop: false,
      error: new UpstreamError({
        ...base,
        message: `TestIO refused to ${verb} bug ${bugId} (HTTP ${s}): not allowed for this bug`,
        reason: `TestIO does not allow this change in the bug's current state (e.g. already decided), or it rejected the reason or comment${error.message.includes(': ') ? `; it said: ${error.message.split(': ').slice(1).join(': ').slice(0, 200)}` : ''}`,
        hint: 'Check the bug with get_bug_summary; triage it in the TestIO app if the change is still needed',
      }),
    };
  }
  return {
    status: s,
    outcome: 'error',
    stop: true,
    error: new UpstreamError({
      ...base,
      message: `TestIO could not ${verb} bug ${bugId} (${s === 0 ? 'no connection' : `HTTP ${s}`})`,
      reason: 'The TestIO API is unavailable or failing; the change may or may not have been made',
      hint: 'Check the bug with get_bug_summary after a while, then ask for a new preview if it did not change',
    }),
  };
}

/** One bug asked for and it cannot be changed: the answer is the three-part error, not a preview. */
function refuseSingle(request: TriageRequest, planned: readonly Planned[]): void {
  const only = planned[0];
  if (request.bug_ids.length !== 1 || !only || only.outcome !== 'refused') return;
  if (!only.raw)
    throw new BugNotFoundError(only.bugId, {
      reason: 'TestIO does not know it, or it is not visible to this account',
    });
  throw new ConflictError({
    message: only.message ?? `Bug ${only.bugId} cannot be changed`,
    reason: `A bug that is ${stateOf(only.raw).status} cannot be ${request.action === 'reject' ? 'rejected again' : 'changed this way'}; nothing was written`,
    hint: 'Check the bug with get_bug_summary; to change a decision, use the TestIO app',
  });
}

export function createTriageOperations(ctx: ServiceContext) {
  const { clock } = ctx;
  // Without a configured key, the key of these services (one set per tenant in a process): a preview is
  // then confirmed where it was made. Instances share theirs through the database (ADR 0035).
  const ownKey = newConfirmationKey();

  /** The configured key (loading the shared one), or this stack's own. */
  async function confirmationKey(triage: TriageDeps): Promise<Buffer> {
    const configured = triage.confirmationKey;
    if (typeof configured === 'function') return (await configured()) ?? ownKey;
    return configured ?? ownKey;
  }
  let reasonsCache: { at: number; reasons: RejectReason[] } | null = null;

  function deps() {
    if (!ctx.triage) {
      throw new InvalidInputError({
        message: 'Bug triage is not available on this server',
        reason: 'It was built without the TestIO write endpoints',
        hint: 'Use a server started with TESTIO_ENABLE_WRITES=true',
      });
    }
    return ctx.triage;
  }

  async function rejectReasons(): Promise<RejectReason[]> {
    const now = Date.now();
    if (reasonsCache && now - reasonsCache.at < REASONS_TTL_MS) return reasonsCache.reasons;
    const reasons = await deps().api.listRejectReasons();
    reasonsCache = { at: now, reasons };
    return reasons;
  }

  /** The reason and comment of a rejection (the comment defaults to the reason's default comment). */
  async function resolveRejection(
    request: TriageRequest,
  ): Promise<{ reason: string | null; comment: string | null }> {
    if (request.action !== 'reject') {
      if (request.reason !== undefined || request.comment !== undefined) {
        throw new InvalidInputError({
          field: request.reason !== undefined ? 'reason' : 'comment',
          message: `reason and comment apply to reject only, not ${request.action}`,
          reason: 'Only a rejection sends a reason and a comment to the tester',
          hint: `Call again without reason and comment, or use action=reject`,
        });
      }
      return { reason: null, comment: null };
    }
    const reasons = await rejectReasons();
    const keys = reasons.map((r) => r.key);
    if (request.reason === undefined) {
      throw new InvalidInputError({
        field: 'reason',
        message: 'A rejection needs a reason',
        reason: 'TestIO records why a bug was rejected and tells the tester',
        hint: `Call again with reason set to one of: ${keys.join(', ')}`,
      });
    }
    const key = request.reason.toLowerCase();
    const found = reasons.find((r) => r.key === key);
    if (!found) {
      throw new InvalidInputError({
        field: 'reason',
        message: `'${request.reason.slice(0, 64)}' is not a reject reason of this account`,
        reason: `TestIO's reject reasons are: ${reasons.map((r) => `${r.key} (${r.name})`).join(', ')}`,
        hint: `Call again with one of: ${keys.join(', ')}`,
      });
    }
    return { reason: found.key, comment: request.comment ?? found.defaultComment };
  }

  /** Reads every bug from TestIO and says what the action would do to it. */
  async function plan(request: TriageRequest, reason: string | null): Promise<Planned[]> {
    const { api } = ctx;
    if (!api) {
      throw new InvalidInputError({
        message: 'Bug triage needs the TestIO API, and this server has none configured',
        reason: 'The bugs are read from TestIO before and after every change',
        hint: 'Configure TESTIO_CUSTOMER_API_TOKEN',
      });
    }
    const planned: Planned[] = [];
    for (const bugId of request.bug_ids) {
      let raw: UpstreamBug;
      try {
        raw = await api.getBug(bugId);
      } catch (error) {
        if (error instanceof UpstreamError && error.status === 404) {
          planned.push({
            bugId,
            raw: null,
            outcome: 'refused',
            message: `Bug ${bugId} was not found in TestIO`,
            change: changeText(request.action, null, reason),
          });
          continue;
        }
        throw error;
      }
      const state = stateOf(raw);
      const change = changeText(request.action, state, reason);
      if (request.action === 'reject' && state.status === 'rejected') {
        planned.push({ bugId, raw, outcome: 'refused', message: `Bug ${bugId} is already rejected`, change });
      } else if (request.action === 'accept' && state.status === 'accepted') {
        planned.push({
          bugId,
          raw,
          outcome: 'no_change',
          message: `Bug ${bugId} is already accepted`,
          change,
        });
      } else if (request.action === 'mark_known' && state.known) {
        planned.push({ bugId, raw, outcome: 'no_change', message: `Bug ${bugId} is already known`, change });
      } else {
        planned.push({ bugId, raw, outcome: 'would_change', message: null, change });
      }
    }
    return planned;
  }

  function binding(
    request: TriageRequest,
    actor: TriageActor,
    rejection: { reason: string | null; comment: string | null },
  ): ConfirmationBinding {
    return {
      action: request.action,
      bugIds: request.bug_ids,
      reason: rejection.reason,
      comment: rejection.comment,
      actorId: actor.id,
      tenant: actor.tenant,
    };
  }

  const digestOf = (planned: readonly Planned[]) =>
    stateDigest(planned.map((p) => (p.raw ? `${p.outcome}|${fingerprint(p.raw)}` : `${p.bugId}|missing`)));

  function entry(p: Planned, overrides: Partial<TriageBugOutcome> = {}): TriageBugOutcome {
    return {
      bug_id: p.bugId,
      title: p.raw?.title ?? null,
      before: p.raw ? stateOf(p.raw) : null,
      after: null,
      change: p.change,
      outcome: p.outcome,
      message: p.message,
      upstream_status: null,
      ...overrides,
    };
  }

  /** The first call: what would change, and the token that confirms it. Nothing is written. */
  async function previewTriage(request: TriageRequest, actor: TriageActor): Promise<TriageOutput> {
    const triage = deps();
    const rejection = await resolveRejection(request);
    const planned = await plan(request, rejection.reason);
    refuseSingle(request, planned);
    const changing = planned.filter((p) => p.outcome === 'would_change').length;
    const base = { action: request.action, ...rejection, bugs: planned.map((p) => entry(p)) };
    if (changing === 0) {
      return {
        ...base,
        status: 'done',
        message:
          'Nothing to change: every bug is already in that state, or cannot be changed (see each bug).',
      };
    }
    const ttl = triage.confirmationTtlSeconds ?? DEFAULT_TTL_SECONDS;
    const expiresAt = new Date(clock.now().getTime() + ttl * 1000);
    const token = issueConfirmationToken(
      await confirmationKey(triage),
      binding(request, actor, rejection),
      digestOf(planned),
      expiresAt,
    );
    return {
      ...base,
      status: 'confirmation_required',
      message: `Nothing written yet. ${changing} bug${changing === 1 ? '' : 's'} would change (see each bug's change). Show this preview to the person; only if they agree, call again with the same arguments and confirmation_token (valid ${Math.round(ttl / 60)} minutes).`,
      confirmation_token: token,
      expires_at: expiresAt.toISOString(),
    };
  }

  /** The second call: checks the token and the bugs' state, then writes. */
  async function applyTriage(
    request: TriageRequest,
    actor: TriageActor,
    options: TriageOptions = {},
  ): Promise<TriageOutput> {
    const triage = deps();
    const rejection = await resolveRejection(request);
    const token = request.confirmation_token;
    if (!token) {
      throw new InvalidInputError({
        field: 'confirmation_token',
        message: 'A write needs the confirmation_token of its preview',
        reason: 'Bug triage changes a customer’s data and the testers’ payouts, so every write is confirmed',
        hint: 'Call without confirmation_token to get the preview and its token',
      });
    }
    const previewed = checkConfirmationToken(
      await confirmationKey(triage),
      token,
      binding(request, actor, rejection),
      clock.now(),
    );
    const planned = await plan(request, rejection.reason);
    if (digestOf(planned) !== previewed) {
      refuseSingle(request, planned);
      throw stalePreviewError(
        planned
          .filter((p) => p.outcome === 'would_change' || p.raw)
          .map((p) => p.bugId)
          .slice(0, 10),
      );
    }
    const results: TriageBugOutcome[] = [];
    let stoppedBy: Error | null = null;
    let lastFailure: Error | null = null;
    for (const p of planned) {
      if (p.outcome !== 'would_change' || !p.raw) {
        results.push(entry(p));
        continue;
      }
      if (stoppedBy) {
        results.push(
          entry(p, { outcome: 'skipped', message: 'Not tried: the run stopped at an earlier refusal' }),
        );
        continue;
      }
      const before = stateOf(p.raw);
      const started = Date.now();
      try {
        const answer = await triage.api.triageBug(
          p.bugId,
          request.action,
          request.action === 'reject'
            ? { reason: rejection.reason ?? '', comment: rejection.comment ?? '' }
            : undefined,
        );
        const after = stateOf(answer);
        // The mirror shows TestIO's answer at once: no stale read after a write.
        await triage.bugs.upsertBugs(
          [{ entity: normalizeBug(answer, p.raw.test?.id), raw: answer }],
          clock.now(),
        );
        options.record?.({
          bugId: p.bugId,
          action: request.action,
          before: describeState(before),
          after: describeState(after),
          outcome: 'ok',
          upstreamStatus: 200,
          durationMs: Date.now() - started,
        });
        results.push(
          entry(p, {
            outcome: 'applied',
            after,
            title: answer.title ?? p.raw.title ?? null,
            upstream_status: 200,
          }),
        );
      } catch (error) {
        const failure = describeWriteFailure(error, p.bugId, request.action);
        ctx.logger.info(
          { bugId: p.bugId, action: request.action, status: failure.status },
          'triage write refused',
        );
        options.record?.({
          bugId: p.bugId,
          action: request.action,
          before: describeState(before),
          after: null,
          outcome: failure.outcome,
          upstreamStatus: failure.status,
          durationMs: Date.now() - started,
        });
        results.push(
          entry(p, {
            outcome: 'failed',
            message: safeMessage(failure.error),
            upstream_status: failure.status,
          }),
        );
        lastFailure = failure.error;
        if (failure.stop) stoppedBy = failure.error;
      }
    }
    const applied = results.filter((r) => r.outcome === 'applied').length;
    const failed = results.filter((r) => r.outcome === 'failed').length;
    const out: TriageOutput = {
      action: request.action,
      ...rejection,
      status: stoppedBy ? 'stopped' : 'done',
      message: stoppedBy
        ? `Stopped after ${applied} change${applied === 1 ? '' : 's'}: ${safeMessage(stoppedBy)}. The remaining bugs were skipped.`
        : `${applied} bug${applied === 1 ? '' : 's'} changed${failed > 0 ? `, ${failed} refused by TestIO (see each bug)` : ''}. The mirror shows the new state.`,
      bugs: results,
    };
    // One bug that TestIO refused: the answer is the error itself, in the three-part form.
    if (request.bug_ids.length === 1 && lastFailure) throw lastFailure;
    return out;
  }

  return { previewTriage, applyTriage, rejectReasons };
}
