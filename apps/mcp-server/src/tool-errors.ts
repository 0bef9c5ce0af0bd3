import { randomBytes } from 'node:crypto';
import { formatThreePart, isDomainError, type DomainError } from '@testio-mcp/domain';
import { FORMER_TOOL_NAMES } from './tools/former-names.js';

/**
 * How a failed tool call is shown to the model and logged. Only our own messages reach the model:
 * domain errors carry texts written by us (never a driver message, SQL or an upstream body); anything
 * else becomes "Internal error (reference <id>)" and the details go to the log under that id.
 */

export type ToolErrorLevel = 'info' | 'warn' | 'error';

export interface DescribedToolError {
  /** The three-part text returned with `isError: true`. */
  readonly text: string;
  readonly level: ToolErrorLevel;
  /** `invalid_input`, `not_found`, ..., `internal`. */
  readonly code: string;
  /** Present when the log line carries the details the text leaves out. */
  readonly errorId?: string;
}

/** A short id a user can quote and an operator can grep for. */
export function newErrorId(): string {
  return randomBytes(4).toString('hex');
}

/** A handler returned data that does not match its output schema: our bug, never the user's. */
export class OutputContractError extends Error {
  constructor(
    readonly tool: string,
    readonly issues: unknown,
  ) {
    super(`${tool} returned data that does not match its output schema`);
    this.name = 'OutputContractError';
  }
}

function levelOf(error: DomainError): ToolErrorLevel {
  switch (error.code) {
    case 'invalid_input':
    case 'not_found':
      return 'info';
    case 'upstream_unavailable':
      return 'error';
    default:
      return 'warn';
  }
}

export function describeToolError(error: unknown, tool: string): DescribedToolError {
  // Persistence maps driver errors (busy, constraint, missing row) to domain errors at its boundary.
  if (isDomainError(error)) {
    const level = levelOf(error);
    return {
      text: error.toUserText(),
      level,
      code: error.code,
      ...(level === 'error' ? { errorId: newErrorId() } : {}),
    };
  }
  const errorId = newErrorId();
  return {
    text: formatThreePart(
      `Internal error (reference ${errorId})`,
      `${tool} failed unexpectedly; the details are in the server log under reference ${errorId}`,
      'Try again. If it keeps failing, check get_server_diagnostics and report the reference to whoever runs this server',
    ),
    level: 'error',
    code: 'internal',
    errorId,
  };
}

export function unknownToolText(name: string, enabled: readonly string[], known: readonly string[]): string {
  const former = Object.hasOwn(FORMER_TOOL_NAMES, name) ? FORMER_TOOL_NAMES[name] : undefined;
  if (former) {
    return formatThreePart(
      `Tool '${name}' no longer exists`,
      `It is a tool name of the reference product's older releases; ${former.replacement} answers the same question`,
      enabled.includes(former.replacement)
        ? `Call ${former.how}`
        : `${former.replacement} is not enabled on this server; use one of: ${enabled.join(', ')}`,
    );
  }
  if (known.includes(name)) {
    return formatThreePart(
      `Tool '${name}' is not enabled on this server`,
      'The server configuration (ENABLED_TOOLS, DISABLED_TOOLS or TESTIO_TOOLSETS) leaves it out',
      `Use one of the enabled tools: ${enabled.join(', ')}`,
    );
  }
  return formatThreePart(
    `Unknown tool '${name.slice(0, 100)}'`,
    'This server has no tool by that name',
    `Use one of: ${enabled.join(', ')} (tools/list describes them)`,
  );
}

export function responseTooLargeText(tool: string, chars: number, limit: number): string {
  return formatThreePart(
    `The answer of ${tool} is too large (${chars.toLocaleString('en-US')} characters; the limit is ${limit.toLocaleString('en-US')})`,
    'Answers are capped at about 25,000 tokens so they fit in the assistant context',
    'Narrow the query (more filters, fewer ids, a shorter date range) or ask for a smaller page, e.g. per_page=20, and page through the results',
  );
}
