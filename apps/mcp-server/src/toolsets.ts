import { InvalidInputError } from '@testio-mcp/domain';
import { TOOLSETS, type AnyToolDefinition, type Toolset } from './tools/define-tool.js';
import { TOOLS } from './tools/index.js';

/**
 * Which tools this server serves, decided once at start-up:
 * - `TESTIO_TOOLSETS` picks groups (default: every group);
 * - `ENABLED_TOOLS` is an allow-list: alone it is the exact set; with `TESTIO_TOOLSETS` it adds tools
 *   to the chosen groups;
 * - `DISABLED_TOOLS` removes tools from the chosen groups.
 * Unknown names, both lists at once or an empty result stop the start-up with the valid names.
 * Order is always the registry's, so `tools/list` is deterministic.
 */

export interface ToolSelectionSettings {
  readonly ENABLED_TOOLS?: readonly string[] | undefined;
  readonly DISABLED_TOOLS?: readonly string[] | undefined;
  readonly TESTIO_TOOLSETS?: readonly string[] | undefined;
}

function checkNames(variable: string, names: readonly string[], valid: readonly string[]): void {
  const unknown = names.filter((name) => !valid.includes(name));
  if (unknown.length === 0) return;
  throw new InvalidInputError({
    field: variable,
    message: `${variable} names unknown ${variable === 'TESTIO_TOOLSETS' ? 'toolset' : 'tool'}${unknown.length > 1 ? 's' : ''}: ${unknown.map((n) => `'${n}'`).join(', ')}`,
    reason: `Valid names: ${valid.join(', ')}`,
    hint: `Fix ${variable} (comma-separated or a JSON array of the valid names above), then start again`,
  });
}

export function selectTools(
  settings: ToolSelectionSettings,
  registry: readonly AnyToolDefinition[] = TOOLS,
): AnyToolDefinition[] {
  const allNames = registry.map((tool) => tool.name);
  const enabled = settings.ENABLED_TOOLS?.map((n) => n.trim().toLowerCase());
  const disabled = settings.DISABLED_TOOLS?.map((n) => n.trim().toLowerCase());
  const toolsets = settings.TESTIO_TOOLSETS?.map((n) => n.trim().toLowerCase());

  if (enabled && disabled) {
    throw new InvalidInputError({
      field: 'ENABLED_TOOLS',
      message: 'ENABLED_TOOLS and DISABLED_TOOLS cannot be used simultaneously',
      reason: 'One is an allow-list and the other a deny-list; together they are ambiguous',
      hint: 'Choose one approach: allow-list (ENABLED_TOOLS) or deny-list (DISABLED_TOOLS), and unset the other',
    });
  }
  if (toolsets) checkNames('TESTIO_TOOLSETS', toolsets, TOOLSETS);
  if (enabled) checkNames('ENABLED_TOOLS', enabled, allNames);
  if (disabled) checkNames('DISABLED_TOOLS', disabled, allNames);

  const inGroups = (tool: AnyToolDefinition) =>
    toolsets === undefined || toolsets.includes(tool.toolset as Toolset);
  const selected = registry.filter((tool) => {
    if (enabled) return enabled.includes(tool.name) || (toolsets !== undefined && inGroups(tool));
    if (disabled?.includes(tool.name)) return false;
    return inGroups(tool);
  });

  if (selected.length === 0) {
    const groups = TOOLSETS.map(
      (set) =>
        `${set} (${
          registry
            .filter((t) => t.toolset === set)
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
  return selected;
}
