import { Body, Controller, Header, Path, Post, Response, Route, Security, Tags } from '@tsoa/runtime';
import {
  parseInput,
  triageBugsInputSchema,
  type Services,
  type TriageActor,
  type TriageOptions,
  type TriageRequest,
} from '@testio-mcp/services';
import type { ErrorBody } from '../dto/error.js';
import type { Id } from '../dto/params.js';
import type { RejectBugRequest, TriageBugsRequest, TriageResponse } from '../dto/triage.js';

/** The header that carries a preview's confirmation token back. */
export const CONFIRMATION_HEADER = 'X-Confirmation-Token';

/**
 * Bug triage (ADR 0032), the twins of the MCP triage tools. Served only with TESTIO_ENABLE_WRITES=true
 * (otherwise 403 `writes_disabled`), never under --read-only, for operators and admins. Every write is
 * confirmed: a request without `X-Confirmation-Token` answers the preview (nothing written) with the
 * token in that header and the body; the same request with the header writes.
 */
@Route('api/bugs')
@Security('bearer')
@Security('apiKey')
@Tags('Triage')
@Response<ErrorBody>(401, 'Missing or invalid API key')
@Response<ErrorBody>(403, 'Writes are off on this server, it is read-only, or the key is not an operator')
@Response<ErrorBody>(409, 'The bug cannot be changed so (already rejected), or the preview is stale')
@Response<ErrorBody>(422, 'Invalid or expired confirmation token, unknown reject reason')
@Response<ErrorBody>(429, 'Rate limit exceeded (see Retry-After)')
@Response<ErrorBody>(502, 'TestIO refused the write (e.g. the token may not triage)')
@Response<ErrorBody>(503, 'TestIO rate limited the write or is unavailable')
export class TriageController extends Controller {
  constructor(
    private readonly services: Services,
    private readonly actor: TriageActor,
    private readonly options: TriageOptions,
  ) {
    super();
  }

  /**
   * Accepts a bug in TestIO (the same as the MCP tool `accept_bug`). Without the header: the preview.
   * @summary Accept a bug (accept_bug)
   * @param bug_id Bug id (from list_bugs or search), e.g. 12345.
   */
  @Post('{bug_id}/accept')
  public async acceptBug(
    @Path() bug_id: Id,
    @Header('X-Confirmation-Token') token?: string,
  ): Promise<TriageResponse> {
    return this.run({ action: 'accept', bug_ids: [bug_id] }, token);
  }

  /**
   * Rejects a bug with a reason and a comment (the same as the MCP tool `reject_bug`). Without the
   * header: the preview.
   * @summary Reject a bug (reject_bug)
   * @param bug_id Bug id (from list_bugs or search), e.g. 12345.
   */
  @Post('{bug_id}/reject')
  public async rejectBug(
    @Path() bug_id: Id,
    @Body() body: RejectBugRequest,
    @Header('X-Confirmation-Token') token?: string,
  ): Promise<TriageResponse> {
    return this.run(
      {
        action: 'reject',
        bug_ids: [bug_id],
        reason: body.reason,
        ...(body.comment ? { comment: body.comment } : {}),
      },
      token,
    );
  }

  /**
   * Marks a bug as known (the same as the MCP tool `mark_bug_known`). Without the header: the preview.
   * @summary Mark a bug as known (mark_bug_known)
   * @param bug_id Bug id (from list_bugs or search), e.g. 12345.
   */
  @Post('{bug_id}/mark_known')
  public async markBugKnown(
    @Path() bug_id: Id,
    @Header('X-Confirmation-Token') token?: string,
  ): Promise<TriageResponse> {
    return this.run({ action: 'mark_known', bug_ids: [bug_id] }, token);
  }

  /**
   * Marks a bug as fixed (the same as the MCP tool `mark_bug_fixed`). Without the header: the preview.
   * @summary Mark a bug as fixed (mark_bug_fixed)
   * @param bug_id Bug id (from list_bugs or search), e.g. 12345.
   */
  @Post('{bug_id}/mark_fixed')
  public async markBugFixed(
    @Path() bug_id: Id,
    @Header('X-Confirmation-Token') token?: string,
  ): Promise<TriageResponse> {
    return this.run({ action: 'mark_fixed', bug_ids: [bug_id] }, token);
  }

  /**
   * One action over up to 50 bugs, with an outcome per bug (the same as the MCP tool `triage_bugs`);
   * stops at a refusal that would repeat (TestIO's rate limit, not allowed). Without the header: the preview.
   * @summary Triage several bugs (triage_bugs)
   */
  @Post('triage')
  public async triageBugs(
    @Body() body: TriageBugsRequest,
    @Header('X-Confirmation-Token') token?: string,
  ): Promise<TriageResponse> {
    const input = parseInput(triageBugsInputSchema, body, 'triage_bugs');
    return this.run(
      {
        action: input.action,
        bug_ids: input.bug_ids,
        ...(input.reason ? { reason: input.reason } : {}),
        ...(input.comment ? { comment: input.comment } : {}),
      },
      token,
    );
  }

  private async run(request: TriageRequest, token: string | undefined): Promise<TriageResponse> {
    if (token) {
      return this.services.applyTriage(
        { ...request, confirmation_token: token.trim() },
        this.actor,
        this.options,
      );
    }
    const preview = await this.services.previewTriage(request, this.actor);
    if (preview.confirmation_token) this.setHeader(CONFIRMATION_HEADER, preview.confirmation_token);
    return preview;
  }
}
