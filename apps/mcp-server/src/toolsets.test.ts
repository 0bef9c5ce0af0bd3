import { InvalidInputError } from '@testio-mcp/domain';
import { describe, expect, it } from 'vitest';
import { selectTools } from './toolsets.js';
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

const names = (settings: Parameters<typeof selectTools>[0]) => selectTools(settings).map((t) => t.name);

describe('tool selection', () => {
  it('serves every tool by default, in registry order', () => {
    expect(names({})).toEqual(TOOL_NAMES);
  });

  it('ENABLED_TOOLS alone is the exact set, still in registry order', () => {
    expect(names({ ENABLED_TOOLS: ['search', 'list_products'] })).toEqual(['list_products', 'search']);
  });

  it('DISABLED_TOOLS removes tools', () => {
    const served = names({ DISABLED_TOOLS: ['sync_data', 'get_problematic_tests'] });
    expect(served).toHaveLength(TOOL_NAMES.length - 2);
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

  it('stops on an unknown tool name, listing the valid ones', () => {
    expect(userText(() => selectTools({ ENABLED_TOOLS: ['list_product'] }))).toContain("'list_product'");
    const text = userText(() => selectTools({ DISABLED_TOOLS: ['health_check'] }));
    expect(text).toContain("'health_check'");
    expect(text).toContain('list_products, list_tests');
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
      'get_product_quality_report',
      'query_metrics',
      'get_analytics_capabilities',
    ]);
    expect(() =>
      selectTools({
        TESTIO_TOOLSETS: ['analytics'],
        DISABLED_TOOLS: [
          'generate_quality_report',
          'get_product_quality_report',
          'query_metrics',
          'get_analytics_capabilities',
        ],
      }),
    ).toThrow(/leaves no tool/);
    expect(() => selectTools({ DISABLED_TOOLS: [...TOOL_NAMES] })).toThrow(/leaves no tool/);
  });
});
