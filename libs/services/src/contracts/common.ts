import { z } from 'zod';
import {
  coerceId,
  InvalidInputError,
  isDomainError,
  parseIdList,
  parseStringList,
  type InvalidInputIssue,
} from '@testio-mcp/domain';

/**
 * Building blocks of the operation contracts. Inputs are forgiving where AI clients are sloppy (ids as
 * numbers or numeric strings, lists as arrays, JSON-array strings or comma strings, numbers as numeric
 * strings) and strict about everything else. Transforms report problems as zod issues, never by
 * throwing, so one parse lists every bad field.
 */

/** Upper bound of `per_page` for every list except `list_products`. */
export const MAX_PAGE_SIZE = 200;
/** `TESTIO_DEFAULT_PAGE_SIZE` when the settings do not say otherwise. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PRODUCT_PAGE_SIZE = 100;
export const DEFAULT_PRODUCT_PAGE_SIZE = 50;
/** Most test ids one `list_bugs` call may scope to (each 15 ids cost one upstream call on refresh). */
export const MAX_SCOPED_TEST_IDS = 100;

function issueFrom(ctx: z.RefinementCtx, error: unknown): typeof z.NEVER {
  if (isDomainError(error)) {
    ctx.addIssue({ code: 'custom', message: [error.message, error.reason].filter(Boolean).join('. ') });
    return z.NEVER;
  }
  throw error;
}

/** Strips a leading `field: ` that the domain parsers put in front of their messages. */
function withoutField(message: string, field: string): string {
  return message.startsWith(`${field}`) ? message.replace(/^[^:]*:\s*/, '') : message;
}

/**
 * Issue message of a required argument that was not given. zod's own is a bare "Invalid input" (or
 * "expected string, received undefined"), which does not tell a model what to fix.
 */
export const REQUIRED_ARGUMENT_MESSAGE = 'Required argument is missing';

/** zod `error` option: the missing-argument message when the value is absent, zod's default otherwise. */
export function requiredError(issue: { input?: unknown }): string | undefined {
  return issue.input === undefined ? REQUIRED_ARGUMENT_MESSAGE : undefined;
}

const scalarId = z.union([z.number(), z.string()], {
  error: (issue) =>
    issue.input === undefined
      ? REQUIRED_ARGUMENT_MESSAGE
      : `expected an id such as 598 or "598", got ${issue.input === null ? 'null' : typeof issue.input}`,
});

/** One positive id: `598`, `598.0` or `"598"`. Absent → "Required argument is missing" (unless `.optional()`). */
export function idInput(field: string, description: string) {
  return scalarId
    .transform((value, ctx) => {
      try {
        const id = coerceId(value, field);
        if (id > 0) return id;
        ctx.addIssue({
          code: 'custom',
          message: `'${id}' is not a valid id (ids are positive whole numbers such as 598)`,
        });
        return z.NEVER;
      } catch (error) {
        if (error instanceof InvalidInputError) {
          ctx.addIssue({ code: 'custom', message: withoutField(error.message, field) });
          return z.NEVER;
        }
        return issueFrom(ctx, error);
      }
    })
    .describe(description);
}

/** An id list: `598`, `"598"`, `[598, "599"]`, `"598, 599"` or `"[598, 599]"`; empty means "not given". */
export function idListInput(field: string, description: string) {
  return z
    .union([scalarId, z.array(scalarId), z.null()])
    .optional()
    .transform((value, ctx) => toIdList(value, field, ctx))
    .describe(description);
}

/** Like `idListInput`, but at least one id is required. */
export function requiredIdListInput(field: string, description: string, max: number) {
  const required = `At least one id is required. Provide ids as: [123, 456], 123, '123,456' or '[123, 456]'`;
  return z
    .union([scalarId, z.array(scalarId)], {
      error: (issue) => (issue.input === undefined || issue.input === null ? required : undefined),
    })
    .transform((value, ctx): number[] => {
      const ids = toIdList(value, field, ctx);
      if (ids === undefined) {
        ctx.addIssue({ code: 'custom', message: required });
        return z.NEVER;
      }
      if (ids.length > max) {
        ctx.addIssue({ code: 'custom', message: `At most ${max} ids per call (got ${ids.length})` });
        return z.NEVER;
      }
      return ids;
    })
    .describe(description);
}

function toIdList(value: unknown, field: string, ctx: z.RefinementCtx): number[] | undefined {
  try {
    const ids = parseIdList(value, field);
    const bad = ids?.find((id) => id <= 0);
    if (bad !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `'${bad}' is not a valid id (ids are positive whole numbers)`,
      });
      return z.NEVER;
    }
    return ids;
  } catch (error) {
    if (error instanceof InvalidInputError) {
      ctx.addIssue({ code: 'custom', message: withoutField(error.message, field) });
      return z.NEVER;
    }
    return issueFrom(ctx, error);
  }
}

/**
 * A list of values from a fixed vocabulary, as an array, a JSON-array string, a comma string or a
 * single value. Case-insensitive; empty means "not given".
 */
export function enumListInput<const V extends readonly [string, ...string[]]>(
  field: string,
  values: V,
  description: string,
) {
  return z
    .union([z.array(z.string()), z.string(), z.null()])
    .optional()
    .transform((value, ctx): V[number][] | undefined => {
      try {
        const list = parseStringList(value, field)?.map((s) => s.toLowerCase());
        if (!list) return undefined;
        const bad = list.filter((s) => !(values as readonly string[]).includes(s));
        if (bad.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `Invalid value${bad.length > 1 ? 's' : ''} ${bad.map((b) => `'${b}'`).join(', ')}. Valid values: ${values.join(', ')}`,
          });
          return z.NEVER;
        }
        return list as V[number][];
      } catch (error) {
        if (error instanceof InvalidInputError) {
          ctx.addIssue({ code: 'custom', message: withoutField(error.message, field) });
          return z.NEVER;
        }
        return issueFrom(ctx, error);
      }
    })
    .describe(
      `${description} Valid values: ${values.join(', ')}. Give an array, or a comma-separated string.`,
    );
}

/**
 * A short, safe rendering of whatever a client sent, for error messages: never throws (objects without a
 * usable toString, symbols, cycles) and never repeats a huge value in full.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 80)}…` : value}'`;
  if (
    value === null ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'undefined'
  ) {
    return String(value);
  }
  return `of type ${Array.isArray(value) ? 'array' : typeof value}`;
}

/**
 * One value of a vocabulary. Strict, unlike `enumListInput`: the value must match exactly (lower
 * case, no trimming), so the published JSON Schema `enum` is the whole contract; 'Title' is refused
 * with the list of valid values.
 */
export function enumInput<const V extends readonly [string, ...string[]]>(values: V, description: string) {
  return z
    .enum(values, {
      error: (issue) => `Invalid value ${describeValue(issue.input)}. Valid values: ${values.join(', ')}`,
    })
    .describe(`${description} One of: ${values.join(', ')}.`);
}

/** An integer that may arrive as a numeric string. */
export function intInput(min: number, max: number, description: string) {
  return z.coerce
    .number({ message: 'expected a whole number' })
    .int({ message: 'expected a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` })
    .describe(description);
}

/** `true`/`false`, also as strings. */
export function boolInput(description: string) {
  return z
    .union([z.boolean(), z.enum(['true', 'false', 'True', 'False', 'TRUE', 'FALSE'])])
    .transform((v) => v === true || (typeof v === 'string' && v.toLowerCase() === 'true'))
    .describe(description);
}

/** A free-form date (`2025-01-31`, `Jan 15 2025`, `last 30 days`, ...; docs/dates.md); parsed by the service (UTC). */
export function dateInput(description: string) {
  return z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(100, { message: 'is too long for a date' })
    .describe(
      `${description} ISO date ('2025-01-31') or timestamp, 'Jan 15 2025', '15 January 2025', 'today', 'last Friday', 'last 30 days', '3 weeks ago', 'last month' (one month back), 'this quarter'. UTC. Refused as ambiguous: a bare year ('2025') and '01/02/2025'. Grammar: docs/dates.md.`,
    );
}

export const sortOrderInput = (defaultOrder: 'asc' | 'desc') =>
  enumInput(['asc', 'desc'] as const, `Sort direction (default ${defaultOrder}).`).default(defaultOrder);

/** `page`, `per_page` and `offset` of the list operations. */
export function paginationInputs(options: { maxPerPage: number; defaultPerPage: string }) {
  return {
    page: intInput(1, 1_000_000, 'Page number, 1-based (default 1).').default(1),
    per_page: intInput(
      1,
      options.maxPerPage,
      `Items per page, 1-${options.maxPerPage} (default ${options.defaultPerPage}).`,
    ).optional(),
    offset: intInput(
      0,
      10_000_000,
      'Extra items to skip, ADDED to the page offset: items start at offset + (page - 1) * per_page. To get items 50-99, use offset=50, per_page=50 (page 1). Default 0.',
    ).default(0),
  };
}

// ---------------------------------------------------------------------------------------------------
// Output building blocks
// ---------------------------------------------------------------------------------------------------

export const paginationSchema = z
  .object({
    page: z.number().int().describe('The page asked for (1-based).'),
    per_page: z.number().int().describe('Page size used.'),
    offset: z.number().int().describe('Effective offset of the first item: offset + (page - 1) * per_page.'),
    start_index: z.number().int().describe('0-based index of the first item returned (= offset).'),
    end_index: z
      .number()
      .int()
      .describe('0-based index of the last item returned, -1 when the page is empty.'),
    total_count: z.number().int().describe('Exact number of items matching the filters, over all pages.'),
    has_more: z.boolean().describe('Exactly whether items exist after this page.'),
    hint: z
      .string()
      .optional()
      .describe('Only on a page past the end (which is empty, not an error): the last page.'),
  })
  .describe('Where this page sits in the full result.');
export type Pagination = z.infer<typeof paginationSchema>;

/** Freshness fields every answer carries. */
export const freshnessShape = {
  data_as_of: z
    .string()
    .nullable()
    .describe(
      'When the data behind this answer was last read from TestIO (ISO 8601 UTC); null if never synced.',
    ),
  stale: z.boolean().describe('True when that data is older than the cache TTL, or a refresh failed.'),
  warnings: z
    .array(z.string())
    .optional()
    .describe(
      'Problems that did not stop the answer: a failed refresh (data may be stale), unknown ids, truncation.',
    ),
};

export const timestamp = (description: string) =>
  z.string().nullable().describe(`${description} ISO 8601 UTC, or null.`);

/** The top-level argument an issue is about, when that argument was not given at all. */
function missingArgument(raw: unknown, path: readonly PropertyKey[]): string | undefined {
  if (path.length !== 1 || typeof path[0] !== 'string') return undefined;
  const args = raw === null || raw === undefined ? {} : raw;
  if (typeof args !== 'object' || Array.isArray(args)) return undefined;
  return (args as Record<string, unknown>)[path[0]] === undefined ? path[0] : undefined;
}

/** The description of a top-level field of an object schema (for the missing-argument reason). */
function fieldDescription(schema: z.ZodType, field: string): string | undefined {
  return schema instanceof z.ZodObject
    ? (schema.shape as Record<string, z.ZodType>)[field]?.description
    : undefined;
}

/**
 * Validates raw arguments against an input schema; any problem becomes one `InvalidInputError` whose
 * `issues` name each field. The MCP and REST layers call this (or parse with the schema themselves).
 * A required argument that was not given is reported as `Missing required argument '<field>'`, first,
 * with the field's description; zod's bare "Invalid input" never reaches the user for it.
 */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, operation?: string): z.output<S> {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const parsed = result.error.issues.map((issue) => {
    const missing = missingArgument(raw, issue.path);
    // zod's generic texts ("Invalid input", "Invalid input: expected string, received undefined")
    // become the missing-argument message; our own messages (e.g. list_bugs' test_ids) are kept.
    const message =
      missing !== undefined && /^Invalid input\b/.test(issue.message)
        ? REQUIRED_ARGUMENT_MESSAGE
        : issue.message;
    return {
      issue: {
        field: issue.path.map(String).join('.') || '(arguments)',
        message,
      } satisfies InvalidInputIssue,
      missing,
    };
  });
  // Missing arguments first: they are the likeliest mistake, and the message names them.
  const ordered = [
    ...parsed.filter((p) => p.missing !== undefined),
    ...parsed.filter((p) => p.missing === undefined),
  ];
  const issues: InvalidInputIssue[] = ordered.map((p) => p.issue);
  const first = issues[0] ?? { field: '(arguments)', message: 'invalid input' };
  const firstMissing = ordered[0]?.missing;
  const others =
    issues.length > 1
      ? `Other problems: ${issues
          .slice(1)
          .map((i) => `${i.field}: ${i.message}`)
          .join('; ')}`
      : undefined;
  const hint = operation
    ? `Check the parameter descriptions of ${operation} and try again`
    : 'Check the parameter descriptions and try again';
  if (firstMissing !== undefined) {
    const description = fieldDescription(schema, firstMissing);
    const why =
      first.message === REQUIRED_ARGUMENT_MESSAGE
        ? `${operation ?? 'This operation'} requires ${firstMissing}${description ? `: ${description}` : ''}`
        : first.message;
    throw new InvalidInputError({
      message: `Missing required argument '${firstMissing}'`,
      reason: [why, others].filter(Boolean).join('. '),
      hint: operation
        ? `Call ${operation} again with ${firstMissing} set`
        : `Provide ${firstMissing} and try again`,
      field: firstMissing,
      issues,
    });
  }
  throw new InvalidInputError({
    message: `Invalid argument '${first.field}': ${first.message}`,
    reason:
      others ?? `The value does not fit the ${operation ? `${operation} ` : ''}parameter's type or range`,
    hint,
    field: first.field,
    issues,
  });
}
