import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { RESULTS_DIR } from './paths.js';
import { currentBin, currentNodeFlags } from './process.js';

/** Where a benchmark ran: printed with every figure so numbers are never compared across machines blindly. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryGb: number;
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  /** Node flags of the launched `testio-mcp` processes. */
  readonly nodeFlags: readonly string[];
  /** The `testio-mcp` entry launched: the checkout's bin, or an installed package's (`--bin`). */
  readonly bin: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${platform()} ${release()}`,
    arch: arch(),
    node: process.version,
    nodeFlags: currentNodeFlags(),
    bin: currentBin(),
  };
}

export interface BenchResult {
  readonly benchmark: string;
  readonly scale: string;
  readonly options: Record<string, unknown>;
  readonly figures: unknown;
  /** Added to the file name after the scale, e.g. `postgres-x2` (the engine of a read benchmark). */
  readonly variant?: string;
}

/** Writes `<repo>/bench-results/<benchmark>-<scale>-<timestamp>.json` and returns its path. */
export function writeResult(result: BenchResult, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const at = new Date();
  const file = join(
    dir,
    `${result.benchmark}-${result.scale}${result.variant ? `-${result.variant}` : ''}-${at.toISOString().replace(/[:.]/g, '-')}.json`,
  );
  writeFileSync(
    file,
    `${JSON.stringify({ ...result, variant: undefined, date: at.toISOString(), machine: machineInfo() }, null, 2)}\n`,
  );
  return file;
}

export type Cell = string | number | null | undefined;

function show(cell: Cell): string {
  if (cell === null || cell === undefined) return '—';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return String(cell);
    if (Number.isInteger(cell)) return String(cell);
    return Math.abs(cell) >= 100 ? cell.toFixed(0) : Math.abs(cell) >= 10 ? cell.toFixed(1) : cell.toFixed(2);
  }
  return cell;
}

/** A plain-text table, numbers right-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => headers.map((_, i) => show(row[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) =>
    rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function mb(bytes: number): number {
  return round(bytes / 1024 / 1024, 1);
}
