import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The one font every chart uses, shipped in this package (fonts/, Bitstream Vera licence), so a server
 * without any installed font still renders text. The SVG names it; resvg loads it from this file and no
 * system font; and vega lays labels out with its real glyph widths (below) instead of its guess of 0.8 em
 * per character, which leaves wide gaps beside axis labels and truncates labels that would fit.
 */
export const FONT_FAMILY = 'DejaVu Sans';

/** The font file, beside src/ in the workspace and beside dist/ in the published package. */
export const FONT_FILE = fileURLToPath(new URL('../fonts/DejaVuSans.ttf', import.meta.url));

interface Metrics {
  readonly unitsPerEm: number;
  readonly advance: ReadonlyMap<number, number>;
  readonly fallback: number;
}

let metrics: Metrics | undefined;

/** Advance widths per code point from the font's `cmap` (format 4, the BMP) and `hmtx` tables. */
function readMetrics(font: Buffer): Metrics {
  const tables = new Map<string, number>();
  const count = font.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    tables.set(font.toString('latin1', at, at + 4), font.readUInt32BE(at + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`The chart font has no '${tag}' table`);
    return offset;
  };
  const unitsPerEm = font.readUInt16BE(table('head') + 18);
  const hMetrics = font.readUInt16BE(table('hhea') + 34);
  const hmtx = table('hmtx');
  const glyphAdvance = (glyph: number): number => font.readUInt16BE(hmtx + 4 * Math.min(glyph, hMetrics - 1));

  const cmap = table('cmap');
  let sub: number | undefined;
  for (let i = 0; i < font.readUInt16BE(cmap + 2); i++) {
    const at = cmap + 4 + i * 8;
    const platform = font.readUInt16BE(at);
    const encoding = font.readUInt16BE(at + 2);
    if ((platform === 3 && encoding === 1) || (platform === 0 && encoding <= 3)) {
      const offset = cmap + font.readUInt32BE(at + 4);
      if (font.readUInt16BE(offset) === 4) sub = offset;
    }
  }
  if (sub === undefined) throw new Error('The chart font has no Unicode BMP character map');
  const segments = font.readUInt16BE(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const ranges = deltas + segments * 2;
  const advance = new Map<number, number>();
  for (let s = 0; s < segments; s++) {
    const end = font.readUInt16BE(ends + s * 2);
    const start = font.readUInt16BE(starts + s * 2);
    const delta = font.readInt16BE(deltas + s * 2);
    const rangeAt = ranges + s * 2;
    const range = font.readUInt16BE(rangeAt);
    for (let c = start; c <= end && c !== 0xffff; c++) {
      let glyph: number;
      if (range === 0) glyph = (c + delta) & 0xffff;
      else {
        const g = font.readUInt16BE(rangeAt + range + (c - start) * 2);
        glyph = g === 0 ? 0 : (g + delta) & 0xffff;
      }
      if (glyph !== 0) advance.set(c, glyphAdvance(glyph));
    }
  }
  return { unitsPerEm, advance, fallback: glyphAdvance(0) };
}

/** The width in pixels of `text` set in the chart font at `size` px (no kerning: within a pixel or two). */
export function textWidth(text: string, size: number): number {
  metrics ??= readMetrics(readFileSync(FONT_FILE));
  let units = 0;
  for (const char of text) units += metrics.advance.get(char.codePointAt(0) ?? 0) ?? metrics.fallback;
  return (units / metrics.unitsPerEm) * size;
}
