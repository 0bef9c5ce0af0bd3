import { ValidateError } from '@tsoa/runtime';
import {
  InvalidInputError,
  isDomainError,
  NotFoundError,
  UpstreamError,
  type DomainError,
} from '@testio-mcp/domain';
import type { ErrorBody, ErrorField } from '../dto/error.js';

/**
 * The one mapping from failures to HTTP answers. Messages are ours (domain errors are written to be
 * shown), never a driver's, an upstream body or a stack trace.
 */

/** An error the HTTP layer raises itself (auth, rate limit, body parsing, unknown route). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly fields?: readonly ErrorField[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorResponse {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
  /** Unexpected failures are logged with their stack; expected ones only as a line. */
  readonly unexpected: boolean;
}

export type ParameterLocation = 'query' | 'path' | 'header';

interface RequestLike {
  readonly query?: unknown;
  /** Where each parameter of the matched operation comes from (from the OpenAPI document). */
  readonly locations?: Readonly<Record<string, ParameterLocation>>;
}

/** tsoa's type messages, in words a caller understands. */
function friendlier(message: string): string {
  if (/^invalid (integer|long) number$/.test(message)) return 'expected a whole number';
  if (/^invalid (float|double) number$/.test(message)) return 'expected a number';
  return message;
}

function body(
  code: string,
  message: string,
  requestId: string,
  extra: {
    hint?: string | null | undefined;
    reason?: string | undefined;
    fields?: readonly ErrorField[] | undefined;
  } = {},
): ErrorBody {
  return {
    error: {
      code,
      message,
      hint: extra.hint ?? null,
      ...(extra.reason ? { reason: extra.reason } : {}),
      request_id: requestId,
      ...(extra.fields ? { fields: [...extra.fields] } : {}),
    },
  };
}

function validateErrorFields(error: ValidateError, req: RequestLike): ErrorField[] {
  return Object.entries(error.fields).map(([name, detail]) => {
    const message = friendlier(detail.message);
    if (name === 'body' || name.startsWith('body.')) {
      return { field: name === 'body' ? '(body)' : name.slice('body.'.length), in: 'body' as const, message };
    }
    // Array items are reported as `name.$0`.
    const base = name.replace(/\.\$\d+$/, '');
    const query = (req.query ?? {}) as Record<string, unknown>;
    const where = req.locations?.[base] ?? (base in query ? ('query' as const) : undefined);
    return { field: name, ...(where ? { in: where } : {}), message };
  });
}

function upstreamResponse(error: UpstreamError, requestId: string): ErrorResponse {
  const retry: Record<string, string> = error.retryAfterSeconds
    ? { 'Retry-After': String(Math.ceil(error.retryAfterSeconds)) }
    : {};
  const table: Record<string, { status: number; code: string }> = {
    unauthorized: { status: 502, code: 'upstream_unauthorized' },
    forbidden: { status: 502, code: 'upstream_forbidden' },
    rate_limited: { status: 503, code: 'upstream_rate_limited' },
    upstream_unavailable: { status: 503, code: 'upstream_unavailable' },
    upstream_error: { status: 502, code: 'upstream_error' },
  };
  const mapped = table[error.code] ?? { status: 502, code: 'upstream_error' };
  return {
    status: mapped.status,
    body: body(mapped.code, error.message, requestId, { hint: error.hint, reason: error.reason }),
    headers: retry,
    unexpected: false,
  };
}

function domainResponse(error: DomainError, requestId: string): ErrorResponse {
  if (error instanceof UpstreamError) return upstreamResponse(error, requestId);
  if (error.code === 'database_busy') {
    return {
      status: 503,
      body: body('database_busy', error.message, requestId, { hint: error.hint, reason: error.reason }),
      headers: { 'Retry-After': '5' },
      unexpected: false,
    };
  }
  const extra = { hint: error.hint, reason: error.reason };
  switch (error.code) {
    case 'invalid_input': {
      const fields =
        error instanceof InvalidInputError && error.issues.length > 0
          ? error.issues.map((i) => ({ field: i.field, message: i.message }))
          : undefined;
      return {
        status: 400,
        body: body('invalid_input', error.message, requestId, { ...extra, fields }),
        headers: {},
        unexpected: false,
      };
    }
    case 'not_found':
      return {
        status: 404,
        body: body('not_found', error.message, requestId, { ...extra, hint: restHint(error) }),
        headers: {},
        unexpected: false,
      };
    case 'conflict':
      return {
        status: 409,
        body: body('conflict', error.message, requestId, extra),
        headers: {},
        unexpected: false,
      };
    case 'rate_limited':
      return {
        status: 503,
        body: body('upstream_rate_limited', error.message, requestId, extra),
        headers: {},
        unexpected: false,
      };
    case 'unauthorized':
    case 'forbidden':
      return {
        status: 502,
        body: body(`upstream_${error.code}`, error.message, requestId, extra),
        headers: {},
        unexpected: false,
      };
    case 'upstream_unavailable':
      return {
        status: 503,
        body: body('upstream_unavailable', error.message, requestId, extra),
        headers: {},
        unexpected: false,
      };
    case 'upstream_error':
    default:
      return {
        status: 502,
        body: body('upstream_error', error.message, requestId, extra),
        headers: {},
        unexpected: false,
      };
  }
}

/** Not-found hints name MCP tools; REST callers get the endpoint instead. */
const LISTING_ENDPOINT: Record<string, string> = {
  product: 'GET /api/products',
  test: 'GET /api/products/{product_id}/tests',
  bug: 'GET /api/bugs?test_ids=...',
  feature: 'GET /api/products/{product_id}/features',
  user: 'GET /api/users',
  user_story: 'GET /api/products/{product_id}/user_stories',
  section: 'GET /api/products',
  sync_run: 'GET /api/sync/history',
};

function restHint(error: DomainError): string | undefined {
  if (!(error instanceof NotFoundError)) return error.hint;
  const endpoint = LISTING_ENDPOINT[error.entity];
  return endpoint ? `Use ${endpoint} to see available ${error.entity.replace('_', ' ')}s` : error.hint;
}

/** Body-parser errors carry `type` and `status`. */
function bodyParserResponse(
  error: { type?: unknown; status?: unknown },
  requestId: string,
): ErrorResponse | null {
  if (error.type === 'entity.too.large') {
    return {
      status: 413,
      body: body('payload_too_large', 'The request body is larger than this server accepts', requestId, {
        hint: 'Send a smaller body (see TESTIO_REST_BODY_LIMIT)',
      }),
      headers: {},
      unexpected: false,
    };
  }
  if (error.type === 'entity.parse.failed') {
    return {
      status: 400,
      body: body('invalid_json', 'The request body is not valid JSON', requestId, {
        hint: 'Send a JSON object with Content-Type: application/json',
      }),
      headers: {},
      unexpected: false,
    };
  }
  if (
    typeof error.type === 'string' &&
    typeof error.status === 'number' &&
    error.status >= 400 &&
    error.status < 500
  ) {
    return {
      status: error.status,
      body: body('invalid_input', 'The request body could not be read', requestId, {
        hint: 'Send a JSON object with Content-Type: application/json',
      }),
      headers: {},
      unexpected: false,
    };
  }
  return null;
}

export function toErrorResponse(error: unknown, requestId: string, req: RequestLike = {}): ErrorResponse {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: body(error.code, error.message, requestId, { hint: error.hint, fields: error.fields }),
      headers: error.headers,
      unexpected: false,
    };
  }
  if (error instanceof ValidateError) {
    const fields = validateErrorFields(error, req);
    const first = fields[0];
    return {
      status: 422,
      body: body(
        'validation_failed',
        first
          ? `Invalid ${first.in ? `${first.in} ` : ''}parameter '${first.field}': ${first.message}`
          : 'The request does not match the API schema',
        requestId,
        { hint: 'Check the parameter types and ranges in /openapi.json (or /docs)', fields },
      ),
      headers: {},
      unexpected: false,
    };
  }
  if (isDomainError(error)) return domainResponse(error, requestId);
  if (error instanceof URIError) {
    // Express cannot decode a path such as /api/products/%zz: the client sent a broken URL.
    return {
      status: 400,
      body: body('invalid_input', 'The request path is not valid percent-encoding', requestId, {
        hint: 'Encode path values with encodeURIComponent; ids are whole numbers such as 598',
      }),
      headers: {},
      unexpected: false,
    };
  }
  if (typeof error === 'object' && error !== null) {
    const parsed = bodyParserResponse(error as { type?: unknown; status?: unknown }, requestId);
    if (parsed) return parsed;
  }
  return {
    status: 500,
    body: body('internal_error', 'Internal server error', requestId, {
      hint: `This is a bug; report it with the request id ${requestId}`,
    }),
    headers: {},
    unexpected: true,
  };
}
