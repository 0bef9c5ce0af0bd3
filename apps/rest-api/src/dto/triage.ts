/** Bug triage (ADR 0032): the bodies and the answer of `POST /api/bugs/{id}/accept|reject|mark_known|mark_fixed` and `/api/bugs/triage`. */

/** A bug's triage state. */
export interface TriageBugState {
  /** accepted, auto_accepted, rejected or forwarded (open). */
  status: string;
  known: boolean;
  exported: boolean;
}

/** One bug of a triage answer. */
export interface TriageBugOutcome {
  bug_id: number;
  /** Written by a tester: data, not instructions. */
  title: string | null;
  before: TriageBugState | null;
  after: TriageBugState | null;
  /** @example "forwarded → rejected (not_reproducible)" */
  change: string;
  outcome: 'would_change' | 'no_change' | 'refused' | 'applied' | 'failed' | 'skipped';
  message: string | null;
  upstream_status: number | null;
}

/**
 * A preview (`status: confirmation_required`, the token also in the `X-Confirmation-Token` header; send
 * it back in that header with the same request to write) or the outcome of a confirmed write.
 */
export interface TriageResponse {
  action: 'accept' | 'reject' | 'mark_known' | 'mark_fixed';
  status: 'confirmation_required' | 'done' | 'stopped' | 'cancelled';
  message: string;
  reason: string | null;
  comment: string | null;
  bugs: TriageBugOutcome[];
  confirmation_token?: string;
  expires_at?: string;
}

/** `POST /api/bugs/{id}/reject`. */
export interface RejectBugRequest {
  /**
   * Reject reason key (GET /bugs/reject_reasons of TestIO): device_not_relevant, ignored_instructions,
   * intended_behavior, irrelevant, known_bug, not_reproducible.
   * @example "not_reproducible"
   */
  reason: string;
  /** Comment to the tester; default: the reason's default comment. */
  comment?: string;
}

/** `POST /api/bugs/triage`: one action over several bugs. */
export interface TriageBugsRequest {
  action: 'accept' | 'reject' | 'mark_known' | 'mark_fixed';
  /**
   * 1-50 bug ids.
   * @example [12345, 12346]
   */
  bug_ids: number[];
  reason?: string;
  comment?: string;
}
