import type { z } from 'zod';
import type { UpstreamOperation } from '@testio-mcp/domain';
import { createUpstreamError } from './errors.js';
import { sanitizeExcerpt } from './redact.js';

const MAX_ISSUES_SHOWN = 3;
const EXCERPT_LENGTH = 60;

export interface ParseContext {
  readonly operation: UpstreamOperation;
  readonly status: number;
  readonly attempts: number;
  /** What a valid body looks like, e.g. "an object with `products` (a list of products)". */
  readonly expected: string;
  readonly secrets: readonly string[];
}

/**
 * Parses and validates a response body (raw text, or an already-decoded value). Throws a malformed-
 * response `UpstreamError` when the body is not JSON, is truncated, is not an object, or does not
 * match the schema. Only a short, sanitised excerpt of the body ever reaches the error.
 */
export function parseResponseBody<S extends z.ZodType>(
  body: unknown,
  schema: S,
  ctx: ParseContext,
): z.output<S> {
  const fail = (problem: string) =>
    createUpstreamError({
      operation: ctx.operation,
      attempts: ctx.attempts,
      secrets: ctx.secrets,
      failure: { kind: 'malformed', status: ctx.status, expected: ctx.expected, problem },
    });

  let value: unknown = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString();
    if (text.trim() === '') throw fail('The response body was empty');
    try {
      value = JSON.parse(text);
    } catch {
      const excerpt = sanitizeExcerpt(text, EXCERPT_LENGTH, ctx.secrets);
      const looksTruncated = /^\s*[[{]/.test(text);
      throw fail(
        looksTruncated
          ? `The body is not valid JSON: it looks truncated (${text.length} characters received)`
          : `The body is not JSON (it starts with "${excerpt}")`,
      );
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail(
      `The body is JSON but not an object: got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
    );
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const shown = issues
    .slice(0, MAX_ISSUES_SHOWN)
    .map(
      (issue) =>
        `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${sanitizeExcerpt(issue.message, 120)}`,
    )
    .join('; ');
  const more =
    issues.length > MAX_ISSUES_SHOWN ? ` (and ${issues.length - MAX_ISSUES_SHOWN} more issues)` : '';
  throw fail(`The body does not match the expected shape: ${shown}${more}`);
}
