/**
 * The quality report as one self-contained HTML page: the report's own Markdown (headings, paragraphs,
 * lists, tables, emphasis, chart images) turned into HTML, each chart image replaced by the chart's SVG
 * inline, and a stylesheet that prints to A4. Nothing is fetched: no script, font, image or style from
 * elsewhere, so the file opens offline and prints to PDF from any browser.
 *
 * The converter reads only the Markdown `renderReportMarkdown` writes (every tester- or customer-written
 * text in it is already escaped for Markdown); everything is HTML-escaped on the way out.
 */

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Inline Markdown: backslash escapes, **strong** and *emphasis*; the rest is text. */
function inline(text: string): string {
  let out = '';
  let strong = false;
  let em = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '\\' && i + 1 < text.length) {
      out += escapeHtml(text.charAt(++i));
    } else if (ch === '*' && text.charAt(i + 1) === '*') {
      out += strong ? '</strong>' : '<strong>';
      strong = !strong;
      i++;
    } else if (ch === '*') {
      out += em ? '</em>' : '<em>';
      em = !em;
    } else {
      out += escapeHtml(ch);
    }
  }
  return out + (em ? '</em>' : '') + (strong ? '</strong>' : '');
}

/** A table row's cells, split at the pipes that are not escaped. */
function cells(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body.charAt(i);
    if (ch === '\\' && i + 1 < body.length) {
      current += ch + body.charAt(++i);
    } else if (ch === '|') {
      out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current.trim());
  return out;
}

function table(lines: readonly string[]): string {
  const [head = '', sep = '', ...rows] = lines;
  const align = cells(sep).map((s) => (s.endsWith(':') ? ' class="num"' : ''));
  const th = cells(head)
    .map((c, i) => `<th${align[i] ?? ''}>${inline(c)}</th>`)
    .join('');
  const tr = rows.map(
    (r) =>
      `<tr>${cells(r)
        .map((c, i) => `<td${align[i] ?? ''}>${inline(c)}</td>`)
        .join('')}</tr>`,
  );
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr.join('\n')}\n</tbody></table>`;
}

const IMAGE = /^!\[([^\]]*)\]\(([^)]*)\)$/;

/** Markdown blocks to HTML; `![alt](file)` becomes the chart's inline SVG (or is left out). */
function blocksToHtml(markdown: string, svgByFile: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length;) {
    const line = lines[i] ?? '';
    const heading = /^(#{1,4}) (.*)$/.exec(line);
    const image = IMAGE.exec(line);
    if (line.trim() === '') {
      i++;
    } else if (heading) {
      const level = heading[1]?.length ?? 2;
      out.push(`<h${level}>${inline(heading[2] ?? '')}</h${level}>`);
      i++;
    } else if (image) {
      const svg = svgByFile.get(decodeURI(image[2] ?? ''));
      if (svg) out.push(`<figure role="img" aria-label="${escapeHtml(image[1] ?? '')}">${svg}</figure>`);
      i++;
    } else if (line.startsWith('|')) {
      const block: string[] = [];
      while (i < lines.length && (lines[i] ?? '').startsWith('|')) block.push(lines[i++] ?? '');
      out.push(table(block));
    } else if (line.startsWith('- ')) {
      const items: string[] = [];
      while (i < lines.length && (lines[i] ?? '').startsWith('- '))
        items.push(`<li>${inline((lines[i++] ?? '').slice(2))}</li>`);
      out.push(`<ul>${items.join('')}</ul>`);
    } else {
      const para: string[] = [];
      while (i < lines.length && (lines[i] ?? '').trim() !== '' && !/^(#|\||- |!\[)/.test(lines[i] ?? ''))
        para.push(lines[i++] ?? '');
      out.push(`<p>${inline(para.join(' '))}</p>`);
    }
  }
  return out.join('\n');
}

// Printable: A4 margins, tables and charts kept whole on a page, charts scaled to the page width.
const STYLE = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; background: #fff;
  max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.7rem; margin-bottom: .3rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .9rem; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0 1.5rem; } figure svg { max-width: 100%; height: auto; display: block; }
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; } table, figure { break-inside: avoid; }
}`;

/** The whole page: the report's Markdown as HTML, with `charts` (file name → SVG) drawn inline. */
export function renderReportHtml(
  title: string,
  markdown: string,
  charts: readonly { readonly file: string; readonly svg: string }[],
): string {
  const svgByFile = new Map(charts.map((c, i) => [c.file, ownIds(stripXmlProlog(c.svg), `c${i}-`)]));
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    blocksToHtml(markdown, svgByFile),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * vega numbers its clip paths from 1 in every SVG: inline in one page, the second chart's `url(#clip1)`
 * would find the first chart's clip. Each chart's ids get a prefix of their own.
 */
function ownIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`);
}

/** Inline SVG takes the element only. */
const stripXmlProlog = (svg: string): string => svg.replace(/^<\?xml[^>]*>\s*/, '');
