import type { BugSeverity, UpstreamBugStatus } from '@testio-mcp/domain';
import { formatWithOffset } from '../clock.js';
import type { ProductJson } from './catalog.js';
import { CUSTOM_REPORT } from './catalog.js';
import type { BugCore } from './bugs.js';
import { REJECTION_TEXT } from './bugs.js';
import { STREAM, rngFor } from './prng.js';
import { utcOffsetOf } from './schedule.js';
import type { GeneratedAccount, RequirementJson, TestFeatureRef } from './test-payload.js';
import { productOf } from './test-payload.js';
import { BUG_PROBLEMS, CUSTOMER_USERS, STEP_TEMPLATES, TESTER_FIRST, TESTER_SUFFIX } from './vocabulary.js';

export interface CommentJson {
  id: number;
  body: string;
  author: { name: string };
}

export interface BugJson {
  id: number;
  title: string;
  severity: BugSeverity;
  status: UpstreamBugStatus;
  auto_accepted: boolean;
  known: boolean;
  language: 'en' | 'de';
  location: string;
  expected_result: string | null;
  actual_result: string | null;
  steps: string[];
  reported_at: string;
  exported_at: string | null;
  author: { name: string };
  test: { id: number; title: string };
  test_feature: { id: number; feature_id: number };
  feature: {
    id: number;
    title: string;
    description: string | null;
    howtofind: string | null;
    user_stories: string[];
    custom_report_configurations?: Array<typeof CUSTOM_REPORT>;
  };
  product: ProductJson;
  comments: CommentJson[];
  devices: Array<{
    id: number;
    category: { name: string };
    vendor: { name: string };
    devices: { name: string };
    operating_system: { id: number; name: string };
    browsers: Array<{ name: string }>;
  }>;
  attachments: Array<{ id: number; url: string }>;
}

/** What the account's state (time and customer actions) makes of a bug right now. */
export interface BugView {
  status: UpstreamBugStatus;
  autoAccepted: boolean;
  known: boolean;
  exportedAt: number | null;
  /** Whether the generated rejection comment has been posted yet. */
  showRejection: boolean;
  extraComments: readonly CommentJson[];
}

/** Per-test facts every bug of the test repeats; computed once per test per response. */
export interface BugTestContext {
  index: number;
  testTitle: string;
  features: readonly TestFeatureRef[];
  requirements: readonly RequirementJson[];
  language: 'en' | 'de';
}

export function testerName(first: number, suffix: number): string {
  return `${TESTER_FIRST[first % TESTER_FIRST.length] ?? 'tester'}${TESTER_SUFFIX[suffix % TESTER_SUFFIX.length] ?? ''}`;
}

export function renderBug(
  account: GeneratedAccount,
  context: BugTestContext,
  k: number,
  bugId: number,
  core: BugCore,
  view: BugView,
): BugJson {
  const { table } = account;
  const index = context.index;
  const testId = table.ids[index] ?? 0;
  const product = productOf(account, index);
  const rng = rngFor(account.seed, STREAM.bugPayload, testId, k);
  const ref = rng.pick(context.features);
  const problem = rng.pick(BUG_PROBLEMS);
  const author = testerName(rng.int(0, 999), rng.int(0, 999));
  const offset = rng.chance(0.5) ? 0 : utcOffsetOf(table, index);
  const ordinal = bugId - table.bugIdBase;

  const steps = [`Navigate to ${ref.feature.title}`];
  for (const template of rng.sample(STEP_TEMPLATES, rng.int(1, 5)))
    steps.push(template.replace('{f}', ref.feature.title));

  const comments: CommentJson[] = [];
  if (rng.chance(0.1)) {
    comments.push({
      id: 3_000_000 + ordinal * 3,
      body: 'Reproduced on a second device as well.',
      author: { name: author },
    });
  }
  if (view.showRejection && core.rejectReason) {
    comments.push({
      id: 3_000_000 + ordinal * 3 + 1,
      body: REJECTION_TEXT[core.rejectReason],
      author: { name: core.rejectReason === 'request_timeout' ? 'test IO' : rng.pick(CUSTOMER_USERS) },
    });
  }
  comments.push(...view.extraComments);

  const requirement = context.requirements.length > 0 ? rng.pick(context.requirements) : null;
  const devices = requirement
    ? [
        {
          id: 5_000_000 + ordinal,
          category: { name: requirement.category.name },
          vendor: { name: requirement.vendor?.name ?? 'Generic' },
          devices: { name: requirement.devices[0]?.name ?? `${requirement.operating_system.name} device` },
          operating_system: { id: requirement.operating_system.id, name: requirement.operating_system.name },
          browsers: requirement.browsers.slice(0, 1).map((b) => ({ name: b.name })),
        },
      ]
    : [];

  const capitalised = problem.charAt(0).toUpperCase() + problem.slice(1);
  const quirk = rng.next();
  return {
    id: bugId,
    title: `${ref.feature.title}: ${capitalised}`,
    severity: core.severity,
    status: view.status,
    auto_accepted: view.autoAccepted,
    known: view.known,
    language: context.language,
    location: `https://www.${product.json.name.split(' ')[0]?.toLowerCase() ?? 'example'}.example.com/${ref.feature.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    // The live API sends empty, whitespace-only and null result fields now and then.
    expected_result:
      quirk < 0.03
        ? null
        : quirk < 0.06
          ? ''
          : `The ${ref.feature.title.toLowerCase()} works without ${problem}.`,
    actual_result: quirk < 0.03 ? null : quirk < 0.05 ? '   ' : capitalised,
    steps,
    reported_at: formatWithOffset(core.reportedAt, offset),
    exported_at: view.exportedAt === null ? null : formatWithOffset(view.exportedAt, 0),
    author: { name: author },
    test: { id: testId, title: context.testTitle },
    test_feature: { id: ref.id, feature_id: ref.feature.id },
    feature: {
      id: ref.feature.id,
      title: ref.feature.title,
      description: ref.feature.description,
      howtofind: ref.feature.howtofind,
      user_stories: ref.feature.stories.map((s) => s.path),
      ...(core.severity === 'custom' ? { custom_report_configurations: [CUSTOM_REPORT] } : {}),
    },
    product: product.json,
    comments,
    devices,
    attachments: Array.from({ length: rng.int(0, 2) }, (_, j) => ({
      id: 7_000_000 + ordinal * 2 + j,
      url: `https://upload.test.io/attachements/${bugId}-${j + 1}.png`,
    })),
  };
}
