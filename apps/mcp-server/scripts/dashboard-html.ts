import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The dashboard as one self-contained HTML document: the view's TypeScript bundled by esbuild (a dev
 * dependency, so this runs at development time and the result is committed) and the CSS, inlined into
 * the template. Hosts render it in a sandboxed iframe whose CSP allows inline script and style only.
 */

const DIR = fileURLToPath(new URL('../src/apps/dashboard/', import.meta.url));
/** A module rather than an .html file: it is bundled with the server (tools/package) like any code. */
export const DASHBOARD_HTML_PATH = `${DIR}dashboard-html.generated.ts`;

/** The generated module's text. */
export async function buildDashboardModule(): Promise<string> {
  const bundle = await build({
    entryPoints: [`${DIR}view.ts`],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.text.trim() ?? '';
  const css = readFileSync(`${DIR}dashboard.css`, 'utf8').trim();
  const template = readFileSync(`${DIR}dashboard.template.html`, 'utf8');
  // `</` inside the inline script would end it early; `<\/` means the same in JavaScript strings.
  const html = template
    .replace('/* STYLES */', () => css)
    .replace('/* SCRIPT */', () => script.replaceAll('</', '<\\/'));
  return [
    '// Generated from view.ts, host-bridge.ts, dashboard.css and dashboard.template.html by',
    '// `npm run build:apps`; do not edit (src/apps/apps.test.ts fails when it is out of date).',
    `export const DASHBOARD_HTML = ${JSON.stringify(html)};`,
    '',
  ].join('\n');
}
