import { DEFAULT_TENANT } from '@testio-mcp/domain';
import type { TriageOutput, TriageRequest, TriageWriteEvent } from '@testio-mcp/services';
import type { ToolContext } from './define-tool.js';

/**
 * The confirmation every triage tool shares (ADR 0032). With a token: check it and write. Without one:
 * the preview; a client that supports elicitation is then asked, in the person's own words of the
 * change (bug title, current state, the change), and the write happens only on a yes. Other clients get
 * the preview and its token back, to confirm with a second call.
 */

const MAX_LISTED = 10;

function question(preview: TriageOutput): string {
  const changing = preview.bugs.filter((b) => b.outcome === 'would_change');
  const lines = changing
    .slice(0, MAX_LISTED)
    .map(
      (b) =>
        `• Bug ${b.bug_id} “${(b.title ?? '').slice(0, 120)}” (now ${b.before?.status ?? '?'}): ${b.change}`,
    );
  if (changing.length > MAX_LISTED) lines.push(`• …and ${changing.length - MAX_LISTED} more`);
  const comment = preview.comment ? `\nComment to the tester: “${preview.comment.slice(0, 300)}”` : '';
  return `Change ${changing.length} bug${changing.length === 1 ? '' : 's'} in TestIO?\n${lines.join('\n')}${comment}`;
}

export async function runTriage(
  request: TriageRequest,
  ctx: ToolContext,
  tool: string,
): Promise<TriageOutput> {
  const actor = { id: ctx.principal?.id ?? 'local', tenant: ctx.principal?.tenant ?? DEFAULT_TENANT };
  const record = (event: TriageWriteEvent): void =>
    ctx.recordWrite({
      action: `${tool} bug ${event.bugId}: ${event.before} → ${event.after ?? 'unchanged'}`,
      outcome: event.outcome,
      status: event.upstreamStatus,
      durationMs: event.durationMs,
    });
  if (request.confirmation_token) return ctx.services.applyTriage(request, actor, { record });
  const preview = await ctx.services.previewTriage(request, actor);
  if (preview.status !== 'confirmation_required' || !ctx.elicitation.supported) return preview;
  const answer = await ctx.elicitation.confirm(question(preview), 'Yes, make this change in TestIO');
  const { confirmation_token: token, expires_at: _expires, ...shown } = preview;
  if (answer.action !== 'accept' || !token) {
    return {
      ...shown,
      status: 'cancelled',
      message: 'The person did not confirm: nothing was written. Ask again only if they want the change.',
    };
  }
  return ctx.services.applyTriage({ ...request, confirmation_token: token }, actor, { record });
}

/** The part of every triage tool's description about confirmation. */
export const CONFIRMATION_TEXT =
  'Confirmed before writing: the person is asked (elicitation), or the first call returns a preview and confirmation_token and a second call with the same arguments and the token writes; confirm only on their yes. Operator role; audited.';
