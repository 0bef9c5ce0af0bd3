import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { FONT_FAMILY, FONT_FILE, textWidth } from './font.js';
import { prepareChart, type PreparedChart } from './spec.js';
import { describeChart } from './summary.js';
import type { ChartData, ChartOptions } from './types.js';

export const CHART_FORMATS = ['svg', 'png'] as const;
export type ChartFormat = (typeof CHART_FORMATS)[number];

// Vega lays text out by a width function; without a canvas it guesses 0.8 em a character. Ours reads
// the shipped font's real widths, so labels get the room they need and no more. Set once per process.
// vega-typings do not describe `textMetrics` (vega-scenegraph's, re-exported by vega).
interface TextItem {
  readonly text?: unknown;
  readonly fontSize?: unknown;
}
const { textMetrics } = vega as unknown as {
  textMetrics: { width: (item: TextItem, text?: unknown) => number };
};
textMetrics.width = (item, text) => {
  const value = text ?? item.text;
  const size = typeof item.fontSize === 'number' ? item.fontSize : 11;
  const line = Array.isArray(value) ? value.map(String).join(' ') : String(value ?? '');
  return textWidth(line, size);
};

/** The chart as an SVG document (text set in the shipped font, named in the SVG). */
export async function specToSvg(spec: Record<string, unknown>): Promise<string> {
  const { spec: vegaSpec } = compile(spec as unknown as Parameters<typeof compile>[0]);
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG with resvg and the shipped font only (no system font is needed or read). */
export function svgToPng(svg: string, width?: number): Buffer {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: [FONT_FILE], defaultFontFamily: FONT_FAMILY },
    ...(width ? { fitTo: { mode: 'width', value: width } } : {}),
  });
  return resvg.render().asPng();
}

export interface RenderedChart extends PreparedChart {
  readonly format: ChartFormat;
  readonly mimeType: 'image/svg+xml' | 'image/png';
  /** The SVG text, or the PNG bytes. */
  readonly body: Buffer;
  /** The text alternative: what the chart shows, and its extremes. */
  readonly description: string;
}

/** Chooses, draws and renders a chart of `data` in `format`. */
export async function renderChart(
  data: ChartData,
  format: ChartFormat,
  options: ChartOptions = {},
): Promise<RenderedChart> {
  const prepared = prepareChart(data, options);
  const svg = await specToSvg(prepared.spec);
  const description = describeChart(prepared);
  return format === 'svg'
    ? { ...prepared, format, mimeType: 'image/svg+xml', body: Buffer.from(svg, 'utf8'), description }
    : { ...prepared, format, mimeType: 'image/png', body: svgToPng(svg), description };
}
