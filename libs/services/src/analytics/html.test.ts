import { describe, expect, it } from 'vitest';
import { renderReportHtml } from './html.js';

const SVG = (id: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs><clipPath id="${id}"><rect/></clipPath></defs><g clip-path="url(#${id})"></g></svg>`;

describe('renderReportHtml', () => {
  const markdown = [
    '# Quality report: Shop \\<b\\>',
    '',
    '**Period:** all time · **Tests:** 3',
    '',
    '## Charts',
    '',
    '![Bar chart "Bugs by severity": 2 values.](r.bugs.png)',
    '',
    '![Line chart](r.trend.png)',
    '',
    '| Test | Bugs |',
    '| --- | ---: |',
    '| Login \\| checkout \\<script\\> (12) | 4 |',
    '',
    '- **Reduce rejections.** Review the instructions.',
    '',
  ].join('\n');
  const html = renderReportHtml('Shop <b>', markdown, [
    { file: 'r.bugs.png', svg: `<?xml version="1.0"?>\n${SVG('clip1')}` },
    { file: 'r.trend.png', svg: SVG('clip1') },
  ]);

  it('escapes text written by testers and keeps escaped pipes inside their cell', () => {
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<script');
    expect(html).toContain('<title>Shop &lt;b&gt;</title>');
    expect(html).toContain('<td>Login | checkout &lt;script&gt; (12)</td><td class="num">4</td>');
    expect(html).toContain('<li><strong>Reduce rejections.</strong> Review the instructions.</li>');
  });

  it('draws each chart inline with ids of its own, its text alternative as its label', () => {
    expect(html).not.toContain('<?xml');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('id="c0-clip1"');
    expect(html).toContain('url(#c1-clip1)');
    expect(html).toContain('aria-label="Bar chart &quot;Bugs by severity&quot;: 2 values."');
  });
});
