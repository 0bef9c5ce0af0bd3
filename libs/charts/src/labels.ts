import type { Cell } from './types.js';

export const NONE_LABEL = '(none)';

/** A dimension value as text: null is "(none)" (the rows say unattributed). */
export const labelOf = (value: Cell | undefined): string =>
  value === null || value === undefined || value === '' ? NONE_LABEL : String(value);

/**
 * Shortens labels to `max` characters with an ellipsis, cutting at a word boundary when one is near, and
 * keeps them distinct: two long titles that share a prefix would otherwise become one bar. A clash keeps
 * the end of the label, where such titles usually differ ("Checkout – step 1" / "Checkout – step 2").
 */
export function shortLabels(labels: readonly string[], max: number): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const label of new Set(labels)) {
    let short = shorten(label, max);
    if (used.has(short)) {
      const chars = [...label];
      const tail = Math.max(4, Math.floor(max / 3));
      short = `${chars
        .slice(0, max - tail - 1)
        .join('')
        .trimEnd()}…${chars.slice(-tail).join('').trimStart()}`;
    }
    for (let n = 2; used.has(short); n++) short = `${shorten(label, max - 4)} #${n}`;
    used.add(short);
    out.set(label, short);
  }
  return out;
}

function shorten(label: string, max: number): string {
  const chars = [...label];
  if (chars.length <= max) return label;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space >= max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
