/** One offending request field of a validation error. */
export interface ErrorField {
  /**
   * The parameter or body property, dotted for nested values.
   * @example "per_page"
   */
  field: string;
  /** Where the value came from. */
  in?: 'query' | 'path' | 'body' | 'header';
  /** @example "must be at most 200" */
  message: string;
}

/** The error itself. */
export interface ErrorDetail {
  /**
   * Stable, machine-readable error class: `invalid_input`, `validation_failed`, `invalid_json`,
   * `not_found`, `conflict`, `unauthorized`, `rate_limited`, `payload_too_large`, `upstream_error`,
   * `upstream_unavailable`, `upstream_unauthorized`, `upstream_forbidden`, `upstream_rate_limited`,
   * `database_busy`, `service_unavailable`, `internal_error`.
   * @example "not_found"
   */
  code: string;
  /**
   * What went wrong, with the offending value.
   * @example "Product ID '99999' not found"
   */
  message: string;
  /**
   * What to do next, or null.
   * @example "Use GET /api/products to see available products"
   */
  hint: string | null;
  /** Why it happened, as far as the server knows. */
  reason?: string;
  /**
   * The request id (from `X-Request-Id`, or generated); quote it when reporting a problem.
   * @example "8d3c7d1e-4d6c-4a0e-9f8e-0a1b2c3d4e5f"
   */
  request_id: string;
  /** Validation errors only: every offending field. */
  fields?: ErrorField[];
}

/** Every error response has this body; no stack traces, no upstream or database messages. */
export interface ErrorBody {
  error: ErrorDetail;
}
