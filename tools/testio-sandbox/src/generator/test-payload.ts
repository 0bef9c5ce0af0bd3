import { TESTING_TYPES, type UpstreamTestStatus } from '@testio-mcp/domain';
import { HOUR_MS, formatWithOffset } from '../clock.js';
import type {
  Catalog,
  FeatureRecord,
  ProductJson,
  ProductRecord,
  SectionJson,
  TestEnvironmentJson,
} from './catalog.js';
import { CUSTOM_REPORT } from './catalog.js';
import { STREAM, rngFor } from './prng.js';
import type { TestTable } from './schedule.js';
import { utcOffsetOf } from './schedule.js';
import {
  BROWSERS,
  CATEGORIES,
  CUSTOMER_USERS,
  OPERATING_SYSTEMS,
  OS_BY_PRODUCT_TYPE,
  TEST_TITLE_PREFIXES,
} from './vocabulary.js';

export interface TestFeatureJson {
  id: number;
  feature_id: number;
  title: string;
  description: string | null;
  location: string | null;
  howtofind: string | null;
  target_idx: string | null;
  enable_default: boolean | null;
  enable_content: boolean | null;
  enable_visual: boolean | null;
  custom_report_configurations: Array<typeof CUSTOM_REPORT>;
  user_stories: string[];
}

export interface RequirementJson {
  id: number;
  browsers: Array<{ id: number; name: string; key: string }>;
  category: { id: number; key: string; name: string };
  devices: Array<{ id: number; name: string }>;
  input_devices: Array<{ id: number; input_type: string }>;
  max_operating_system_version: { id: number; name: string } | null;
  min_operating_system_version: { id: number; name: string } | null;
  operating_system: { id: number; key: string; name: string };
  vendor: { id: number; name: string } | null;
  browser_based: boolean;
  gaming: boolean;
}

export interface ExploratoryTestJson {
  id: number;
  test_title: string;
  title: string;
  status: UpstreamTestStatus;
  test_environment: TestEnvironmentJson | null;
  features: TestFeatureJson[];
  goal: string;
  goal_text: string;
  out_of_scope: string;
  out_of_scope_text: string;
  instructions: string;
  instructions_text: string;
  testing_type: string;
  attachments: Array<{
    id: number;
    url: string;
    thumbnail_urls: Record<'50x50' | '150x150' | '200x200' | 'x250' | '50x36', string>;
    content_type: string;
    original_filename: string;
  }>;
  requirements: RequirementJson[];
  report_language: 'en' | 'de';
  section: SectionJson;
  product: ProductJson;
  enable_low: boolean;
  enable_high: boolean;
  enable_critical: boolean;
  allow_device_clouds_test_scenario: boolean;
  created_by: string | null;
  submitted_by: string | null;
  start_at: string;
  end_at: string;
  allowed_bug_types: string[];
  reviews: Array<{
    status: string;
    instruction_comment: string | null;
    test_environment_comment: string | null;
    feature_comment: string | null;
    bug_type_comment: string | null;
    reviewed_at: string;
  }>;
  review_status: string | null;
  demo: boolean;
}

export interface GeneratedAccount {
  seed: number;
  catalog: Catalog;
  table: TestTable;
}

/** The features a test was run against, shared by the test payload and its bugs' `test_feature`. */
export interface TestFeatureRef {
  id: number;
  feature: FeatureRecord;
  enableDefault: boolean;
  enableContent: boolean | null;
  enableVisual: boolean;
}

export function productOf(account: GeneratedAccount, index: number): ProductRecord {
  const product = account.catalog.products[account.table.productIndex[index] ?? 0];
  if (!product) throw new Error(`test index ${index} has no product`);
  return product;
}

export function testFeatures(account: GeneratedAccount, index: number): TestFeatureRef[] {
  const testId = account.table.ids[index] ?? 0;
  const product = productOf(account, index);
  const pool = product.featuresBySlot[account.table.sectionSlot[index] ?? 0] ?? product.features;
  const rng = rngFor(account.seed, STREAM.testFeatures, testId);
  const chosen = rng.sample(pool, rng.int(1, Math.min(5, pool.length)));
  return chosen.map((feature, j) => ({
    // A per-test copy of the feature: its own id space, about a million like production.
    id: testId * 9 + j,
    feature,
    enableDefault: rng.chance(0.9),
    enableContent: rng.chance(0.2) ? null : rng.chance(0.6),
    enableVisual: rng.chance(0.7),
  }));
}

export function testLanguage(account: GeneratedAccount, index: number): 'en' | 'de' {
  return rngFor(account.seed, STREAM.testLanguage, account.table.ids[index] ?? 0).chance(0.15) ? 'de' : 'en';
}

export function testTitle(
  account: GeneratedAccount,
  index: number,
  features: readonly TestFeatureRef[],
): string {
  const testId = account.table.ids[index] ?? 0;
  const rng = rngFor(account.seed, STREAM.testPayload, testId, 1);
  const prefix = rng.pick(TEST_TITLE_PREFIXES);
  const focus = features[0]?.feature.title ?? 'Full Product';
  return rng.chance(0.4)
    ? `${prefix} – ${focus} v${rng.int(1, 9)}.${rng.int(0, 30)}`
    : `${prefix} – ${focus}`;
}

export function requirementsOf(account: GeneratedAccount, index: number): RequirementJson[] {
  const testId = account.table.ids[index] ?? 0;
  const product = productOf(account, index);
  const rng = rngFor(account.seed, STREAM.testPayload, testId, 2);
  const osIds = OS_BY_PRODUCT_TYPE[product.json.type] ?? [6];
  const chosen = rng.sample(osIds, rng.int(1, Math.min(3, osIds.length)));
  return chosen.map((osId, j): RequirementJson => {
    const os = OPERATING_SYSTEMS.find((candidate) => candidate.id === osId) ?? OPERATING_SYSTEMS[0];
    if (!os) throw new Error('empty OS catalog');
    const category = CATEGORIES.find((c) => c.id === os.category) ?? CATEGORIES[0];
    const vendor = rng.chance(0.5) ? rng.pick(os.vendors) : null;
    const browserBased = product.json.type === 'website';
    return {
      id: testId * 4 + j,
      browsers: browserBased ? rng.sample(BROWSERS, rng.int(1, 2)).map((b) => ({ ...b })) : [],
      category: { ...category },
      devices: vendor && rng.chance(0.5) ? vendor.devices.map((d) => ({ ...d })) : [],
      input_devices: product.json.type === 'gaming' ? [{ id: 401, input_type: 'controller' }] : [],
      max_operating_system_version: rng.chance(0.6)
        ? null
        : { ...(os.versions[os.versions.length - 1] ?? { id: 0, name: '' }) },
      min_operating_system_version: rng.chance(0.2) ? null : { ...(os.versions[0] ?? { id: 0, name: '' }) },
      operating_system: { id: os.id, key: os.key, name: os.name },
      vendor: vendor ? { id: vendor.id, name: vendor.name } : null,
      browser_based: browserBased,
      gaming: product.json.type === 'gaming',
    };
  });
}

export function renderTest(
  account: GeneratedAccount,
  index: number,
  status: UpstreamTestStatus,
  now: number,
): ExploratoryTestJson {
  const { table } = account;
  const testId = table.ids[index] ?? 0;
  const product = productOf(account, index);
  const rng = rngFor(account.seed, STREAM.testPayload, testId, 0);
  const features = testFeatures(account, index);
  const title = testTitle(account, index, features);
  const testingType = TESTING_TYPES[table.testingType[index] ?? 0] ?? 'coverage';
  const offset = utcOffsetOf(table, index);
  const start = table.startAt[index] ?? 0;
  const end = table.endAt[index] ?? 0;
  const focus = features.map((f) => f.feature.title).join(', ');
  const reviewedAt = start - 2 * HOUR_MS - rng.int(0, 3_600) * 1000;
  const focused = testingType === 'focused';
  const enableCritical = focused ? rng.chance(0.9) : true;
  const enableHigh = focused ? rng.chance(0.7) : true;
  const enableLow = focused ? rng.chance(0.3) : true;
  const environment = rng.chance(0.03) ? null : rng.pick(product.environments);
  const allowedBugTypes = [
    'default',
    ...(rng.chance(0.7) ? ['content'] : []),
    ...(rng.chance(0.8) ? ['visual'] : []),
  ];
  const creator = rng.chance(0.25) ? null : rng.pick(CUSTOMER_USERS);
  const submitter = creator === null ? null : rng.chance(0.8) ? creator : rng.pick(CUSTOMER_USERS);
  const hasAttachment = rng.chance(0.15);
  const attachmentId = testId * 2;
  const outOfScope = rng.chance(0.5) ? 'Performance and load issues' : 'Content of third-party widgets';

  return {
    id: testId,
    test_title: title,
    title,
    status,
    test_environment: environment,
    features: features.map((ref) => ({
      id: ref.id,
      feature_id: ref.feature.id,
      title: ref.feature.title,
      description: ref.feature.description,
      location: ref.feature.howtofind,
      howtofind: ref.feature.howtofind,
      target_idx: null,
      enable_default: ref.enableDefault,
      enable_content: ref.enableContent,
      enable_visual: ref.enableVisual,
      custom_report_configurations: ref.feature.hasCustomReport ? [CUSTOM_REPORT] : [],
      user_stories: ref.feature.stories.map((s) => s.path),
    })),
    goal: `**Find functional bugs in ${focus}**`,
    goal_text: `Find functional bugs in ${focus}`,
    out_of_scope: `**${outOfScope}**`,
    out_of_scope_text: outOfScope,
    instructions: `**Use the ${environment?.title ?? 'provided'} environment.** Report each issue once.`,
    instructions_text: `Use the ${environment?.title ?? 'provided'} environment. Report each issue once.`,
    testing_type: testingType,
    attachments: hasAttachment
      ? [
          {
            id: attachmentId,
            url: `https://upload.test.io/attachments/${attachmentId}/briefing.pdf`,
            thumbnail_urls: {
              '50x50': 'https://api.test.io/assets/filethumb-fallback-1.png',
              '150x150': 'https://api.test.io/assets/filethumb-fallback-2.png',
              '200x200': 'https://api.test.io/assets/filethumb-fallback-3.png',
              x250: 'https://api.test.io/assets/filethumb-fallback-4.png',
              '50x36': 'https://api.test.io/assets/filethumb-fallback-5.png',
            },
            content_type: 'application/pdf',
            original_filename: 'briefing.pdf',
          },
        ]
      : [],
    requirements: requirementsOf(account, index),
    report_language: testLanguage(account, index),
    section:
      product.sectionSlots[table.sectionSlot[index] ?? 0] ??
      product.sectionSlots[0] ??
      fallbackSection(product),
    product: product.json,
    enable_low: enableLow,
    enable_high: enableHigh,
    enable_critical: enableCritical,
    allow_device_clouds_test_scenario: rng.chance(0.2),
    created_by: creator,
    submitted_by: submitter,
    start_at: formatWithOffset(start, offset),
    end_at: formatWithOffset(end, offset),
    allowed_bug_types: allowedBugTypes,
    reviews:
      now >= reviewedAt
        ? [
            {
              status: 'successful',
              instruction_comment: null,
              test_environment_comment: rng.chance(0.1)
                ? 'Please double-check the staging credentials.'
                : null,
              feature_comment: null,
              bug_type_comment: null,
              reviewed_at: formatWithOffset(reviewedAt, offset),
            },
          ]
        : [],
    review_status: now >= reviewedAt ? 'review_successful' : null,
    demo: false,
  };
}

function fallbackSection(product: ProductRecord): SectionJson {
  return {
    id: product.json.default_section_id,
    name: 'default-section',
    connection: null,
    test_templates: { total: 20, count: 0 },
  };
}
