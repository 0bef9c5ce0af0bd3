import { InvalidInputError } from '@testio-mcp/domain';
import { describe, expect, it } from 'vitest';
import { resolveToolSelection, selectTools } from './toolsets.js';
import { TOOL_NAMES } from './tools/index.js';

function userText(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.toUserText();
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

const TRIAGE = ['accept_bug', 'reject_bug', 'mark_bug_known', 'mark_bug_fixed', 'triage_bugs'];
const names = (settings: Parameters<typeof selectTools>[0]) => selectTools(settings).map((t) => t.name);

describe('tool selection', () => {
  it('serves every tool but the aliases and the opt-in triage tools by default, in registry order', () => {
    expect(names({})).toEqual(
      TOOL_NAMES.filter((name) => name !== 'get_product_quality_report' && !TRIAGE.includes(name)),
    );
    expect(names({ TESTIO_ENABLE_WRITES: true })).toEqual(
      TOOL_NAMES.filter((name) => name !== 'get_product_quality_report'),
    );
  });

  it('serves the triage tools when TESTIO_TOOLSETS names triage or writes are on, never under read-only', () => {
    expect(names({ TESTIO_TOOLSETS: ['triage'] })).toEqual(TRIAGE);
    expect(names({ TESTIO_TOOLSETS: ['search'], TESTIO_ENABLE_WRITES: true })).toEqual(['search', ...TRIAGE]);
    expect(names({ TESTIO_TOOLSETS: ['search'] })).toEqual(['search']);
    const readOnly = resolveToolSelection({ TESTIO_READ_ONLY: true, TESTIO_ENABLE_WRITES: true });
    expect(readOnly.listed.map((t) => t.name).filter((name) => TRIAGE.includes(name))).toEqual([]);
    expect(readOnly.warnings).toEqual([expect.stringMatching(/^TESTIO_ENABLE_WRITES: .*read-only/)]);
  });

  it('ENABLED_TOOLS alone is the exact set, still in registry order', () => {
    expect(names({ ENABLED_TOOLS: ['search', 'list_products'] })).toEqual(['list_products', 'search']);
  });

  it('DISABLED_TOOLS removes tools', () => {
    const served = names({ DISABLED_TOOLS: ['sync_data', 'get_problematic_tests'] });
    expect(served).toHaveLength(TOOL_NAMES.length - 3 - TRIAGE.length);
    expect(served).not.toContain('sync_data');
  });

  it('TESTIO_TOOLSETS picks groups; ENABLED_TOOLS adds to them, DISABLED_TOOLS removes from them', () => {
    expect(names({ TESTIO_TOOLSETS: ['summaries'] })).toEqual([
      'get_test_summary',
      'get_product_summary',
      'get_feature_summary',
      'get_user_summary',
      'get_bug_summary',
    ]);
    expect(names({ TESTIO_TOOLSETS: ['search'], ENABLED_TOOLS: ['list_products'] })).toEqual([
      'list_products',
      'search',
    ]);
    expect(names({ TESTIO_TOOLSETS: ['admin'], DISABLED_TOOLS: ['sync_data'] })).toEqual([
      'get_server_diagnostics',
      'get_problematic_tests',
    ]);
  });

  it('warns about a mistyped tool name, naming the closest one, and serves without it', () => {
    const selection = resolveToolSelection({ ENABLED_TOOLS: ['list_product', 'search'] });
    expect(selection.listed.map((t) => t.name)).toEqual(['search']);
    expect(selection.warnings).toEqual([
      expect.stringMatching(
        /^ENABLED_TOOLS: 'list_product' is not a tool of this server; ignored\. Did you mean list_products\?/,
      ),
    ]);
    const disabled = resolveToolSelection({ DISABLED_TOOLS: ['sync_dta'] });
    expect(disabled.listed.map((t) => t.name)).toEqual(names({}));
    expect(disabled.warnings[0]).toContain('Did you mean sync_data?');
  });

  it("counts the reference's former tool names as their replacement, with a warning", () => {
    const selection = resolveToolSelection({ DISABLED_TOOLS: ['health_check', 'get_test_status'] });
    const served = selection.listed.map((t) => t.name);
    expect(served).not.toContain('get_server_diagnostics');
    expect(served).not.toContain('get_test_summary');
    expect(selection.warnings).toEqual([
      expect.stringContaining(
        "DISABLED_TOOLS: 'health_check' is a tool name of the reference's older releases; counted as get_server_diagnostics",
      ),
      expect.stringContaining(
        "'get_test_status' is a tool name of the reference's older releases; counted as get_test_summary",
      ),
    ]);
    expect(names({ ENABLED_TOOLS: ['get_test_bugs', 'generate_status_report'] })).toEqual([
      'list_bugs',
      'generate_quality_report',
    ]);
  });

  it('serves the default tools, with a warning, when ENABLED_TOOLS names no tool at all', () => {
    const selection = resolveToolSelection({ ENABLED_TOOLS: ['nonsense'] });
    expect(selection.listed.map((t) => t.name)).toEqual(names({}));
    expect(selection.warnings.at(-1)).toMatch(/names no tool of this server; serving the default tools/);
  });

  it('lists an alias only when ENABLED_TOOLS names it; it is callable while its tool is served', () => {
    expect(names({})).not.toContain('get_product_quality_report');
    expect(resolveToolSelection({}).callable.map((t) => t.name)).toContain('get_product_quality_report');
    const named = resolveToolSelection({ ENABLED_TOOLS: ['get_product_quality_report'] });
    expect(named.listed.map((t) => t.name)).toEqual(['get_product_quality_report']);
    const withoutReport = resolveToolSelection({ DISABLED_TOOLS: ['generate_quality_report'] });
    expect(withoutReport.callable.map((t) => t.name)).not.toContain('get_product_quality_report');
    const aliasDisabled = resolveToolSelection({ DISABLED_TOOLS: ['get_product_quality_report'] });
    expect(aliasDisabled.callable.map((t) => t.name)).not.toContain('get_product_quality_report');
  });

  it('stops on an unknown toolset, both lists at once, or an empty selection', () => {
    expect(userText(() => selectTools({ TESTIO_TOOLSETS: ['reports'] }))).toMatch(
      /'reports'[\s\S]*discovery, summaries, analytics, search, admin/,
    );
    expect(() => selectTools({ ENABLED_TOOLS: ['search'], DISABLED_TOOLS: ['sync_data'] })).toThrow(
      /cannot be used simultaneously/,
    );
    expect(selectTools({ TESTIO_TOOLSETS: ['analytics'] }).map((t) => t.name)).toEqual([
      'generate_quality_report',
      'query_metrics',
      'get_analytics_capabilities',
    ]);
    expect(() =>
      selectTools({
        TESTIO_TOOLSETS: ['analytics'],
        DISABLED_TOOLS: ['generate_quality_report', 'query_metrics', 'get_analytics_capabilities'],
      }),
    ).toThrow(/leaves no tool/);
    expect(() => selectTools({ DISABLED_TOOLS: [...TOOL_NAMES] })).toThrow(/leaves no tool/);
  });
});
