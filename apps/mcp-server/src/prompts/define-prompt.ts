import {
  listProductsInputSchema,
  parseInput,
  type Services,
  type ThresholdsOutput,
} from '@testio-mcp/services';
import type { Elicitation } from '../elicitation.js';

/**
 * The typed shape of one MCP prompt. Every prompt file default-exports `definePrompt({...})`;
 * `createServer` serves them through `prompts/list`, `prompts/get` and `completion/complete`.
 */

export interface PromptContext {
  readonly services: Services;
  /** The playbook thresholds in force (PLAYBOOK_* settings). */
  readonly thresholds: ThresholdsOutput;
  /** Asking the person during `prompts/get` (never during completion or resource reads). */
  readonly elicitation: Elicitation;
}

export interface PromptArgument {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  /**
   * Other names accepted for this argument and not listed (the reference's names, so saved prompt
   * calls keep working). Giving two names of one argument with different values is refused.
   */
  readonly aliases?: readonly string[];
  /** Suggestions for a partial value (`completion/complete`); at most 100. */
  complete?(value: string, ctx: PromptContext): Promise<string[]>;
}

export interface PromptDefinition {
  /** kebab-case, as clients show it (`/testio-mcp:analyze-product-quality`). */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly arguments: readonly PromptArgument[];
  /** The user message; `args` holds every given argument, trimmed (missing required ones are refused before). */
  render(args: Readonly<Record<string, string | undefined>>, ctx: PromptContext): Promise<string> | string;
}

export function definePrompt(definition: PromptDefinition): PromptDefinition {
  return definition;
}

/** `0.2` → `20%`. */
export function percent(value: number): string {
  return `${Math.round(value * 1000) / 10}%`;
}

/** Product names (and ids) that start with or contain the typed text, for argument completion. */
export async function completeProductNames(value: string, ctx: PromptContext): Promise<string[]> {
  const typed = value.trim().toLowerCase();
  const page = await ctx.services.listProducts(parseInput(listProductsInputSchema, { per_page: 100 }));
  const names = page.products.flatMap((p) => [p.name, String(p.id)]);
  const starts = names.filter((n) => n.toLowerCase().startsWith(typed));
  const contains = names.filter((n) => !n.toLowerCase().startsWith(typed) && n.toLowerCase().includes(typed));
  return [...starts, ...contains].slice(0, 100);
}

/** Most products offered in one question; a name matching more is better narrowed by typing more. */
const MAX_CHOICES = 20;

/**
 * A product argument given by name, resolved where it can be: the one product it names (`Name (id N)`),
 * or, when it names several and the client can ask, the product the person picks (issue 17). Ids,
 * id lists and `portfolio` pass through; a name nobody resolves stays as typed for the assistant to look
 * up, as before.
 */
export async function resolveProductArgument(value: string, ctx: PromptContext): Promise<string> {
  if (/^(portfolio|\d+(\s*,\s*\d+)*)$/i.test(value)) return value;
  const typed = value.toLowerCase();
  const page = await ctx.services.listProducts(
    parseInput(listProductsInputSchema, { search: value, per_page: 100 }),
  );
  const matches = page.products.filter((p) => p.name.toLowerCase().includes(typed));
  const exact = matches.filter((p) => p.name.toLowerCase() === typed);
  const candidates = exact.length === 1 ? exact : matches;
  const named = (p: { id: number; name: string }) => `${p.name} (id ${p.id})`;
  if (candidates.length === 1 && candidates[0]) return named(candidates[0]);
  if (candidates.length < 2 || candidates.length > MAX_CHOICES || !ctx.elicitation.supported) return value;
  const answer = await ctx.elicitation.choose(
    `"${value}" matches ${candidates.length} products. Which one should the analysis cover?`,
    { title: 'Product', options: candidates.map((p) => ({ value: String(p.id), label: named(p) })) },
  );
  const chosen =
    answer.action === 'accept' ? candidates.find((p) => String(p.id) === answer.value) : undefined;
  return chosen ? named(chosen) : value;
}
