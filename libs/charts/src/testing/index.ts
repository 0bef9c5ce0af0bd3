import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { PNG } from 'pngjs';

/** What a person would notice of a PNG: its size, and whether anything is drawn on it. */
export interface PngFacts {
  readonly width: number;
  readonly height: number;
  /** How many distinct colours (RGB, quantised to 4 bits a channel) cover at least 0.1% of the pixels. */
  readonly colours: number;
  /** Variance of the pixels' luminance: 0 for a blank image. */
  readonly variance: number;
}

/** Decodes a PNG (fails on anything that is not one) and measures it. */
export function inspectPng(bytes: Buffer): PngFacts {
  const png = PNG.sync.read(bytes);
  const { width, height, data } = png;
  const counts = new Map<number, number>();
  let sum = 0;
  let sumSq = 0;
  const pixels = width * height;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i] ?? 0;
    const g = data[i + 1] ?? 0;
    const b = data[i + 2] ?? 0;
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    sum += y;
    sumSq += y * y;
    const key = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const mean = sum / pixels;
  return {
    width,
    height,
    colours: [...counts.values()].filter((n) => n >= pixels / 1000).length,
    variance: sumSq / pixels - mean * mean,
  };
}

/** Parses an SVG document strictly: a malformed one throws. */
export function parseSvg(svg: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(svg, 'image/svg+xml');
  if (errors.length > 0) throw new Error(`Malformed SVG: ${errors.join('; ')}`);
  return doc;
}

const elements = (doc: Document, tag: string): Element[] => Array.from(doc.getElementsByTagName(tag));

/**
 * The drawn items of vega marks of one kind ('rect' for bars, 'symbol' for a line's dots, 'line'),
 * without the axes' and legends' own marks; `role` narrows to vega's role (`mark` = data marks).
 */
export function svgMarks(doc: Document, kind: string, role = 'mark'): Element[] {
  return elements(doc, 'g')
    .filter((g) => {
      const cls = g.getAttribute('class') ?? '';
      return cls.split(' ').includes(`mark-${kind}`) && cls.split(' ').includes(`role-${role}`);
    })
    .flatMap((g) => Array.from(g.childNodes).filter((n): n is Element => n.nodeType === 1));
}

/** The texts of an SVG, in document order. */
export const svgTexts = (doc: Document): string[] =>
  elements(doc, 'text').map((t) =>
    elements(t as unknown as Document, 'tspan').length > 0
      ? elements(t as unknown as Document, 'tspan')
          .map((s) => s.textContent ?? '')
          .join(' ')
      : (t.textContent ?? ''),
  );

/** The texts of one role (`axis-label`, `legend-label`, `title-text`...). */
export function svgTextsOf(doc: Document, role: string): string[] {
  return elements(doc, 'g')
    .filter((g) => (g.getAttribute('class') ?? '').split(' ').includes(`role-${role}`))
    .flatMap((g) => svgTexts(g as unknown as Document));
}
