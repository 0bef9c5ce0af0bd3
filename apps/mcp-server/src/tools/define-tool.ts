import type { Logger, Principal } from '@testio-mcp/domain';
import type { ContentBlock } from '@modelcontextprotocol/server';
import type { Services } from '@testio-mcp/services';
import type { z } from 'zod';
import type { Elicitation } from '../elicitation.js';

/**
 * The typed shape of one MCP tool. Every tool file default-exports `defineTool({...})`; `createServer`
 * registers them all through one wrapper that parses the input, calls `handler`, checks the output and
 * turns errors into three-part `isError` results.
 */

/** Groups that `TESTIO_TOOLSETS` switches on and off. */
export const TOOLSETS = ['discovery', 'summaries', 'analytics', 'search', 'admin', 'triage'] as const;
export type Toolset = (typeof TOOLSETS)[number];

/**
 * Groups served only when asked for: `triage` writes to TestIO (ADR 0032), so it needs
 * TESTIO_ENABLE_WRITES=true or its name in TESTIO_TOOLSETS, and is never served under --read-only.
 */
export const OPT_IN_TOOLSETS: readonly Toolset[] = ['triage'];

/**
 * MCP tool annotations, with the three hints whose protocol defaults are wrong for us made required:
 * `readOnlyHint` defaults to false, `destructiveHint` to true and `openWorldHint` to true.
 */
export interface ToolAnnotations {
  readonly readOnlyHint: boolean;
  readonly destructiveHint: boolean;
  /** True only when the tool may call the TestIO API (not just read the local mirror). */
  readonly openWorldHint: boolean;
  readonly idempotentHint?: boolean;
}

export interface ProgressUpdate {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

/** What a handler gets besides its parsed input. Built per call by the wrapper. */
export interface ToolContext {
  readonly services: Services;
  /** Child logger bound to `{ tool, requestId }`. */
  readonly logger: Logger;
  readonly requestId: string;
  /** Aborted when the client cancels the call or the connection goes away. */
  readonly signal: AbortSignal;
  /**
   * Sends `notifications/progress` when the client passed a progress token; a no-op otherwise.
   * Values that do not increase are dropped (the protocol requires increasing progress).
   */
  reportProgress(update: ProgressUpdate): Promise<void>;
  /** Asks the person through the client (MCP elicitation) when it supports it; see elicitation.ts. */
  readonly elicitation: Elicitation;
  /** The caller over HTTP; undefined on stdio and an open loopback server (one person). */
  readonly principal: Principal | undefined;
  /** Records one write to TestIO in the audit trail (ADR 0032), on every transport. */
  recordWrite(entry: WriteAuditEntry): void;
}

/** One write to TestIO as the audit trail keeps it. */
export interface WriteAuditEntry {
  /** What changed, e.g. `reject_bug bug 123: forwarded → rejected`. */
  readonly action: string;
  readonly outcome: 'ok' | 'refused' | 'error' | 'rate_limited';
  /** TestIO's HTTP status (0 when it could not be reached). */
  readonly status: number;
  readonly durationMs: number;
}

export interface ToolExample<I> {
  /** One line for docs/tools.md: what the call answers. */
  readonly description: string;
  readonly arguments: I;
}

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  /** snake_case, verb first; what clients call. */
  readonly name: string;
  /** Human-readable name shown by clients. */
  readonly title: string;
  /** What the tool answers, when to use it and which tool to use instead; read by the model. */
  readonly description: string;
  readonly toolset: Toolset;
  /**
   * Set on a second name of another tool (kept for older prompts and configurations): callable whenever
   * that tool is served, but listed only when ENABLED_TOOLS names it, since a listed alias repeats the
   * whole schema in every conversation.
   */
  readonly aliasOf?: string;
  readonly inputSchema: I;
  readonly outputSchema: O;
  readonly annotations: ToolAnnotations;
  /**
   * The answer carries text written by testers or customers (bug steps, test instructions, search
   * hits): its text block is fenced as untrusted data so the model does not follow instructions in it.
   */
  readonly untrustedContent?: boolean;
  /**
   * How a tool that writes only through some arguments is served under `--read-only` (ADR 0028):
   * without those arguments, with `readOnlyHint: true` and this description; a call that still passes
   * one answers the read-only error. A writing tool without it is left out of a read-only server.
   */
  readonly readOnly?: { readonly without: readonly string[]; readonly description: string };
  /** Set on the read-only variant: the arguments it refuses with the read-only error. */
  readonly refusedArguments?: readonly string[];
  /**
   * Long work a client may run as an MCP task (ADR 0033): listed with `execution.taskSupport: 'optional'`,
   * and a `tools/call` carrying `task` answers a task id at once. Other tools refuse a task request.
   */
  readonly runsAsTask?: boolean;
  /** Example calls; the first one is shown in docs/tools.md. Each must parse with `inputSchema`. */
  readonly examples: readonly [ToolExample<z.input<I>>, ...ToolExample<z.input<I>>[]];
  handler(input: z.output<I>, ctx: ToolContext): Promise<z.input<O>>;
  /**
   * Blocks sent after the JSON text (a chart image and its text alternative, a link to an exported
   * file), made from the checked answer. Text blocks are fenced like the answer when it is untrusted.
   */
  attachments?(output: z.output<O>, input: z.output<I>, ctx: ToolContext): Promise<ContentBlock[]>;
}

/** Identity function that gives a tool definition its types. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  definition: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return definition;
}

/** A tool of any schema types, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyToolDefinition = ToolDefinition<any, any>;
