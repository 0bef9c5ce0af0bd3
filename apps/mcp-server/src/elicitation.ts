import {
  inputRequired,
  inputResponse,
  type ElicitRequestFormParams,
  type InputRequest,
  type InputRequiredResult,
  type Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Logger } from '@testio-mcp/domain';

/**
 * Asking the person, through MCP elicitation (form mode), where a person should decide: a write to
 * TestIO (ADR 0032), a full forced resync, an ambiguous product name. A tool checks `supported` and
 * keeps its behaviour for clients without elicitation (a preview and a token, or today's answer).
 *
 * Two ways to ask (ADR 0037): a 2025-era client over a session (stdio) gets a push-style
 * `elicitation/create` request in the middle of the call; a 2026-07-28 request that declares form
 * elicitation in its envelope gets an `input_required` answer and retries the call with the answers
 * (multi-round-trip). Over stateless HTTP a 2025-era client's capabilities are never seen, so it is
 * never asked there.
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

/**
 * Thrown by a 2026-07-28 elicitation whose question has no answer yet: the `tools/call` handler turns
 * it into the `input_required` result, and the client retries the whole call with the answer. A tool
 * therefore re-runs from the start on the retry, which is safe because every question comes before
 * the tool writes anything.
 */
export class InputNeeded extends Error {
  constructor(readonly result: InputRequiredResult) {
    super('input required');
    this.name = 'InputNeeded';
  }
}

type Extra = ServerContext;
type Content = Record<string, unknown>;
/** The client's answer to one question: its content when accepted, `null` when declined or cancelled. */
type Asker = (params: ElicitRequestFormParams) => Promise<Content | null>;

/** An elicitation bound to one tool call: the question goes out as a request related to that call. */
export function createElicitation(server: Server, extra: Extra, logger: Logger): Elicitation {
  if (extra.mcpReq.envelope !== undefined) return modernElicitation(extra, logger);
  if (server.getClientCapabilities()?.elicitation?.form === undefined) return NO_ELICITATION;
  return formElicitation(async (params) => {
    const result = await server.elicitInput(params, {
      relatedRequestId: extra.mcpReq.id,
      signal: extra.mcpReq.signal,
    });
    logger.info({ action: result.action }, 'elicitation answered');
    return result.action === 'accept' ? (result.content ?? {}) : null;
  });
}

const CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';

interface ModernState {
  /** Answers of the earlier rounds, by question key (`null`: declined or cancelled). */
  readonly answers: Record<string, Content | null>;
}

/**
 * A 2026-07-28 request carries its capabilities in the `_meta` envelope. Questions are numbered in the
 * order the tool asks them (`q1`, `q2`, ...): a re-run asks the same questions in the same order, so
 * an answer finds its question again. Earlier rounds' answers travel in `requestState`; they are the
 * client's own answers, which it could give again anyway, so the state needs no signature.
 */
function modernElicitation(extra: Extra, logger: Logger): Elicitation {
  const envelope = extra.mcpReq.envelope as Record<string, unknown>;
  const capabilities = envelope[CLIENT_CAPABILITIES] as
    { elicitation?: { form?: unknown; url?: unknown } } | undefined;
  const elicitation = capabilities?.elicitation;
  // `elicitation: {}` means form mode (the 2025-11-25 rule, kept by 2026-07-28).
  const form = elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined);
  if (!form) return NO_ELICITATION;
  const answers: Record<string, Content | null> = { ...readState(extra.mcpReq.requestState()) };
  for (const [key, value] of Object.entries(extra.mcpReq.inputResponses ?? {})) {
    if (!/^q\d{1,3}$/.test(key)) continue;
    const view = inputResponse({ [key]: value }, key);
    if (view.kind !== 'elicit') continue;
    answers[key] = view.action === 'accept' ? (view.content ?? {}) : null;
    logger.info({ action: view.action }, 'elicitation answered');
  }
  let asked = 0;
  return formElicitation((params) => {
    asked += 1;
    const key = `q${asked}`;
    if (Object.hasOwn(answers, key)) return Promise.resolve(answers[key] ?? null);
    const request: InputRequest = inputRequired.elicit(params);
    const state: ModernState = { answers };
    throw new InputNeeded(
      inputRequired({
        inputRequests: { [key]: request },
        ...(Object.keys(answers).length > 0 ? { requestState: JSON.stringify(state) } : {}),
      }),
    );
  });
}

function readState(raw: unknown): Record<string, Content | null> {
  if (typeof raw !== 'string' || raw.length > 20_000) return {};
  try {
    const parsed = JSON.parse(raw) as Partial<ModernState> | null;
    const answers = parsed?.answers;
    if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) return {};
    return Object.fromEntries(
      Object.entries(answers).filter(
        ([key, value]) =>
          /^q\d{1,3}$/.test(key) && (value === null || (typeof value === 'object' && !Array.isArray(value))),
      ),
    ) as Record<string, Content | null>;
  } catch {
    // Not ours: the questions are asked again.
    return {};
  }
}

/** `confirm` and `choose` as form questions, whichever way they reach the person. */
function formElicitation(ask: Asker): Elicitation {
  return {
    supported: true,
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
