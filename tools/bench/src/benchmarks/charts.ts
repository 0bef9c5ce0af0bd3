import { performance } from 'node:perf_hooks';
import {
  prepareChart,
  specToSvg,
  svgToPng,
  type ChartData,
  type ChartDimension,
  type ChartMetric,
} from '@testio-mcp/charts';
import { formatTable, round, writeResult } from '../results.js';
import { summarize, type LatencySummary } from '../stats.js';

/**
 * `charts`: a chart of 1,000 rows (the most query_metrics returns) of each kind the chooser picks, from
 * the table to SVG (choose, Vega-Lite compile, vega render) and from SVG to PNG (resvg), in this process.
 * The tables are made up, shaped as query answers are: the charts do not read the mirror.
 */

export interface ChartsBenchOptions {
  readonly calls: number;
}

const ROWS = 1000;
const WARMUP = 3;

const BUGS: ChartMetric = { key: 'bug_count', label: 'Bugs', format: 'count', unit: 'count' };
const RATE: ChartMetric = { key: 'rejection_rate', label: 'Rejection rate', format: 'percent' };
const dim = (key: string, kind: ChartDimension['kind']): ChartDimension => ({ key, label: key, kind });

/** Deterministic values, so every run draws the same charts. */
const value = (i: number): number => ((i * 7919) % 997) + 1;

function table(dimensions: ChartDimension[], metric: ChartMetric, sizes: number[]): ChartData {
  const rows = Array.from({ length: ROWS }, (_, i) => {
    const row: Record<string, string | number> = {};
    let rest = i;
    dimensions.forEach((d, k) => {
      const size = sizes[k] ?? 1;
      const n = rest % size;
      rest = Math.floor(rest / size);
      row[d.key] = d.kind === 'time' ? `2024-W${String(n).padStart(4, '0')}` : `${d.key} ${n}`;
    });
    row[metric.key] = metric.format === 'percent' ? value(i) / 1000 : value(i);
    return row;
  });
  return { dimensions, metrics: [metric], rows };
}

const CASES: Record<string, ChartData> = {
  'line: 1,000 weeks': table([dim('week', 'time')], RATE, [ROWS]),
  'lines: 125 weeks x 8 features': table([dim('week', 'time'), dim('feature', 'entity')], BUGS, [125, 8]),
  'bars: 1,000 features': table([dim('feature', 'entity')], BUGS, [ROWS]),
  'stacked: 50 features x 20 testers': table(
    [dim('feature', 'entity'), dim('tester', 'entity')],
    BUGS,
    [50, 20],
  ),
  'grouped: 50 features x 20 severities': table(
    [dim('feature', 'entity'), dim('severity', 'categorical')],
    RATE,
    [50, 20],
  ),
  'facets: 20 x 10 x 5': table(
    [dim('feature', 'entity'), dim('tester', 'entity'), dim('product', 'entity')],
    BUGS,
    [20, 10, 5],
  ),
};

interface Row {
  readonly chart: string;
  readonly type: string;
  readonly svg: LatencySummary;
  readonly png: LatencySummary;
  readonly total: LatencySummary;
  readonly svgKb: number;
  readonly pngKb: number;
}

export async function runChartsBenchmark(options: ChartsBenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [name, data] of Object.entries(CASES)) {
    process.stderr.write(`charts: ${name}\n`);
    const svgTimes: number[] = [];
    const pngTimes: number[] = [];
    let svg = '';
    let png: Buffer = Buffer.alloc(0);
    let type = '';
    for (let i = 0; i < WARMUP + options.calls; i++) {
      const t0 = performance.now();
      const prepared = prepareChart(data);
      svg = await specToSvg(prepared.spec);
      const t1 = performance.now();
      png = svgToPng(svg);
      const t2 = performance.now();
      type = prepared.plan.type;
      if (i >= WARMUP) {
        svgTimes.push(t1 - t0);
        pngTimes.push(t2 - t1);
      }
    }
    rows.push({
      chart: name,
      type,
      svg: summarize(svgTimes),
      png: summarize(pngTimes),
      total: summarize(svgTimes.map((t, i) => t + (pngTimes[i] ?? 0))),
      svgKb: round(Buffer.byteLength(svg) / 1024, 1),
      pngKb: round(png.length / 1024, 1),
    });
  }
  process.stdout.write(
    `${formatTable(
      [
        'chart (1,000 rows)',
        'type',
        'SVG p50 ms',
        'SVG p95',
        'PNG p50 ms',
        'PNG p95',
        'total p95',
        'SVG KB',
        'PNG KB',
      ],
      rows.map((r) => [
        r.chart,
        r.type,
        round(r.svg.p50, 1),
        round(r.svg.p95, 1),
        round(r.png.p50, 1),
        round(r.png.p95, 1),
        round(r.total.p95, 1),
        r.svgKb,
        r.pngKb,
      ]),
    )}\n`,
  );
  const file = writeResult({
    benchmark: 'charts',
    scale: `rows-${ROWS}`,
    options: { ...options, rows: ROWS },
    figures: rows,
  });
  process.stderr.write(`wrote ${file}\n`);
  return rows;
}
