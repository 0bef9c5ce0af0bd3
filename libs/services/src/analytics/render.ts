import type { GenerateQualityReportOutput, ReportTest } from '../contracts/quality-report.js';
import type { Health } from './health.js';

/**
 * The quality report as a person reads it (Markdown) and as a spreadsheet reads it (CSV of the tests).
 * Titles come from testers and customers: table cells are escaped and shortened, CSV cells that a
 * spreadsheet would run as a formula are prefixed with a quote.
 */

type ReportData = Omit<
  GenerateQualityReportOutput,
  'markdown' | 'export' | 'data_as_of' | 'stale' | 'warnings'
>;

const HEALTH_LABEL: Record<Health, string> = {
  healthy: '✅ Healthy',
  warning: '⚠️ Warning',
  critical: '🔴 Critical',
  unknown: '⚪ No data',
};

export const REASON_LABEL: Record<string, string> = {
  device_not_relevant: 'Device not relevant',
  ignored_instructions: 'Test instructions not followed',
  intended_behavior: 'Intended behaviour',
  irrelevant: 'Not relevant',
  known_bug: 'Already known',
  not_reproducible: 'Not reproducible',
  request_timeout: 'No answer to a request within 24 h',
  unspecified: 'No reason given',
};

const STATUS_LABEL: Record<string, string> = {
  running: 'Running',
  locked: 'Locked',
  archived: 'Archived',
  customer_finalized: 'Finalized',
  cancelled: 'Cancelled',
  initialized: 'Initialized',
  waiting: 'Waiting',
};

/** A chart written beside the report: its file name (relative to the Markdown), title and text alternative. */
export interface ReportChartFile {
  readonly file: string;
  readonly title: string;
  readonly description: string;
}

/** Image alt text on one line, without the brackets that would end it. */
function altText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[[\]\\]/g, '');
}

export function pct(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}

function num(value: number): string {
  return value.toLocaleString('en-US');
}

function cell(text: string | null | undefined, max = 60): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  const short = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return (
    short
      .replace(/\\/g, '\\\\')
      .replace(/\|/g, '\\|')
      .replace(/([*_`[\]<>])/g, '\\$1') || '—'
  );
}

function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '—';
}

function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('l' | 'r')[],
): string[] {
  const sep = head.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [`| ${head.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function thresholdText(direction: 'above' | 'below', level: number): string {
  return `${direction === 'above' ? '≥' : '≤'} ${pct(level)}`;
}

function headline(r: ReportData): string {
  const s = r.summary;
  if (s.total_tests === 0) return 'No tests match this scope, so there is nothing to assess yet.';
  if (s.total_bugs === 0)
    return `${num(s.total_tests)} tests, no bugs reported: the rates cannot be assessed yet.`;
  const problems: string[] = [];
  const t = r.thresholds;
  if (s.health_indicators.rejection_rate !== 'healthy' && s.rejection_rate !== null) {
    problems.push(
      `${pct(s.rejection_rate)} of bugs were rejected (${s.health_indicators.rejection_rate} at ${thresholdText('above', s.health_indicators.rejection_rate === 'critical' ? t.rejection_rate.critical : t.rejection_rate.warning)})`,
    );
  }
  if (s.health_indicators.auto_acceptance_rate !== 'healthy' && s.auto_acceptance_rate !== null) {
    problems.push(
      `${pct(s.auto_acceptance_rate)} of accepted bugs were accepted automatically, without a review`,
    );
  }
  if (s.health_indicators.review_rate !== 'healthy' && s.review_rate !== null) {
    problems.push(`only ${pct(s.review_rate)} of bugs were reviewed by the team`);
  }
  if (problems.length === 0) {
    return `Rejection, auto-acceptance and review rates are all within the playbook thresholds.`;
  }
  return `Attention: ${problems.join('; ')}.`;
}

function recommendations(r: ReportData): string[] {
  const s = r.summary;
  const out: string[] = [];
  const topReason = r.top_rejection_reasons[0];
  if (s.health_indicators.rejection_rate === 'warning' || s.health_indicators.rejection_rate === 'critical') {
    const reason = topReason
      ? ` The most common reason is "${REASON_LABEL[topReason.reason] ?? topReason.reason}" (${pct(topReason.share)} of rejections).`
      : '';
    out.push(
      `- **Reduce rejections.** Review the test instructions, out-of-scope notes and feature descriptions so testers report what matters.${reason}`,
    );
  }
  if (
    s.health_indicators.auto_acceptance_rate === 'warning' ||
    s.health_indicators.auto_acceptance_rate === 'critical'
  ) {
    out.push(
      '- **Review bugs within 10 days.** Bugs not reviewed in time are accepted automatically; plan review time after each test, or run fewer, more focused tests.',
    );
  }
  if (s.health_indicators.review_rate === 'warning' || s.health_indicators.review_rate === 'critical') {
    out.push(`- **Close the review backlog.** ${num(s.bugs_by_status.open)} bugs are still awaiting review.`);
  }
  if (out.length === 0 && s.total_bugs > 0)
    out.push('- Keep the current review rhythm; no indicator needs action.');
  return out;
}

export function renderReportMarkdown(
  r: ReportData,
  options: {
    readonly tests: readonly ReportTest[];
    readonly totalTests: number;
    readonly dataAsOf: string | null;
    /** Chart files written beside the Markdown (relative to it), shown as images. */
    readonly charts?: readonly ReportChartFile[];
  },
): string {
  const s = r.summary;
  const t = r.thresholds;
  const lines: string[] = [];
  const statuses = r.statuses_applied.map((x) => STATUS_LABEL[x] ?? x).join(', ');
  lines.push(`# ${cell(r.title, 200)}`, '');
  lines.push(
    `**Period:** ${r.period.label} (by test end date) · **Tests included:** ${statuses}${r.test_ids ? ` · **Selected tests:** ${r.test_ids.length}` : ''}${
      options.dataAsOf ? ` · **Data as of:** ${options.dataAsOf.slice(0, 16).replace('T', ' ')} UTC` : ''
    }`,
    '',
  );
  lines.push('## Summary', '', `**Overall health: ${HEALTH_LABEL[s.health_status]}.** ${headline(r)}`, '');
  lines.push(
    ...table(
      ['Figure', 'Value'],
      [
        ['Tests', num(s.total_tests)],
        ['Bugs reported', `${num(s.total_bugs)} (${s.avg_bugs_per_test} per test)`],
        [
          'Accepted',
          `${num(s.bugs_by_status.total_accepted)} (${pct(s.overall_acceptance_rate)}): ${num(s.bugs_by_status.active_accepted)} by the team, ${num(s.bugs_by_status.auto_accepted)} automatically`,
        ],
        ['Rejected', `${num(s.bugs_by_status.rejected)} (${pct(s.rejection_rate)})`],
        ['Awaiting review', num(s.bugs_by_status.open)],
        ['Known bugs', num(s.known_bugs)],
      ],
      ['l', 'r'],
    ),
    '',
  );
  lines.push('### Health indicators', '');
  lines.push(
    ...table(
      ['Indicator', 'Value', 'Status', 'Warning', 'Critical'],
      [
        [
          'Rejection rate (rejected / all bugs)',
          pct(s.rejection_rate),
          HEALTH_LABEL[s.health_indicators.rejection_rate],
          thresholdText('above', t.rejection_rate.warning),
          thresholdText('above', t.rejection_rate.critical),
        ],
        [
          'Auto-acceptance rate (auto-accepted / accepted)',
          pct(s.auto_acceptance_rate),
          HEALTH_LABEL[s.health_indicators.auto_acceptance_rate],
          thresholdText('above', t.auto_acceptance_rate.warning),
          thresholdText('above', t.auto_acceptance_rate.critical),
        ],
        [
          'Review rate (reviewed / all bugs)',
          pct(s.review_rate),
          HEALTH_LABEL[s.health_indicators.review_rate],
          thresholdText('below', t.review_rate.warning),
          thresholdText('below', t.review_rate.critical),
        ],
      ],
      ['l', 'r', 'l', 'r', 'r'],
    ),
    '',
  );
  const recs = recommendations(r);
  if (recs.length > 0) lines.push('### Recommendations', '', ...recs, '');
  if (options.charts && options.charts.length > 0) {
    lines.push('## Charts', '');
    for (const c of options.charts)
      // No caption: the image carries its title; the alt text is the chart's text alternative.
      lines.push(`![${altText(c.description)}](${encodeURI(c.file)})`, '');
  }

  if (r.by_product.length > 1) {
    lines.push('## Products', '');
    lines.push(
      ...table(
        ['Product', 'Tests', 'Bugs', 'Accepted', 'Rejected', 'Auto-accepted', 'Reviewed', 'Health'],
        r.by_product.map((p) => [
          cell(p.product_title),
          num(p.total_tests),
          num(p.total_bugs),
          pct(p.overall_acceptance_rate),
          pct(p.rejection_rate),
          pct(p.auto_acceptance_rate),
          pct(p.review_rate),
          HEALTH_LABEL[p.health_status],
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
      '',
    );
  }

  if (s.total_bugs > 0) {
    lines.push('## Bugs by severity', '');
    lines.push(
      ...table(
        ['Severity', 'Bugs', 'Share'],
        Object.entries(s.bugs_by_severity)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => [k.charAt(0).toUpperCase() + k.slice(1), num(n), pct(n / s.total_bugs)]),
        ['l', 'r', 'r'],
      ),
      '',
    );
  }
  if (r.top_rejection_reasons.length > 0) {
    lines.push('## Why bugs were rejected', '');
    lines.push(
      ...table(
        ['Reason', 'Bugs', 'Share of rejections'],
        r.top_rejection_reasons.map((x) => [
          REASON_LABEL[x.reason] ?? cell(x.reason),
          num(x.bugs),
          pct(x.share),
        ]),
        ['l', 'r', 'r'],
      ),
      '',
    );
  }
  if (r.bugs_by_platform.length > 0) {
    lines.push(
      '## Bugs by platform',
      '',
      'Operating system of the device each bug was found on (a bug found on several systems counts for each).',
      '',
    );
    lines.push(
      ...table(
        ['Platform', 'Bugs'],
        r.bugs_by_platform
          .slice(0, 15)
          .map((p) => [cell(p.platform === 'unknown' ? 'Not named' : p.platform), num(p.bugs)]),
        ['l', 'r'],
      ),
      '',
    );
  }
  if (r.monthly_trend.length > 1) {
    lines.push('## Monthly trend', '');
    lines.push(
      ...table(
        ['Month', 'Tests', 'Bugs', 'Accepted', 'Rejected', 'Reviewed'],
        r.monthly_trend.map((m) => [
          m.month,
          num(m.tests),
          num(m.bugs),
          pct(m.overall_acceptance_rate),
          pct(m.rejection_rate),
          pct(m.review_rate),
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
  }
  if (options.tests.length > 0) {
    const heading =
      options.tests.length < options.totalTests
        ? `## Tests (newest ${options.tests.length} of ${num(options.totalTests)})`
        : '## Tests';
    const titles = new Map(r.products.map((p) => [p.id, p.title]));
    lines.push(
      heading,
      '',
      'Per-test rates of tests still running or under review change as bugs are reviewed.',
      '',
    );
    lines.push(
      ...table(
        [
          'Test',
          ...(r.products.length > 1 ? ['Product'] : []),
          'Status',
          'Ended',
          'Bugs',
          'Accepted',
          'Rejected',
          'Open',
          'Rejection rate',
          'Reviewed',
        ],
        options.tests.map((x) => [
          `${cell(x.title, 50)} (${x.test_id})`,
          ...(r.products.length > 1 ? [cell(titles.get(x.product_id) ?? String(x.product_id), 30)] : []),
          STATUS_LABEL[x.status] ?? x.status,
          day(x.end_at),
          num(x.bugs_count),
          num(x.bugs.total_accepted),
          num(x.bugs.rejected),
          num(x.bugs.open),
          pct(x.rejection_rate),
          pct(x.review_rate),
        ]),
        ['l', ...(r.products.length > 1 ? (['l'] as const) : []), 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
  }
  lines.push(
    '## How to read this report',
    '',
    '- **Accepted** bugs were accepted by the team or, after 10 days without a review, automatically by TestIO. **Rejected** bugs were turned down by the team. Bugs **awaiting review** are still open.',
    '- **Rejection rate** = rejected / all bugs. **Auto-acceptance rate** = automatically accepted / all accepted bugs. **Review rate** = bugs the team accepted or rejected / all bugs.',
    `- Health uses the playbook thresholds configured on this server: a rate at or beyond the warning level is a warning, at or beyond the critical level critical. Rates show "n/a" when there are no bugs to divide by.`,
    '',
  );
  return lines.join('\n');
}

const CSV_COLUMNS = [
  'test_id',
  'product_id',
  'product_title',
  'title',
  'status',
  'testing_type',
  'start_at',
  'end_at',
  'test_environment',
  'bugs_count',
  'active_accepted',
  'auto_accepted',
  'total_accepted',
  'rejected',
  'open',
  'reviewed',
  'active_acceptance_rate',
  'auto_acceptance_rate',
  'overall_acceptance_rate',
  'rejection_rate',
  'review_rate',
  'health_status',
] as const;

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderTestsCsv(
  tests: readonly ReportTest[],
  productTitles: ReadonlyMap<number, string>,
): string {
  const rows = tests.map((t) =>
    [
      t.test_id,
      t.product_id,
      productTitles.get(t.product_id) ?? null,
      t.title,
      t.status,
      t.testing_type,
      t.start_at,
      t.end_at,
      t.test_environment?.title ?? null,
      t.bugs_count,
      t.bugs.active_accepted,
      t.bugs.auto_accepted,
      t.bugs.total_accepted,
      t.bugs.rejected,
      t.bugs.open,
      t.bugs.reviewed,
      t.active_acceptance_rate,
      t.auto_acceptance_rate,
      t.overall_acceptance_rate,
      t.rejection_rate,
      t.review_rate,
      t.health_status,
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
