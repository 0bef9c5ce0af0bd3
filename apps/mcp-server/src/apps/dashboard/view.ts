import { HostBridge, type HostContext, type ToolResult } from './host-bridge.js';

/**
 * The product dashboard (ui://testio-mcp/product-dashboard). Everything it shows comes from the
 * server's own read tools, called through the host: generate_quality_report (trend, severity and
 * review breakdowns, rates), list_features (features with the most bugs), list_bugs (recent critical
 * bugs of the report's tests) and list_products (the selector). Text from TestIO is only ever set as
 * textContent, never parsed as HTML.
 */

interface Severity {
  critical: number;
  high: number;
  low: number;
  visual: number;
  content: number;
  custom: number;
}
interface Stats {
  total_tests: number;
  total_bugs: number;
  bugs_by_status: {
    active_accepted: number;
    auto_accepted: number;
    rejected: number;
    open: number;
  };
  bugs_by_severity: Severity;
  overall_acceptance_rate: number | null;
  rejection_rate: number | null;
  health_status: string;
}
interface Report {
  products: Array<{ id: number; title: string }>;
  period: { label: string };
  summary: Stats;
  by_test: Array<{ test_id: number }>;
  monthly_trend: Array<{
    month: string;
    tests: number;
    bugs: number;
    overall_acceptance_rate: number | null;
  }>;
  data_as_of: string | null;
}
interface Feature {
  id: number;
  title: string;
  bug_count: number;
  test_count: number;
}
interface Bug {
  id: number;
  title: string;
  status: string | null;
  test_id: number;
  reported_at: string | null;
}

const PERIODS: ReadonlyArray<{ label: string; start: string | null }> = [
  { label: 'All time', start: null },
  { label: 'Last 30 days', start: 'last 30 days' },
  { label: 'Last 90 days', start: 'last 90 days' },
  { label: 'Last 365 days', start: 'last 365 days' },
];
const SEVERITIES: ReadonlyArray<keyof Severity> = ['critical', 'high', 'low', 'visual', 'content', 'custom'];
const SVG = 'http://www.w3.org/2000/svg';

const bridge = new HostBridge(window.parent);
const state = { productId: null as number | null, period: 0, loads: 0 };

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node as T;
}

const percent = (rate: number | null): string => (rate === null ? '–' : `${Math.round(rate * 100)}%`);
const count = (n: number): string => n.toLocaleString('en-US');

/** The answer of a tool, or an Error carrying the tool's own three-part text. */
async function call<T>(name: string, args: Record<string, unknown>): Promise<T> {
  const result: ToolResult = await bridge.callTool(name, args);
  if (result.isError || !result.structuredContent) {
    throw new Error(result.content?.find((c) => c.type === 'text')?.text ?? `${name} failed`);
  }
  return result.structuredContent as T;
}

function applyHostContext(context: HostContext): void {
  if (context.theme) document.documentElement.dataset['theme'] = context.theme;
  for (const [name, value] of Object.entries(context.styles?.variables ?? {})) {
    if (value) document.documentElement.style.setProperty(name, value);
  }
}

/** A product id from what the host says the model asked for or got back. */
function productFrom(params: Record<string, unknown>): number | null {
  const args = (params['arguments'] ?? params['structuredContent'] ?? params) as Record<string, unknown>;
  const ids = args['product_ids'] ?? args['product_id'] ?? args['id'];
  const first = Array.isArray(ids) ? ids[0] : typeof ids === 'string' ? ids.split(',')[0] : ids;
  const id = Number(first);
  if (Number.isInteger(id) && id > 0) return id;
  const products = args['products'];
  if (Array.isArray(products) && products.length === 1)
    return productFrom(products[0] as Record<string, unknown>);
  return null;
}

function tile(label: string, value: string, note = '', tone = ''): HTMLElement {
  return el(
    'div',
    { class: `tile ${tone}`.trim(), 'data-metric': label.toLowerCase().replace(/\s+/g, '-') },
    el('div', { class: 'tile-label' }, label),
    el('div', { class: 'tile-value' }, value),
    el('div', { class: 'tile-note' }, note),
  );
}

/** Bugs per month as bars, the acceptance rate as a line over them. */
function trendChart(trend: Report['monthly_trend']): Element {
  const months = trend.filter((m) => m.month !== 'unknown').slice(-18);
  if (months.length === 0) return el('p', { class: 'empty' }, 'No tests ended in this period.');
  const width = 1000;
  const height = 230;
  const pad = { left: 36, right: 36, top: 12, bottom: 28 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(1, ...months.map((m) => m.bugs));
  const step = plotW / months.length;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': 'Bugs per month and acceptance rate',
  });
  chart.append(
    svg('line', {
      x1: pad.left,
      x2: width - pad.right,
      y1: pad.top + plotH,
      y2: pad.top + plotH,
      class: 'axis',
    }),
    svg('text', { x: pad.left - 6, y: pad.top + 8, class: 'tick end' }, count(max)),
    svg('text', { x: width - 2, y: pad.top + 8, class: 'tick end' }, '100%'),
  );
  const points: string[] = [];
  months.forEach((m, i) => {
    const h = (m.bugs / max) * plotH;
    const x = pad.left + i * step;
    const bar = svg('rect', {
      x: x + step * 0.15,
      y: pad.top + plotH - h,
      width: step * 0.7,
      height: Math.max(h, 0.5),
      rx: 2,
      class: 'bar',
    });
    bar.append(
      svg(
        'title',
        {},
        `${m.month}: ${m.bugs} bugs in ${m.tests} tests, ${percent(m.overall_acceptance_rate)} accepted`,
      ),
    );
    chart.append(bar);
    if (i % Math.ceil(months.length / 9) === 0) {
      chart.append(svg('text', { x: x + step / 2, y: height - 8, class: 'tick middle' }, m.month));
    }
    if (m.overall_acceptance_rate !== null) {
      points.push(`${x + step / 2},${pad.top + plotH - m.overall_acceptance_rate * plotH}`);
    }
  });
  if (points.length > 1) chart.append(svg('polyline', { points: points.join(' '), class: 'rate-line' }));
  for (const point of points) {
    const [cx = '0', cy = '0'] = point.split(',');
    chart.append(svg('circle', { cx, cy, r: 3, class: 'rate-dot' }));
  }
  return chart;
}

/** Horizontal bars with the value at the end; rows are [label, value, tone]. */
function bars(rows: ReadonlyArray<readonly [string, number, string]>, metric: string): Element {
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const list = el('div', { class: 'bars', 'data-list': metric });
  for (const [label, value, tone] of rows) {
    const fill = el('span', { class: `fill ${tone}`.trim() });
    fill.style.width = `${(value / max) * 100}%`;
    list.append(
      el(
        'div',
        { class: 'bar-row', 'data-label': label, 'data-value': String(value) },
        el('span', { class: 'bar-label', title: label }, label),
        el('span', { class: 'track' }, fill),
        el('span', { class: 'bar-value' }, count(value)),
      ),
    );
  }
  return list;
}

function card(title: string, body: Node, wide = false): HTMLElement {
  return el('section', { class: wide ? 'card wide' : 'card' }, el('h2', {}, title), body);
}

function trendCard(trend: Report['monthly_trend']): HTMLElement {
  const legend = el(
    'div',
    { class: 'legend' },
    el('span', {}, el('i', { class: 'key bar-key' }), 'bugs per month (left axis)'),
    el('span', {}, el('i', { class: 'key rate-key' }), 'acceptance rate (right axis)'),
  );
  const body = el('div', {}, trendChart(trend), legend);
  return card('Quality trend', body, true);
}

function render(report: Report, features: Feature[], critical: Bug[], criticalTotal: number): void {
  const s = report.summary;
  const product = report.products[0];
  byId('product-title').textContent = product ? product.title : 'Product';
  byId('period-label').textContent =
    `${report.period.label} · data as of ${report.data_as_of?.slice(0, 16).replace('T', ' ') ?? 'never'} UTC`;
  const status = s.bugs_by_status;
  const tiles = el(
    'div',
    { class: 'tiles' },
    tile('Tests', count(s.total_tests)),
    tile('Bugs', count(s.total_bugs)),
    tile(
      'Critical bugs',
      count(s.bugs_by_severity.critical),
      '',
      s.bugs_by_severity.critical > 0 ? 'danger' : '',
    ),
    tile('Acceptance rate', percent(s.overall_acceptance_rate)),
    tile('Rejection rate', percent(s.rejection_rate)),
    tile('Health', s.health_status, 'against the playbook thresholds', `health-${s.health_status}`),
  );
  const severity = bars(
    SEVERITIES.map((k) => [k, s.bugs_by_severity[k], `sev-${k}`] as const),
    'severity',
  );
  const review = bars(
    [
      ['accepted', status.active_accepted, 'ok'],
      ['auto-accepted', status.auto_accepted, 'warn'],
      ['rejected', status.rejected, 'danger'],
      ['open', status.open, 'info'],
    ],
    'status',
  );
  const featureBody =
    features.length === 0
      ? el('p', { class: 'empty' }, 'No features in the catalogue.')
      : bars(
          features.map((f) => [f.title, f.bug_count, ''] as const),
          'features',
        );
  const bugList =
    critical.length === 0
      ? el('p', { class: 'empty' }, 'No critical bugs in the newest tests of this period.')
      : el(
          'table',
          { class: 'bugs', 'data-list': 'critical-bugs' },
          el(
            'thead',
            {},
            el('tr', {}, el('th', {}, 'Bug'), el('th', {}, 'Status'), el('th', {}, 'Reported')),
          ),
          el(
            'tbody',
            {},
            ...critical.map((b) =>
              el(
                'tr',
                { 'data-bug-id': String(b.id) },
                el('td', {}, el('span', { class: 'bug-id' }, `#${b.id}`), ' ', b.title),
                el(
                  'td',
                  {},
                  el(
                    'span',
                    { class: `pill ${b.status ?? ''}` },
                    b.status === 'forwarded' ? 'open' : (b.status ?? '–'),
                  ),
                ),
                el('td', { class: 'num' }, b.reported_at?.slice(0, 10) ?? '–'),
              ),
            ),
          ),
        );
  byId('content').replaceChildren(
    tiles,
    el(
      'div',
      { class: 'grid' },
      trendCard(report.monthly_trend),
      card('Bugs by severity', severity),
      card('Bugs by review status', review),
      card('Features with the most bugs', featureBody),
      card(`Recent critical bugs (${count(criticalTotal)} in the newest tests)`, bugList, true),
    ),
  );
}

async function load(): Promise<void> {
  const productId = state.productId;
  if (productId === null) return;
  const ticket = ++state.loads;
  document.body.classList.add('loading');
  byId('error').hidden = true;
  const start = PERIODS[state.period]?.start ?? null;
  try {
    const report = await call<Report>('generate_quality_report', {
      product_ids: [productId],
      ...(start ? { start_date: start } : {}),
      max_tests: 100,
    });
    const testIds = report.by_test.map((t) => t.test_id);
    const [features, critical] = await Promise.all([
      call<{ features: Feature[] }>('list_features', {
        product_id: productId,
        sort_by: 'bug_count',
        sort_order: 'desc',
        per_page: 8,
      }),
      testIds.length === 0
        ? Promise.resolve({ bugs: [] as Bug[], pagination: { total_count: 0 } })
        : call<{ bugs: Bug[]; pagination: { total_count: number } }>('list_bugs', {
            test_ids: testIds,
            severity: 'critical',
            sort_by: 'reported_at',
            sort_order: 'desc',
            per_page: 6,
          }),
    ]);
    if (ticket !== state.loads) return;
    render(report, features.features, critical.bugs, critical.pagination.total_count);
    document.body.dataset['product'] = String(productId);
    document.body.dataset['ready'] = 'true';
  } catch (error) {
    if (ticket !== state.loads) return;
    const box = byId('error');
    box.textContent = error instanceof Error ? error.message : String(error);
    box.hidden = false;
  } finally {
    if (ticket === state.loads) document.body.classList.remove('loading');
  }
}

function select(productId: number | null): void {
  if (productId === null || productId === state.productId) return;
  state.productId = productId;
  const picker = byId<HTMLSelectElement>('product');
  if ([...picker.options].some((o) => o.value === String(productId))) picker.value = String(productId);
  void load();
}

async function fillProducts(): Promise<void> {
  const picker = byId<HTMLSelectElement>('product');
  const answer = await call<{ products: Array<{ id: number; name: string }> }>('list_products', {
    sort_by: 'title',
    per_page: 100,
  });
  picker.replaceChildren(...answer.products.map((p) => el('option', { value: String(p.id) }, p.name)));
  if (state.productId !== null) picker.value = String(state.productId);
  // Opened without a product (or the host said none): the first one, so the page is never empty.
  else select(answer.products[0]?.id ?? null);
}

function setUpControls(): void {
  byId<HTMLSelectElement>('product').addEventListener('change', (event) => {
    select(Number((event.target as HTMLSelectElement).value));
  });
  const periods = byId('periods');
  PERIODS.forEach((p, i) => {
    const button = el('button', { type: 'button', 'aria-pressed': String(i === state.period) }, p.label);
    button.addEventListener('click', () => {
      state.period = i;
      for (const b of periods.querySelectorAll('button'))
        b.setAttribute('aria-pressed', String(b === button));
      void load();
    });
    periods.append(button);
  });
}

function reportSize(): void {
  let last = '';
  new ResizeObserver(() => {
    const size = {
      width: document.documentElement.scrollWidth,
      height: document.documentElement.scrollHeight,
    };
    const key = `${size.width}x${size.height}`;
    if (key === last) return;
    last = key;
    bridge.notify('ui/notifications/size-changed', size);
  }).observe(document.documentElement);
}

async function main(): Promise<void> {
  setUpControls();
  bridge.on('ui/notifications/tool-input', (params) => select(productFrom(params)));
  bridge.on('ui/notifications/tool-result', (params) => select(productFrom(params)));
  bridge.on('ui/notifications/host-context-changed', (params) => applyHostContext(params as HostContext));
  applyHostContext(await bridge.initialize({ name: 'TestIO product dashboard', version: '1.0.0' }));
  reportSize();
  try {
    await fillProducts();
  } catch (error) {
    const box = byId('error');
    box.textContent = error instanceof Error ? error.message : String(error);
    box.hidden = false;
  }
}

void main();
