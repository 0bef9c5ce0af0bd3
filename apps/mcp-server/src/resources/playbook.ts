import { percent } from '../prompts/define-prompt.js';
import { defineResource } from './define-resource.js';

export default defineResource({
  uri: 'testio://knowledge/playbook',
  name: 'playbook',
  title: 'CSM playbook for TestIO data',
  description:
    'Heuristics for reading TestIO quality data (lifecycle, bug review logic, patterns, report templates) and the thresholds this server is configured with.',
  mimeType: 'text/markdown',
  read: ({ thresholds: t }) => `# CSM playbook: reading TestIO quality data

## 1. How the data comes about
- **Features** are the map of the product; **tests** (exploratory test cycles) are missions over some features, on required platforms, for a period.
- **Bugs** are what testers report during a test, with a severity (critical, high, low; or visual, content, custom) and the devices they used.
- **Review**: the customer accepts or rejects each bug. A bug left unreviewed for 10 days is **accepted automatically** (auto_accepted). Bugs awaiting review are shown as **open** (API status forwarded).
- **Known** is a tag (an already known issue), not a review outcome.

## 2. Bug review decision logic (what the customer should do)
1. Is it a real defect in scope? Accept it (mark it known if it already is).
2. Is the behaviour intended? Reject as intended behaviour, then fix the feature description or the test instructions so it is not reported again.
3. Cannot reproduce it? Ask the tester for information before rejecting as not reproducible.
4. Did the tester ignore the instructions or use an irrelevant device? Reject with that reason; consider clearer instructions or platform requirements.
5. A duplicate or already known bug? Reject as known bug, or accept and mark known.

## 3. Patterns
| Pattern | Signal (query_metrics) | What helps |
|---|---|---|
| Noisy cycle | rejection_rate ≥ ${percent(t.rejection_rate.warning)} for a test or feature, reasons intended_behavior / ignored_instructions | Sharper instructions, out-of-scope lists, updated feature descriptions |
| "Not reproducible" spike | rejection_reason = not_reproducible rising by month | Ask for more information before rejecting; require videos or logs |
| Review bandwidth | auto_acceptance_rate ≥ ${percent(t.auto_acceptance_rate.critical)} or review_rate ≤ ${percent(t.review_rate.critical)} | Plan review time after each test; rapid or focused tests; fewer, smaller cycles |
| Fragile feature | high bugs_per_test by feature over 90 days | Targeted regression tests; share with the product team |
| Platform issues | bug_count by platform and severity | Adjust platform requirements; device-specific follow-ups |
| Known-bug noise | known_bug = true share rising | Share known issues in the test instructions |

## 4. Report templates
- **Quarterly quality review**: \`generate_quality_report\` for the quarter (start_date "last quarter"), then \`query_metrics\` with dimensions ["quarter"] and metrics ["test_count","bug_count","rejection_rate","review_rate","auto_acceptance_rate"] over the last year.
- **Feature coverage**: \`query_metrics\` with dimensions ["feature"], metrics ["test_count","bugs_per_test"], start_date "90 days ago", limit 10.
- **Escalation**: tests with a rejection rate above ${percent(t.rejection_rate.critical)} (by_test of the report), then \`get_test_summary\` and \`list_bugs\` with status rejected.

## 5. Thresholds in force on this server
| Rate | Formula | Healthy | Warning | Critical |
|---|---|---|---|---|
| Rejection rate | rejected / all bugs | < ${percent(t.rejection_rate.warning)} | ${percent(t.rejection_rate.warning)} – ${percent(t.rejection_rate.critical)} | ≥ ${percent(t.rejection_rate.critical)} |
| Auto-acceptance rate | auto-accepted / accepted bugs | < ${percent(t.auto_acceptance_rate.warning)} | ${percent(t.auto_acceptance_rate.warning)} – ${percent(t.auto_acceptance_rate.critical)} | ≥ ${percent(t.auto_acceptance_rate.critical)} |
| Review rate | (accepted + rejected) / all bugs | > ${percent(t.review_rate.warning)} | ${percent(t.review_rate.critical)} – ${percent(t.review_rate.warning)} | ≤ ${percent(t.review_rate.critical)} |

Boundaries belong to the worse status (a rejection rate of exactly ${percent(t.rejection_rate.warning)} is a warning). A rate is "unknown" when there are no bugs to divide by. The thresholds come from the PLAYBOOK_* settings.
`,
});
