import { describe, expect, it } from 'vitest';
import {
  chooseChart,
  describeChart,
  FONT_FAMILY,
  MAX_CATEGORIES,
  prepareChart,
  renderChart,
  type ChartData,
  type ChartDimension,
  type ChartMetric,
} from './index.js';
import { shortLabels } from './labels.js';
import { inspectPng, parseSvg, svgMarks, svgTexts, svgTextsOf } from './testing/index.js';

const MONTH: ChartDimension = { key: 'month', label: 'Month', kind: 'time' };
const FEATURE: ChartDimension = { key: 'feature', label: 'Feature', kind: 'entity' };
const PLATFORM: ChartDimension = { key: 'platform', label: 'Platform', kind: 'entity' };
const PRODUCT: ChartDimension = { key: 'product', label: 'Product', kind: 'entity' };
const SEVERITY: ChartDimension = {
  key: 'severity',
  label: 'Severity',
  kind: 'categorical',
  order: ['critical', 'high', 'low'],
};
const BUGS: ChartMetric = { key: 'bug_count', label: 'Bug count', format: 'count', unit: 'bugs' };
const REJECTION: ChartMetric = { key: 'rejection_rate', label: 'Rejection rate', format: 'percent' };

const months = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05'];
const byMonth: ChartData = {
  dimensions: [MONTH],
  metrics: [REJECTION, BUGS],
  rows: months.map((month, i) => ({ month, rejection_rate: 0.05 * (i + 1), bug_count: 10 + i })),
};
const byFeature: ChartData = {
  dimensions: [FEATURE],
  metrics: [BUGS],
  rows: [
    { feature: 'Login', bug_count: 4 },
    { feature: 'Checkout', bug_count: 12 },
    { feature: null, bug_count: 7 },
  ],
};
const platforms = ['iOS', 'Android'];
const severities = ['critical', 'high', 'low'];
const byPlatformSeverity: ChartData = {
  dimensions: [PLATFORM, SEVERITY],
  metrics: [BUGS, REJECTION],
  rows: platforms.flatMap((platform, i) =>
    severities.map((severity, j) => ({
      platform,
      severity,
      bug_count: 3 + i + 2 * j,
      rejection_rate: (1 + i + j) / 10,
    })),
  ),
};
const threeDims: ChartData = {
  dimensions: [PLATFORM, SEVERITY, PRODUCT],
  metrics: [BUGS],
  rows: ['Web', 'App'].flatMap((product) => byPlatformSeverity.rows.map((row) => ({ ...row, product }))),
};

const svgOf = async (data: ChartData, options = {}) =>
  parseSvg((await renderChart(data, 'svg', options)).body.toString('utf8'));

describe('chooseChart', () => {
  it('draws time as a line, one category as bars, two as stacked (counts) or grouped (rates) bars', () => {
    expect(chooseChart(byMonth).type).toBe('line');
    expect(chooseChart(byFeature).type).toBe('bar');
    expect(chooseChart(byPlatformSeverity).type).toBe('stacked_bar');
    expect(chooseChart(byPlatformSeverity, { metric: 'rejection_rate' }).type).toBe('grouped_bar');
  });

  it('puts a time dimension along the axis wherever it was asked, and facets a third dimension', () => {
    const plan = chooseChart({ ...byMonth, dimensions: [FEATURE, MONTH], rows: [] });
    expect(plan.type).toBe('empty');
    const trend = chooseChart({
      dimensions: [FEATURE, MONTH],
      metrics: [BUGS],
      rows: [{ feature: 'Login', month: '2025-01', bug_count: 2 }],
    });
    expect([trend.type, trend.x?.key, trend.series?.key]).toEqual(['line', 'month', 'feature']);
    const facet = chooseChart(threeDims);
    expect([facet.type, facet.x?.key, facet.series?.key, facet.facet?.key]).toEqual([
      'stacked_bar',
      'platform',
      'severity',
      'product',
    ]);
  });

  it('follows the caller: chart type and metric', () => {
    const plan = chooseChart(byMonth, { type: 'bar', metric: 'bug_count' });
    expect([plan.type, plan.metric?.key]).toEqual(['bar', 'bug_count']);
    expect(plan.rationale).toMatch(/as asked/);
    // An unknown metric falls back to the first.
    expect(chooseChart(byMonth, { metric: 'nope' }).metric?.key).toBe('rejection_rate');
  });

  it('has nothing to chart without rows or values', () => {
    expect(chooseChart({ ...byFeature, rows: [] }).type).toBe('empty');
    expect(chooseChart({ ...byFeature, rows: [{ feature: 'Login', bug_count: null }] }).rationale).toBe(
      'No Bug count values to chart.',
    );
    expect(chooseChart({ ...byFeature, metrics: [] }).type).toBe('empty');
  });
});

describe('renderChart: PNG', () => {
  const cases: [string, ChartData, object][] = [
    ['line', byMonth, {}],
    ['bar', byFeature, {}],
    ['stacked bar', byPlatformSeverity, {}],
    ['grouped bar', byPlatformSeverity, { metric: 'rejection_rate' }],
    ['faceted', threeDims, {}],
    ['empty', { ...byFeature, rows: [] }, {}],
  ];
  it.each(cases)('%s chart: a decodable, drawn PNG', async (_name, data, options) => {
    const chart = await renderChart(data, 'png', options);
    expect(chart.mimeType).toBe('image/png');
    const png = inspectPng(chart.body);
    if (chart.plan.facet === null) expect([png.width, png.height]).toEqual([800, 450]);
    else expect(png.width).toBeGreaterThan(600);
    expect(png.variance).toBeGreaterThan(50);
    // Bars and lines: background, text and at least one colour; an empty chart's text is thin.
    if (chart.plan.type !== 'empty') expect(png.colours).toBeGreaterThanOrEqual(3);
  });

  it('draws on a dark background when asked', async () => {
    const light = inspectPng((await renderChart(byFeature, 'png')).body);
    const dark = inspectPng((await renderChart(byFeature, 'png', { theme: 'dark' })).body);
    expect(dark.variance).toBeGreaterThan(50);
    const corner = async (theme: 'light' | 'dark') => {
      const { PNG } = await import('pngjs');
      const png = PNG.sync.read((await renderChart(byFeature, 'png', { theme })).body);
      return png.data[0] ?? 0;
    };
    expect(await corner('light')).toBeGreaterThan(200);
    expect(await corner('dark')).toBeLessThan(60);
    expect(light.width).toBe(dark.width);
  });

  it('sets the text of an empty chart in the shipped font, with no system font loaded', async () => {
    // The empty chart is only text: a blank image would mean resvg found no font.
    const png = inspectPng((await renderChart({ ...byFeature, rows: [] }, 'png')).body);
    expect(png.variance).toBeGreaterThan(20);
  });
});

describe('renderChart: SVG', () => {
  it('a bar chart: one bar per row, longest first, labelled, with its value', async () => {
    const doc = await svgOf(byFeature);
    expect(svgMarks(doc, 'rect')).toHaveLength(3);
    expect(svgTextsOf(doc, 'axis-label').filter((t) => /[a-z(]/i.test(t))).toEqual([
      'Checkout',
      '(none)',
      'Login',
    ]);
    expect(svgTextsOf(doc, 'title-text')).toEqual(['Bug count by feature']);
    expect(svgTextsOf(doc, 'axis-title')).toEqual(['Bug count (bugs)', 'Feature']);
    expect(
      svgMarks(doc, 'text')
        .map((t) => t.textContent)
        .sort(),
    ).toEqual(['12', '4', '7']);
  });

  it('a line: one dot per month, months in order, a percent axis for a rate', async () => {
    const doc = await svgOf(byMonth);
    expect(svgMarks(doc, 'symbol')).toHaveLength(months.length);
    expect(svgMarks(doc, 'line')).toHaveLength(1);
    const labels = svgTextsOf(doc, 'axis-label');
    expect(labels.filter((t) => /^\d{4}-\d{2}$/.test(t))).toEqual(months);
    const values = labels.filter((t) => !/^\d{4}-\d{2}$/.test(t));
    expect(values.length).toBeGreaterThan(2);
    for (const value of values) expect(value).toMatch(/^\d+%$/);
    expect(svgTextsOf(doc, 'axis-title')).toContain('Rejection rate (%)');
  });

  it('stacked and grouped bars: one bar per row, a legend in the dimension’s own order', async () => {
    for (const metric of ['bug_count', 'rejection_rate']) {
      const doc = await svgOf(byPlatformSeverity, { metric });
      expect(svgMarks(doc, 'rect')).toHaveLength(byPlatformSeverity.rows.length);
      expect(svgTextsOf(doc, 'legend-label')).toEqual(severities);
    }
  });

  it('small multiples: one panel per value of the third dimension, every row drawn', async () => {
    const doc = await svgOf(threeDims);
    expect(svgMarks(doc, 'rect')).toHaveLength(threeDims.rows.length);
    expect(svgTexts(doc)).toEqual(expect.arrayContaining(['App', 'Web', 'Product']));
  });

  it('names the shipped font', async () => {
    const svg = (await renderChart(byFeature, 'svg')).body.toString('utf8');
    expect(svg).toContain(`font-family="${FONT_FAMILY}"`);
  });

  it('an empty chart says there is nothing to chart, and why', async () => {
    const doc = await svgOf({ ...byFeature, rows: [] });
    const texts = svgMarks(doc, 'text').map((t) => t.textContent ?? '');
    expect(texts.join(' ')).toMatch(/Nothing to chart.*No rows to chart/);
  });

  it(`keeps the ${MAX_CATEGORIES} largest categories and says so`, async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ feature: `Feature ${i}`, bug_count: i }));
    const chart = await renderChart({ ...byFeature, rows }, 'svg');
    const doc = parseSvg(chart.body.toString('utf8'));
    expect(svgMarks(doc, 'rect')).toHaveLength(MAX_CATEGORIES);
    expect(svgTextsOf(doc, 'axis-label')).toContain('Feature 29');
    expect(svgTextsOf(doc, 'axis-label')).not.toContain('Feature 0');
    expect(svgTextsOf(doc, 'title-subtitle').join(' ')).toBe('Showing the 20 largest of 30 features.');
  });

  it('shortens long labels and keeps them apart', async () => {
    const long = 'Checkout with a saved credit card and a voucher code, then';
    const rows = [
      { feature: `${long} cancel`, bug_count: 3 },
      { feature: `${long} pay`, bug_count: 2 },
    ];
    const labels = svgTextsOf(await svgOf({ ...byFeature, rows }), 'axis-label').filter((t) =>
      t.startsWith('Checkout'),
    );
    expect(labels).toHaveLength(2);
    expect(new Set(labels).size).toBe(2);
    for (const label of labels) {
      expect(label.length).toBeLessThanOrEqual(28);
      expect(label).toContain('…');
    }
  });
});

describe('the text alternative', () => {
  it('says what is drawn and names the extremes and the trend', () => {
    const text = describeChart(prepareChart(byMonth));
    expect(text).toContain('Line chart "Rejection rate by month"');
    expect(text).toContain('Highest: 25% (2025-05)');
    expect(text).toContain('Lowest: 5% (2025-01)');
    expect(text).toContain('From 5% in 2025-01 to 25% in 2025-05');
  });
});

describe('shortLabels', () => {
  it('leaves short labels alone and cuts long ones at a word', () => {
    const map = shortLabels(['Login', 'A rather long feature title here'], 20);
    expect(map.get('Login')).toBe('Login');
    expect(map.get('A rather long feature title here')).toBe('A rather long…');
  });
});

describe('repeated labels', () => {
  it('gives two things of one name their ids instead of one bar', async () => {
    const rows = [
      { feature: 'Login', feature_id: 11, bug_count: 5 },
      { feature: 'Login', feature_id: 12, bug_count: 3 },
      { feature: 'Search', feature_id: 13, bug_count: 4 },
    ];
    const doc = await svgOf({ ...byFeature, dimensions: [{ ...FEATURE, idKey: 'feature_id' }], rows });
    expect(svgMarks(doc, 'rect')).toHaveLength(3);
    expect(svgTextsOf(doc, 'axis-label').filter((t) => /[a-z]/i.test(t))).toEqual([
      'Login #11',
      'Search',
      'Login #12',
    ]);
  });
});
