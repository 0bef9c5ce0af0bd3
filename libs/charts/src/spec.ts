import { chooseChart } from './choose.js';
import { labelOf, shortLabels } from './labels.js';
import { COLOURS, vegaLiteConfig } from './theme.js';
import type {
  Cell,
  ChartData,
  ChartDimension,
  ChartMetric,
  ChartOptions,
  ChartPlan,
  ChartTheme,
} from './types.js';

/** Most bars along the axis; more would not leave a readable label each at 450 px high. */
export const MAX_CATEGORIES = 20;
/** Most colours: the palette's eight. */
export const MAX_SERIES = 8;
/** Most small multiples, and most bars along each one's axis (a panel is about 180 px high). */
export const MAX_FACETS = 6;
export const MAX_FACET_CATEGORIES = 10;
/** Most labels along a time axis; the rest are left out, not drawn hidden (resvg would still set them). */
const MAX_TIME_LABELS = 12;
/** A line shows a dot per value up to this many values. */
const MAX_POINTS_WITH_DOTS = 60;
const AXIS_LABEL_CHARS = 28;
const LEGEND_LABEL_CHARS = 22;

/** One value to draw: x, series and facet labels (shortened) and the metric's value. */
export interface ChartPoint {
  readonly x: string;
  readonly s: string | null;
  readonly f: string | null;
  readonly v: number;
  /** The series' place in its dimension's natural order (stacks follow it). */
  readonly o: number;
}

export interface PreparedChart {
  readonly plan: ChartPlan;
  readonly points: readonly ChartPoint[];
  readonly title: string;
  readonly subtitle: string[];
  /** Vega-Lite's JSON: what was drawn, readable by people and models. */
  readonly spec: Record<string, unknown>;
}

const DEFAULT_WIDTH = 800;
const DEFAULT_HEIGHT = 450;

/** The labels of `dimension` ordered by the metric's total, largest first, and how many there were. */
function topValues(
  rows: ChartData['rows'],
  dimension: ChartDimension,
  metric: ChartMetric,
  keep: number,
): { kept: Set<string>; total: number } {
  const totals = new Map<string, number>();
  for (const row of rows) {
    const value = row[metric.key];
    const key = labelOf(row[dimension.key]);
    totals.set(key, Math.max(totals.get(key) ?? 0, 0) + (typeof value === 'number' ? Math.abs(value) : 0));
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { kept: new Set(ranked.slice(0, keep).map(([k]) => k)), total: ranked.length };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function axisTitle(metric: ChartMetric): string {
  if (metric.format === 'percent') return `${metric.label} (%)`;
  return metric.unit ? `${metric.label} (${metric.unit})` : metric.label;
}

export const valueFormat = (metric: ChartMetric, precise = false): string =>
  metric.format === 'percent' ? (precise ? '.1%' : '.0%') : metric.format === 'ratio' ? '.2~f' : ',.0f';

/** Rows whose labels name one thing each: a label shared by several ids gets " #<id>" appended. */
function distinctLabels(data: ChartData): ChartData['rows'] {
  const shared = new Map<ChartDimension, Set<string>>();
  for (const d of data.dimensions) {
    const idKey = d.idKey;
    if (idKey === undefined) continue;
    const ids = new Map<string, Set<Cell | undefined>>();
    for (const row of data.rows) {
      const label = labelOf(row[d.key]);
      ids.set(label, (ids.get(label) ?? new Set()).add(row[idKey]));
    }
    const labels = new Set([...ids].filter(([, set]) => set.size > 1).map(([label]) => label));
    if (labels.size > 0) shared.set(d, labels);
  }
  if (shared.size === 0) return data.rows;
  return data.rows.map((row) => {
    const out: Record<string, Cell> = { ...row };
    for (const [d, labels] of shared) {
      const label = labelOf(row[d.key]);
      const id = d.idKey === undefined ? undefined : row[d.idKey];
      if (labels.has(label) && id !== null && id !== undefined) out[d.key] = `${label} #${id}`;
    }
    return out;
  });
}

/** Chooses the chart, trims and labels the data, and writes the Vega-Lite spec. */
export function prepareChart(data: ChartData, options: ChartOptions = {}): PreparedChart {
  const theme: ChartTheme = options.theme ?? 'light';
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  const plan = chooseChart(data, options);
  const { metric, x } = plan;
  const subtitle = data.subtitle ? [data.subtitle] : [];

  if (plan.type === 'empty' || metric === null || x === null) {
    const title = data.title ?? (metric ? `${metric.label}` : 'Chart');
    return {
      plan,
      points: [],
      title,
      subtitle,
      spec: emptySpec(title, subtitle, plan.rationale, theme, width, height),
    };
  }

  const { series, facet } = plan;
  const rows = distinctLabels(data).filter((row) => typeof row[metric.key] === 'number');
  const notes: string[] = [];
  // Time keeps every value (the trend is the point); categories keep the largest.
  const xs =
    x.kind === 'time' ? null : topValues(rows, x, metric, facet ? MAX_FACET_CATEGORIES : MAX_CATEGORIES);
  const ss = series ? topValues(rows, series, metric, MAX_SERIES) : null;
  const fs = facet ? topValues(rows, facet, metric, MAX_FACETS) : null;
  if (xs && xs.kept.size < xs.total)
    notes.push(`the ${xs.kept.size} largest of ${plural(xs.total, x.label.toLowerCase())}`);
  if (ss && series && ss.kept.size < ss.total)
    notes.push(`the ${ss.kept.size} largest of ${plural(ss.total, series.label.toLowerCase())}`);
  if (fs && facet && fs.kept.size < fs.total)
    notes.push(`the ${fs.kept.size} largest of ${plural(fs.total, facet.label.toLowerCase())}`);
  const keep = rows.filter(
    (row) =>
      (!xs || xs.kept.has(labelOf(row[x.key]))) &&
      (!ss || !series || ss.kept.has(labelOf(row[series.key]))) &&
      (!fs || !facet || fs.kept.has(labelOf(row[facet.key]))),
  );
  const short = (d: ChartDimension | null, max: number) =>
    d
      ? shortLabels(
          keep.map((row) => labelOf(row[d.key])),
          max,
        )
      : null;
  const xShort = short(x, x.kind === 'time' ? 40 : AXIS_LABEL_CHARS);
  const sShort = short(series, LEGEND_LABEL_CHARS);
  const fShort = short(facet, LEGEND_LABEL_CHARS);
  const points: ChartPoint[] = keep.map((row) => ({
    x: xShort?.get(labelOf(row[x.key])) ?? '',
    s: series && sShort ? (sShort.get(labelOf(row[series.key])) ?? null) : null,
    f: facet && fShort ? (fShort.get(labelOf(row[facet.key])) ?? null) : null,
    v: row[metric.key] as number,
    o: series?.order ? series.order.indexOf(labelOf(row[series.key])) : 0,
  }));
  if (x.kind === 'time') points.sort((a, b) => a.x.localeCompare(b.x));
  if (notes.length > 0) subtitle.push(`Showing ${notes.join('; ')}.`);

  const title =
    data.title ??
    `${metric.label} by ${x.label.toLowerCase()}${series ? ` and ${series.label.toLowerCase()}` : ''}${
      facet ? `, per ${facet.label.toLowerCase()}` : ''
    }`;

  const facets = fs ? Math.min(fs.kept.size, MAX_FACETS) : 1;
  const columns = facets <= 1 ? 1 : facets <= 4 ? 2 : 3;
  const facetRows = Math.ceil(facets / columns);
  const inner = layers(plan, metric, x, points, theme, facet !== null);
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    data: { values: points },
    config: vegaLiteConfig(theme),
    background: COLOURS[theme].background,
    // Vega's fit places right-hand legends a few pixels past the width it was given; the wider right
    // padding keeps their longest labels inside the image.
    padding: { top: 16, left: 16, bottom: 16, right: 28 },
  };
  const spec: Record<string, unknown> = facet
    ? {
        ...base,
        facet: {
          field: 'f',
          type: 'nominal',
          title: facet.label,
          sort: { field: 'v', op: 'sum', order: 'descending' },
        },
        columns,
        spec: {
          // Room per panel for its own axis labels (about 70 px) and the legend (about 200 px).
          width: Math.max(110, Math.floor((width - 200 - columns * 70) / columns)),
          height: Math.max(80, Math.floor((height - 120 - subtitle.length * 16) / facetRows) - 40),
          ...inner,
        },
        resolve: { axis: { x: 'independent', y: 'independent' } },
      }
    : {
        ...base,
        width,
        height,
        autosize: { type: 'fit', contains: 'padding' },
        ...inner,
      };
  return { plan, points, title, subtitle, spec };
}

/** The marks and encodings of one chart (the whole chart, or one small multiple). */
function layers(
  plan: ChartPlan,
  metric: ChartMetric,
  x: ChartDimension,
  points: readonly ChartPoint[],
  theme: ChartTheme,
  small: boolean,
): Record<string, unknown> {
  const value = {
    field: 'v',
    type: 'quantitative',
    title: axisTitle(metric),
    axis: { format: valueFormat(metric), tickCount: small ? 3 : 6 },
    scale: { zero: true, nice: true },
  };
  // A dimension with a natural order (severities, statuses) keeps it in the legend and the stacks;
  // others list the largest series first.
  const seriesOrder = plan.series?.order
    ? plan.series.order.filter((label) => points.some((p) => p.s === label))
    : { field: 'v', op: 'sum', order: 'descending' };
  const colour = plan.series
    ? { color: { field: 's', type: 'nominal', title: plan.series.label, sort: seriesOrder } }
    : {};
  const solid = theme === 'light' ? '#0072B2' : '#56B4E9';

  if (plan.type === 'line') {
    const xs = [...new Set(points.map((p) => p.x))].sort();
    const xValues = xs.length;
    const step = Math.ceil(xValues / MAX_TIME_LABELS);
    return {
      mark: {
        type: 'line',
        strokeWidth: 2.5,
        ...(plan.series ? {} : { color: solid }),
        point:
          xValues <= MAX_POINTS_WITH_DOTS
            ? { filled: true, size: 45, ...(plan.series ? {} : { color: solid }) }
            : false,
      },
      encoding: {
        x: {
          field: 'x',
          type: 'ordinal',
          title: x.label,
          sort: 'ascending',
          axis: {
            labelAngle: xValues > 8 ? -45 : 0,
            ...(step > 1 ? { values: xs.filter((_, i) => i % step === 0) } : {}),
          },
        },
        y: value,
        ...colour,
      },
    };
  }

  // Severities and statuses read in their own order (critical first); other categories by size.
  const naturalOrder = x.order?.filter((label) => points.some((p) => p.x === label));
  const category = {
    field: 'x',
    type: 'nominal',
    title: x.label,
    sort: naturalOrder ?? { field: 'v', op: 'sum', order: 'descending' },
    axis: { labelLimit: 230 },
  };
  if (plan.type === 'bar') {
    return {
      encoding: { y: category, x: value },
      layer: [
        { mark: { type: 'bar', color: solid, cornerRadiusEnd: 2 } },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, color: COLOURS[theme].text },
          encoding: { text: { field: 'v', type: 'quantitative', format: valueFormat(metric, true) } },
        },
      ],
    };
  }
  return {
    mark: { type: 'bar' },
    encoding: {
      y: category,
      x: plan.type === 'stacked_bar' ? { ...value, stack: 'zero' } : { ...value, stack: null },
      ...colour,
      ...(plan.type === 'grouped_bar' ? { yOffset: { field: 's', sort: seriesOrder } } : {}),
      ...(plan.type === 'stacked_bar' && Array.isArray(seriesOrder)
        ? { order: { field: 'o', type: 'quantitative' } }
        : {}),
    },
  };
}

function emptySpec(
  title: string,
  subtitle: string[],
  reason: string,
  theme: ChartTheme,
  width: number,
  height: number,
): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    width,
    height,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 16,
    background: COLOURS[theme].background,
    config: vegaLiteConfig(theme),
    data: { values: [{}] },
    mark: {
      type: 'text',
      text: ['Nothing to chart', reason],
      lineHeight: 26,
      fontSize: 16,
      color: COLOURS[theme].muted,
      align: 'center',
      baseline: 'middle',
      x: { expr: 'width / 2' },
      y: { expr: 'height / 2' },
    },
  };
}
