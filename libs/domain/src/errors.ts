/**
 * Domain errors every surface maps: MCP turns them into `isError` results in the three-part format,
 * REST into status codes with `{ error: { code, message, hint } }`. Messages are written by us, never
 * copied from an upstream body or a database driver, so they are safe to show to a user or a model.
 */

export type DomainErrorCode =
  | 'not_found'
  | 'invalid_input'
  | 'conflict'
  | 'database_busy'
  | 'upstream_error'
  | 'upstream_unavailable'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited';

export interface DomainErrorDetails {
  /** What went wrong, with the offending value. */
  readonly message: string;
  /** Why it happened, as far as we know. */
  readonly reason?: string;
  /** What the user can do next, naming a tool or command when one helps. */
  readonly hint?: string;
  readonly cause?: unknown;
}

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  readonly reason: string | undefined;
  readonly hint: string | undefined;

  protected constructor(details: DomainErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.reason = details.reason;
    this.hint = details.hint;
  }

  /** The three-part text (❌ what, ℹ️ why, 💡 what next) shown to people and models. */
  toUserText(): string {
    return formatThreePart(this.message, this.reason, this.hint);
  }
}

export function formatThreePart(what: string, why?: string, next?: string): string {
  return [`❌ ${what}`, why ? `ℹ️ ${why}` : undefined, next ? `💡 ${next}` : undefined]
    .filter((line): line is string => line !== undefined)
    .join('\n');
}

export type EntityKind =
  'product' | 'test' | 'bug' | 'feature' | 'user' | 'user_story' | 'section' | 'sync_run';

/** The tool or command that lists valid ids of each entity, so a not-found error can point to it. */
export const ENTITY_LISTING_TOOL: Record<EntityKind, string> = {
  product: 'list_products',
  test: 'list_tests',
  bug: 'list_bugs',
  feature: 'list_features',
  user: 'list_users',
  user_story: 'list_features',
  section: 'list_products',
  sync_run: 'get_server_diagnostics',
};

const ENTITY_LABEL: Record<EntityKind, string> = {
  product: 'Product',
  test: 'Test',
  bug: 'Bug',
  feature: 'Feature',
  user: 'User',
  user_story: 'User story',
  section: 'Section',
  sync_run: 'Sync run',
};

export class NotFoundError extends DomainError {
  readonly code = 'not_found' as const;
  readonly entity: EntityKind;
  readonly id: string | number;

  constructor(entity: EntityKind, id: string | number, details: Partial<DomainErrorDetails> = {}) {
    super({
      message: details.message ?? `${ENTITY_LABEL[entity]} ID '${id}' not found`,
      reason:
        details.reason ??
        `This ${entity.replace('_', ' ')} may not exist, or it is not visible to this account`,
      hint:
        details.hint ??
        `Use the ${ENTITY_LISTING_TOOL[entity]} tool to see available ${entity.replace('_', ' ')}s`,
      cause: details.cause,
    });
    this.entity = entity;
    this.id = id;
  }
}

export class ProductNotFoundError extends NotFoundError {
  constructor(productId: number | string, details: Partial<DomainErrorDetails> = {}) {
    super('product', productId, details);
  }
}
export class TestNotFoundError extends NotFoundError {
  constructor(testId: number | string, details: Partial<DomainErrorDetails> = {}) {
    super('test', testId, details);
  }
}
export class BugNotFoundError extends NotFoundError {
  constructor(bugId: number | string, details: Partial<DomainErrorDetails> = {}) {
    super('bug', bugId, details);
  }
}
export class FeatureNotFoundError extends NotFoundError {
  constructor(featureId: number | string, details: Partial<DomainErrorDetails> = {}) {
    super('feature', featureId, details);
  }
}
export class UserNotFoundError extends NotFoundError {
  constructor(userId: number | string, details: Partial<DomainErrorDetails> = {}) {
    super('user', userId, details);
  }
}

export interface InvalidInputIssue {
  /** Dotted path of the offending field, e.g. `product_ids.2`. */
  readonly field: string;
  readonly message: string;
}

export class InvalidInputError extends DomainError {
  readonly code = 'invalid_input' as const;
  readonly field: string | undefined;
  readonly issues: readonly InvalidInputIssue[];

  constructor(details: DomainErrorDetails & { field?: string; issues?: readonly InvalidInputIssue[] }) {
    super(details);
    this.field = details.field;
    this.issues =
      details.issues ?? (details.field ? [{ field: details.field, message: details.message }] : []);
  }
}

export class ConflictError extends DomainError {
  readonly code = 'conflict' as const;
  constructor(details: DomainErrorDetails) {
    super(details);
  }
}

/**
 * The mirror's database stayed locked by another writer for longer than its busy timeout (another sync, a
 * long migration, an external tool holding a transaction). Retrying later usually succeeds. Persistence
 * raises it with its engine's wording; surfaces map the code (REST: 503 with Retry-After) without knowing
 * the engine.
 */
export class DatabaseBusyError extends DomainError {
  readonly code = 'database_busy' as const;
  constructor(details: DomainErrorDetails) {
    super(details);
  }
}

/** What the client was doing when the upstream call failed; never contains the token. */
export interface UpstreamOperation {
  readonly method: string;
  /** Path relative to the API base, query included, e.g. `products/598/exploratory_tests?page=3`. */
  readonly path: string;
}

/**
 * A failed call to the TestIO API. `status` is the HTTP status, or 0 for a network failure and 408
 * for a timeout (the reference's convention).
 */
export class UpstreamError extends DomainError {
  readonly code: DomainErrorCode;
  readonly status: number;
  readonly operation: UpstreamOperation;
  readonly retryAfterSeconds: number | undefined;
  readonly attempts: number;

  constructor(
    details: DomainErrorDetails & {
      status: number;
      operation: UpstreamOperation;
      retryAfterSeconds?: number;
      attempts?: number;
    },
  ) {
    super(details);
    this.status = details.status;
    this.operation = details.operation;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.attempts = details.attempts ?? 1;
    this.code = upstreamCode(details.status);
  }

  /** Serialises without the cause chain, which may hold request configuration. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      reason: this.reason,
      hint: this.hint,
      operation: this.operation,
      retryAfterSeconds: this.retryAfterSeconds,
      attempts: this.attempts,
    };
  }
}

function upstreamCode(status: number): DomainErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'rate_limited';
  if (status === 0 || status === 408 || status >= 500) return 'upstream_unavailable';
  return 'upstream_error';
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
