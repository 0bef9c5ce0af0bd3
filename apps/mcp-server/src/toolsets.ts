import { InvalidInputError } from '@testio-mcp/domain';
import { OPT_IN_TOOLSETS, TOOLSETS, type AnyToolDefinition, type Toolset } from './tools/define-tool.js';
import { closestName, FORMER_TOOL_NAMES } from './tools/former-names.js';
import { TOOLS } from './tools/index.js';

/**
 * Which tools this server serves, decided once at start-up:
 * - `TESTIO_TOOLSETS` picks groups (default: every group but `triage`, which writes to TestIO and is
 *   served only when named there or with `TESTIO_ENABLE_WRITES=true`, never under `--read-only`);
 * - `ENABLED_TOOLS` is an allow-list: alone it is the exact set; with `TESTIO_TOOLSETS` it adds tools
 *   to the chosen groups;
 * - `DISABLED_TOOLS` removes tools from the chosen groups.
 * Aliases (`aliasOf`) are listed only when ENABLED_TOOLS names them, and callable whenever their tool
 * is served. A name from the reference's older releases counts as its replacement and a mistyped one is
 * ignored, each with a warning naming the right tool: an `.env` carried over from the reference must
 * start, not stop (ADR 0014). Unknown toolsets, both lists at once or an empty result still stop the
 * start-up, with the valid names. Order is always the registry's, so `tools/list` is deterministic.
 */

export interface ToolSelectionSettings {
  readonly ENABLED_TOOLS?: readonly string[] | undefined;
  readonly DISABLED_TOOLS?: readonly string[] | undefined;
  readonly TESTIO_TOOLSETS?: readonly string[] | undefined;
  /** `--read-only` (ADR 0028): only tools that write nothing, some of them without their export arguments. */
  readonly TESTIO_READ_ONLY?: boolean | undefined;
  /** Serves the `triage` toolset (ADR 0032); ignored, with a warning, under `--read-only`. */
  readonly TESTIO_ENABLE_WRITES?: boolean | undefined;
}

export interface ToolSelection {
  /** What `tools/list` shows, in registry order. */
  readonly listed: AnyToolDefinition[];
  /** What `tools/call` accepts: the listed tools plus the aliases of listed tools. */
  readonly callable: AnyToolDefinition[];
  /** One line per name that was replaced or ignored, for the start-up log. */
  readonly warnings: string[];
}

/** Maps the names of one list onto registry names; former names become their replacement. */
function resolveNames(
  variable: 'ENABLED_TOOLS' | 'DISABLED_TOOLS',
  names: readonly string[],
  registry: readonly AnyToolDefinition[],
  warnings: string[],
): string[] {
  const valid = registry.map((tool) => tool.name);
  const resolved: string[] = [];
  for (const name of names) {
    if (valid.includes(name)) {
      resolved.push(name);
      continue;
    }
    const former = FORMER_TOOL_NAMES[name];
    if (former && valid.includes(former.replacement)) {
      resolved.push(former.replacement);
      warnings.push(
        `${variable}: '${name}' is a tool name of the reference's older releases; counted as ${former.replacement}. Use ${former.how}, and write ${former.replacement} in ${variable}`,
      );
      continue;
    }
    const closest = closestName(name, valid);
    warnings.push(
      `${variable}: '${name}' is not a tool of this server; ignored. ${closest ? `Did you mean ${closest}? ` : ''}Valid names: ${valid.join(', ')}`,
    );
  }
  return resolved;
}

const readOnlyVariants = new WeakMap<AnyToolDefinition, AnyToolDefinition>();

/**
 * A tool as a read-only server serves it (ADR 0028): as is when it reads, its read-only variant when it
 * writes only through some arguments, `undefined` (left out) otherwise. Variants are made once per
 * tool, so `describeTool`'s cache holds.
 */
export function readOnlyVariant(tool: AnyToolDefinition): AnyToolDefinition | undefined {
  if (tool.annotations.readOnlyHint) return tool;
  if (!tool.readOnly) return undefined;
  const cached = readOnlyVariants.get(tool);
  if (cached) return cached;
  const without = tool.readOnly.without;
  const variant: AnyToolDefinition = {
    ...tool,
    description: tool.readOnly.description,
    inputSchema: tool.inputSchema.omit(Object.fromEntries(without.map((name) => [name, true]))),
    annotations: { ...tool.annotations, readOnlyHint: true },
    examples: tool.examples.filter((example) =>
      Object.keys(example.arguments as object).every((name) => !without.includes(name)),
    ) as unknown as AnyToolDefinition['examples'],
    refusedArguments: without,
  };
  delete (variant as { readOnly?: unknown }).readOnly;
  readOnlyVariants.set(tool, variant);
  return variant;
}

export function resolveToolSelection(
  settings: ToolSelectionSettings,
  fullRegistry: readonly AnyToolDefinition[] = TOOLS,
): ToolSelection {
  const registry = settings.TESTIO_READ_ONLY
    ? fullRegistry.flatMap((tool) => readOnlyVariant(tool) ?? [])
    : fullRegistry;
  const warnings: string[] = [];
  const normalize = (names: readonly string[] | undefined) => names?.map((n) => n.trim().toLowerCase());
  let enabled = normalize(settings.ENABLED_TOOLS);
  let disabled = normalize(settings.DISABLED_TOOLS);
  const toolsets = normalize(settings.TESTIO_TOOLSETS);

  if (enabled && disabled) {
    throw new InvalidInputError({
      field: 'ENABLED_TOOLS',
      message: 'ENABLED_TOOLS and DISABLED_TOOLS cannot be used simultaneously',
      reason: 'One is an allow-list and the other a deny-list; together they are ambiguous',
      hint: 'Choose one approach: allow-list (ENABLED_TOOLS) or deny-list (DISABLED_TOOLS), and unset the other',
    });
  }
  const unknownSets = toolsets?.filter((name) => !(TOOLSETS as readonly string[]).includes(name)) ?? [];
  if (unknownSets.length > 0) {
    throw new InvalidInputError({
      field: 'TESTIO_TOOLSETS',
      message: `TESTIO_TOOLSETS names unknown toolset${unknownSets.length > 1 ? 's' : ''}: ${unknownSets.map((n) => `'${n}'`).join(', ')}`,
      reason: `Valid names: ${TOOLSETS.join(', ')}`,
      hint: 'Fix TESTIO_TOOLSETS (comma-separated or a JSON array of the valid names above), then start again',
    });
  }
  if (enabled) {
    enabled = resolveNames('ENABLED_TOOLS', enabled, registry, warnings);
    if (enabled.length === 0 && toolsets === undefined) {
      warnings.push('ENABLED_TOOLS names no tool of this server; serving the default tools instead');
      enabled = undefined;
    }
  }
  if (disabled) disabled = resolveNames('DISABLED_TOOLS', disabled, registry, warnings);

  if (settings.TESTIO_READ_ONLY && (settings.TESTIO_ENABLE_WRITES || toolsets?.includes('triage'))) {
    warnings.push(
      'TESTIO_ENABLE_WRITES: the triage tools write to TestIO and this server is read-only (--read-only); they are not served',
    );
  }
  const optedIn = (set: Toolset) =>
    !OPT_IN_TOOLSETS.includes(set) ||
    settings.TESTIO_ENABLE_WRITES === true ||
    toolsets?.includes(set) === true;
  const inGroups = (tool: AnyToolDefinition) =>
    optedIn(tool.toolset) &&
    (toolsets === undefined || toolsets.includes(tool.toolset) || OPT_IN_TOOLSETS.includes(tool.toolset));
  const named = (tool: AnyToolDefinition) => enabled?.includes(tool.name) === true;
  const listed = registry.filter((tool) => {
    if (named(tool)) return true;
    if (tool.aliasOf !== undefined) return false;
    if (enabled) return toolsets !== undefined && inGroups(tool);
    if (disabled?.includes(tool.name)) return false;
    return inGroups(tool);
  });

  if (listed.length === 0) {
    const groups = TOOLSETS.map(
      (set) =>
        `${set} (${
          registry
            .filter((t) => t.toolset === set && t.aliasOf === undefined)
            .map((t) => t.name)
            .join(', ') || 'no tools yet'
        })`,
    );
    throw new InvalidInputError({
      field: toolsets ? 'TESTIO_TOOLSETS' : 'DISABLED_TOOLS',
      message: 'The tool selection leaves no tool to serve',
      reason: `ENABLED_TOOLS, DISABLED_TOOLS and TESTIO_TOOLSETS together select nothing. Toolsets: ${groups.join('; ')}`,
      hint: 'Widen TESTIO_TOOLSETS or ENABLED_TOOLS, or shorten DISABLED_TOOLS',
    });
  }

  const listedNames = new Set(listed.map((tool) => tool.name));
  const callable = registry.filter(
    (tool) =>
      listedNames.has(tool.name) ||
      (tool.aliasOf !== undefined && listedNames.has(tool.aliasOf) && !disabled?.includes(tool.name)),
  );
  return { listed, callable, warnings };
}

/** The tools `tools/list` shows (see `resolveToolSelection` for the callable set and the warnings). */
export function selectTools(
  settings: ToolSelectionSettings,
  registry: readonly AnyToolDefinition[] = TOOLS,
): AnyToolDefinition[] {
  return resolveToolSelection(settings, registry).listed;
}
