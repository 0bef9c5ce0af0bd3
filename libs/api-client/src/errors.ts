import { UpstreamError, upstreamErrorBody, type UpstreamOperation } from '@testio-mcp/domain';
import { redactSecrets, sanitizeExcerpt } from './redact.js';

/** Longest upstream `{"error"}` message we repeat to the user; longer ones are left out. */
export const MAX_UPSTREAM_MESSAGE_LENGTH = 200;

export type UpstreamFailure =
  /** The API answered with a non-2xx status. */
  | {
      kind: 'http';
      status: number;
      upstreamMessage?: string;
      retryAfterSeconds?: number;
      maxRetryAfterSeconds?: number;
    }
  /** No answer within the per-request timeout (pseudo-status 408). */
  | { kind: 'timeout'; timeoutMs: number }
  /** The connection failed (pseudo-status 0); `code` is the system error code, e.g. `ECONNREFUSED`. */
  | { kind: 'network'; code?: string }
  /** A 2xx answer whose body is not the JSON object we expect. */
  | { kind: 'malformed'; status: number; expected: string; problem: string };

export interface CreateUpstreamErrorInput {
  readonly operation: UpstreamOperation;
  readonly failure: UpstreamFailure;
  readonly attempts?: number;
  /** Strings to scrub from every text (the API token). */
  readonly secrets?: readonly string[];
}

const RETRY_LATER_HINT = 'Please try again later. If the issue persists, contact TestIO support.';

function describeOperation(op: UpstreamOperation): string {
  return `${op.method.toUpperCase()} ${op.path}`;
}

function afterAttempts(attempts: number): string {
  return attempts > 1 ? ` after ${attempts} attempts` : '';
}

/**
 * Builds the `UpstreamError` for a failed TestIO call, with the three-part texts (what, why, what
 * next). Every text is ours; the only upstream text ever included is a short, sanitised `{"error"}`
 * message of a 400/422. All texts are scrubbed of `secrets`.
 */
export function createUpstreamError(input: CreateUpstreamErrorInput): UpstreamError {
  const { operation, failure } = input;
  const attempts = input.attempts ?? 1;
  const op = describeOperation(operation);
  let status: number;
  let message: string;
  let reason: string;
  let hint: string;
  let retryAfterSeconds: number | undefined;

  switch (failure.kind) {
    case 'timeout':
      status = 408;
      message = `Request timeout (HTTP 408) for ${op}${afterAttempts(attempts)}`;
      reason = `TestIO did not answer within ${formatSeconds(failure.timeoutMs)}; the API may be slow or experiencing issues`;
      hint = `${RETRY_LATER_HINT} If the API is just slow, raise the HTTP timeout.`;
      break;
    case 'network':
      status = 0;
      message = `Could not reach the TestIO API for ${op}${afterAttempts(attempts)}`;
      reason = `The connection failed${failure.code && /^[A-Z0-9_]{2,40}$/.test(failure.code) ? ` (${failure.code})` : ''}`;
      hint = 'Check the network connection and TESTIO_CUSTOMER_API_BASE_URL, then try again.';
      break;
    case 'malformed':
      status = failure.status;
      message = `TestIO returned a malformed response for ${op}: expected ${failure.expected}`;
      reason = failure.problem;
      hint = `This is likely a transient TestIO fault or an API change. ${RETRY_LATER_HINT}`;
      break;
    case 'http': {
      status = failure.status;
      ({ message, reason, hint, retryAfterSeconds } = describeHttpFailure(failure, op, attempts));
      break;
    }
  }

  const secrets = input.secrets ?? [];
  return new UpstreamError({
    status,
    operation,
    attempts,
    retryAfterSeconds,
    message: redactSecrets(message, secrets),
    reason: redactSecrets(reason, secrets),
    hint: redactSecrets(hint, secrets),
  });
}

function describeHttpFailure(
  failure: Extract<UpstreamFailure, { kind: 'http' }>,
  op: string,
  attempts: number,
): { message: string; reason: string; hint: string; retryAfterSeconds?: number } {
  const { status } = failure;
  const upstream = failure.upstreamMessage ? `: ${failure.upstreamMessage}` : '';
  if (status === 401) {
    return {
      message: `Customer API authentication failed (HTTP 401 Unauthorized) for ${op}`,
      reason: 'Your API token is invalid or has expired',
      hint: 'Check TESTIO_CUSTOMER_API_TOKEN (or run `testio-mcp setup`)',
    };
  }
  if (status === 403) {
    return {
      message: `Access forbidden (HTTP 403 Forbidden) for ${op}`,
      reason: 'Your API token does not have permission to access this resource',
      hint: 'Contact your TestIO administrator to verify your API token permissions',
    };
  }
  if (status === 404) {
    return {
      message: `Resource not found (HTTP 404 Not Found) for ${op}`,
      reason: 'It may not exist, or it is not visible to this account',
      hint: 'Check the id; list the available products, tests or bugs to find a valid one',
    };
  }
  if (status === 429) {
    const wait = failure.retryAfterSeconds ?? 30;
    const cap = failure.maxRetryAfterSeconds;
    const beyondCap = cap !== undefined && wait > cap;
    return {
      message: `Rate limit reached (HTTP 429 Too Many Requests) for ${op}${afterAttempts(attempts)}`,
      reason: beyondCap
        ? `You've made too many requests to the TestIO API; it asked to wait ${wait} seconds, longer than this client waits on its own (${cap} seconds)`
        : "You've made too many requests to the TestIO API",
      hint: `Please wait ${wait} seconds before retrying. Consider reducing query frequency.`,
      retryAfterSeconds: wait,
    };
  }
  if (status === 400 || status === 422) {
    return {
      message: `TestIO rejected the request (HTTP ${status}${status === 422 ? ' Unprocessable Entity' : ' Bad Request'}) for ${op}${upstream}`,
      reason:
        status === 422
          ? 'TestIO could not process the request; on a product with sections this usually means a section id is required'
          : 'TestIO considered the request parameters invalid',
      hint: 'Check the ids and parameters of the request; for products with sections, query per section',
    };
  }
  if (status >= 500) {
    return {
      message: `TestIO API error (HTTP ${status}) for ${op}${afterAttempts(attempts)}`,
      reason: 'The TestIO API may be slow or experiencing issues',
      hint: RETRY_LATER_HINT,
    };
  }
  return {
    message: `TestIO answered HTTP ${status} for ${op}${upstream}`,
    reason: 'The TestIO API refused the request',
    hint: RETRY_LATER_HINT,
  };
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}

/**
 * The upstream `{"error": "..."}` message, only when the body has that shape and the message is short:
 * sanitised (one line, no control characters, secrets redacted). Anything else yields `undefined`.
 */
export function extractUpstreamMessage(body: unknown, secrets: readonly string[] = []): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const result = upstreamErrorBody.safeParse(parsed);
  if (!result.success) return undefined;
  const text = sanitizeExcerpt(result.data.error, MAX_UPSTREAM_MESSAGE_LENGTH + 1, secrets);
  if (text === '' || text.length > MAX_UPSTREAM_MESSAGE_LENGTH) return undefined;
  return text;
}
