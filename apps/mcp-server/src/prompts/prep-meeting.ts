import { definePrompt, percent } from './define-prompt.js';

export default definePrompt({
  name: 'prep-meeting',
  title: 'Prepare a customer meeting',
  description:
    'Turn an analysis (for example the files of analyze-product-quality or an exported quality report) into a meeting plan: narrative, evidence, slide data and a conversation guide.',
  arguments: [
    {
      name: 'analysis_dir',
      description: 'Folder with the analysis artifacts, e.g. ./acme-ebr-2025-06/ (exported reports, notes).',
      required: true,
    },
    {
      name: 'context',
      description:
        'Anything the user already knows about the meeting: type (EBR, QBR, renewal, escalation), audience, concerns.',
      required: false,
    },
  ],
  render(args, { thresholds: t }) {
    const dir = args['analysis_dir'] ?? '';
    const context = args['context'];
    return `Help me prepare a customer meeting from the analysis in \`${dir}\`.${context ? `\n\n**Note**: the user mentioned: "${context}"` : ''}

**Phase 0: ground rules**
- Read \`testio://knowledge/playbook\` and stay within its metrics and dimensions (the ones \`get_analytics_capabilities\` lists).
- Check that \`${dir}\` holds analysis artifacts (a quality report .md/.json/.tests.csv, notes). If it is empty, suggest running the \`analyze-product-quality\` prompt first, or \`generate_quality_report\` with output_file.

**Phase 1: the meeting** — ask, then propose a narrative and wait for approval:
meeting type (EBR, QBR, renewal, escalation, routine), length, who drives it, audience, what success looks like, known concerns.
Narratives: value proof before a renewal, response to an escalation, scope expansion, executive introduction, routine check-in.

**Phase 2: evidence** — list what each point of the narrative needs (figures, trends, example bugs) and what is missing.

**Phase 3: map the artifacts to the narrative**; fill gaps with \`query_metrics\`, \`generate_quality_report\`, \`list_bugs\` and \`get_bug_summary\` (ask before running many calls).

**Phase 4: write**
1. \`slide-data.md\`: the figures per slide, each with its source (tool call or file).
2. \`conversation-guide.md\`: opening, value overview, discussion questions, wrap-up, back-pocket facts.
3. Optionally a script that refreshes the figures through the REST API; read \`testio://knowledge/programmatic-access\` first.

Health words must match the thresholds in force: rejection rate warning ≥ ${percent(t.rejection_rate.warning)}, critical ≥ ${percent(t.rejection_rate.critical)}; auto-acceptance warning ≥ ${percent(t.auto_acceptance_rate.warning)}, critical ≥ ${percent(t.auto_acceptance_rate.critical)}; review rate warning ≤ ${percent(t.review_rate.warning)}, critical ≤ ${percent(t.review_rate.critical)}.
Principles: narrative first, the customer talks more than we do, every number has a source, the user approves each phase.`;
  },
});
