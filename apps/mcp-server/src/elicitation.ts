import type { ElicitRequestFormParams, Server, ServerContext } from '@modelcontextprotocol/server';
import type { Logger } from '@testio-mcp/domain';

/**
 * Asking the person, through MCP elicitation (form mode), where a person should decide: a write to
 * TestIO (ADR 0032), a full forced resync, an ambiguous product name. A tool checks `supported` and
 * keeps its behaviour for clients without elicitation (a preview and a token, or today's answer).
 * Over stateless HTTP the server never sees the client's capabilities, so it never asks there; nor on a
 * 2026-07-28 request (which would need the multi-round-trip `input_required` answer, not done yet).
 */

export type ElicitationAnswer<T> =
  { readonly action: 'accept'; readonly value: T } | { readonly action: 'decline' | 'cancel' };

export interface Elicitation {
  /** The client declared form elicitation. */
  readonly supported: boolean;
  /** A yes/no question: `accept` with true only when the person ticked the box and accepted. */
  confirm(message: string, label: string): Promise<ElicitationAnswer<boolean>>;
  /** One of a few options (value and the label shown). */
  choose(
    message: string,
    field: { readonly title: string; readonly options: ReadonlyArray<{ value: string; label: string }> },
  ): Promise<ElicitationAnswer<string>>;
}

/** For a client that cannot be asked. */
export const NO_ELICITATION: Elicitation = {
  supported: false,
  confirm: () => Promise.resolve({ action: 'cancel' }),
  choose: () => Promise.resolve({ action: 'cancel' }),
};

type Extra = ServerContext;

/** An elicitation bound to one tool call: the question goes out as a request related to that call. */
export function createElicitation(server: Server, extra: Extra, logger: Logger): Elicitation {
  // A 2026-07-28 request carries its capabilities in the envelope; the push-style request below is
  // legacy-era only.
  const modern = extra.mcpReq.envelope !== undefined;
  const supported = !modern && server.getClientCapabilities()?.elicitation?.form !== undefined;
  if (!supported) return NO_ELICITATION;
  async function ask(params: ElicitRequestFormParams): Promise<Record<string, unknown> | null> {
    const result = await server.elicitInput(params, {
      relatedRequestId: extra.mcpReq.id,
      signal: extra.mcpReq.signal,
    });
    logger.info({ action: result.action }, 'elicitation answered');
    return result.action === 'accept' ? (result.content ?? {}) : null;
  }
  return {
    supported,
    async confirm(message, label) {
      const content = await ask({
        mode: 'form',
        message,
        requestedSchema: {
          type: 'object',
          properties: { confirm: { type: 'boolean', title: label, default: false } },
          required: ['confirm'],
        },
      });
      if (content === null) return { action: 'decline' };
      return content['confirm'] === true ? { action: 'accept', value: true } : { action: 'decline' };
    },
    async choose(message, field) {
      const content = await ask({
        mode: 'form',
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            choice: {
              type: 'string',
              title: field.title,
              oneOf: field.options.map((o) => ({ const: o.value, title: o.label })),
            },
          },
          required: ['choice'],
        },
      });
      const choice = content?.['choice'];
      if (typeof choice !== 'string' || !field.options.some((o) => o.value === choice))
        return { action: 'decline' };
      return { action: 'accept', value: choice };
    },
  };
}
