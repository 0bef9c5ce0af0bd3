import {
  listProductsInputSchema,
  parseInput,
  type Services,
  type ThresholdsOutput,
} from '@testio-mcp/services';

/**
 * The typed shape of one MCP prompt. Every prompt file default-exports `definePrompt({...})`;
 * `createServer` serves them through `prompts/list`, `prompts/get` and `completion/complete`.
 */

export interface PromptContext {
  readonly services: Services;
  /** The playbook thresholds in force (PLAYBOOK_* settings). */
  readonly thresholds: ThresholdsOutput;
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
