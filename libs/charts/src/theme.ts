import { FONT_FAMILY } from './font.js';
import type { ChartTheme } from './types.js';

/**
 * Okabe and Ito's colour-blind-safe palette, ordered so the first colours keep contrast on the
 * background: yellow is late on white, dark blue late on dark grey.
 */
export const PALETTES: Record<ChartTheme, readonly string[]> = {
  light: ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#7F7F7F'],
  dark: ['#56B4E9', '#E69F00', '#009E73', '#CC79A7', '#F0E442', '#D55E00', '#0072B2', '#BBBBBB'],
};

interface Colours {
  readonly background: string;
  readonly text: string;
  readonly muted: string;
  readonly grid: string;
  readonly domain: string;
}

export const COLOURS: Record<ChartTheme, Colours> = {
  light: { background: '#FFFFFF', text: '#1F2328', muted: '#57606A', grid: '#E4E7EB', domain: '#8C959F' },
  dark: { background: '#1E2227', text: '#E6EDF3', muted: '#9DA7B3', grid: '#373E47', domain: '#768390' },
};

/** Sizes chosen to read at 800 x 450 and when a client shrinks the image to half. */
export function vegaLiteConfig(theme: ChartTheme): Record<string, unknown> {
  const c = COLOURS[theme];
  return {
    font: FONT_FAMILY,
    background: c.background,
    view: { stroke: null },
    range: { category: [...PALETTES[theme]] },
    title: {
      color: c.text,
      fontSize: 17,
      fontWeight: 'bold',
      subtitleColor: c.muted,
      subtitleFontSize: 12,
      anchor: 'start',
      offset: 12,
    },
    axis: {
      labelColor: c.text,
      titleColor: c.text,
      labelFontSize: 12,
      titleFontSize: 12,
      titleFontWeight: 'normal',
      gridColor: c.grid,
      domainColor: c.domain,
      tickColor: c.domain,
      labelOverlap: 'greedy',
    },
    legend: {
      labelColor: c.text,
      titleColor: c.text,
      labelFontSize: 12,
      titleFontSize: 12,
      titleFontWeight: 'normal',
      labelLimit: 170,
    },
    header: { labelColor: c.text, titleColor: c.text, labelFontSize: 12, titleFontSize: 12 },
    text: { color: c.text },
  };
}
