/** What the chart library knows of a table: its columns' meaning, no database and no query vocabulary. */

export type Cell = string | number | null;
export type Row = Readonly<Record<string, Cell>>;

export interface ChartDimension {
  /** The row field holding the label. */
  readonly key: string;
  /** Axis and legend title, e.g. "Month". */
  readonly label: string;
  /** `time` values sort as text (2025-01, 2025-W03, 2025-Q1) and draw as lines. */
  readonly kind: 'time' | 'categorical' | 'entity';
  /**
   * The row field of the value's id, where labels can repeat (two products each with a "Login" feature):
   * a repeated label gets its id appended, so two things never share one bar.
   */
  readonly idKey?: string;
  /** The values' natural order (severities: critical first), for legends and stacks; else by size. */
  readonly order?: readonly string[];
}

export interface ChartMetric {
  readonly key: string;
  /** Axis title without its unit, e.g. "Rejection rate". */
  readonly label: string;
  /** `percent`: a fraction 0-1 shown as %; `count`: whole things; `ratio`: a plain number (bugs per test). */
  readonly format: 'count' | 'percent' | 'ratio';
  /** The unit in the axis title, e.g. "bugs", "bugs per test"; none for percent (the title says %). */
  readonly unit?: string;
}

export interface ChartData {
  readonly dimensions: readonly ChartDimension[];
  readonly metrics: readonly ChartMetric[];
  readonly rows: readonly Row[];
  /** Default: made from the metric and dimensions ("Bugs by feature"). */
  readonly title?: string;
  /** A line under the title: the period, the filters. */
  readonly subtitle?: string;
}

export const CHART_TYPES = ['line', 'bar', 'grouped_bar', 'stacked_bar'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

export const CHART_THEMES = ['light', 'dark'] as const;
export type ChartTheme = (typeof CHART_THEMES)[number];

export interface ChartOptions {
  /** Overrides the chooser's chart type. */
  readonly type?: ChartType;
  /** Which metric goes on the value axis (default: the first). */
  readonly metric?: string;
  readonly theme?: ChartTheme;
  /** Pixels; default 800 x 450. */
  readonly width?: number;
  readonly height?: number;
}

/** What the chooser picked, and why (shown to models beside the chart). */
export interface ChartPlan {
  readonly type: ChartType | 'empty';
  readonly metric: ChartMetric | null;
  /** Categories or time along the axis. */
  readonly x: ChartDimension | null;
  /** One colour per value. */
  readonly series: ChartDimension | null;
  /** One small chart per value. */
  readonly facet: ChartDimension | null;
  readonly rationale: string;
}
