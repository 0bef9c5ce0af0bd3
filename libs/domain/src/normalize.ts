import type {
  UpstreamBug,
  UpstreamExploratoryTest,
  UpstreamFeature,
  UpstreamProduct,
  UpstreamSection,
  UpstreamUserStory,
} from './upstream/index.js';
import type { Bug, Feature, Product, Test, User, UserStory } from './entities.js';
import type { BugStatus } from './vocabulary.js';
import { DEFAULT_SECTION_NAME, REJECTION_REASONS, type RejectionReason } from './vocabulary.js';

/**
 * Pure mappings from API payloads to domain entities. They never throw on missing optional data: the
 * edge (api-client) has already validated the shape, and a sparse record is still worth keeping.
 */

/**
 * A product has sections when it lists real ones, or when `sections_with_default` holds more than the
 * default section. Legacy products expose only `default-section` and use the product-level endpoints.
 */
export function productHasSections(
  product: Pick<UpstreamProduct, 'sections' | 'sections_with_default'>,
): boolean {
  return (product.sections?.length ?? 0) > 0 || (product.sections_with_default?.length ?? 0) > 1;
}

/** The sections to query for a sectioned product: `sections`, else `sections_with_default`. */
export function productSectionList(
  product: Pick<UpstreamProduct, 'sections' | 'sections_with_default'>,
): UpstreamSection[] {
  if (product.sections && product.sections.length > 0) return product.sections;
  return product.sections_with_default ?? [];
}

export function normalizeProduct(raw: UpstreamProduct): Product {
  const hasSections = productHasSections(raw);
  return {
    id: raw.id,
    title: raw.name,
    type: raw.type ?? null,
    description: raw.description ?? null,
    default_section_id: raw.default_section_id ?? null,
    has_sections: hasSections,
    sections: hasSections
      ? productSectionList(raw).map((s) => ({
          id: s.id,
          product_id: raw.id,
          name: s.name ?? DEFAULT_SECTION_NAME,
        }))
      : [],
  };
}

export function normalizeFeature(
  raw: UpstreamFeature,
  productId: number,
  sectionIds: number[] = [],
): Feature {
  return {
    id: raw.id,
    product_id: productId,
    title: raw.title,
    description: raw.description ?? null,
    howtofind: raw.howtofind ?? null,
    section_ids: [...new Set(sectionIds)].sort((a, b) => a - b),
    user_stories: (raw.user_stories ?? []).map((s) => (typeof s === 'string' ? s : s.path)),
  };
}

export function normalizeUserStory(
  raw: UpstreamUserStory,
  productId: number,
  sectionId: number | null,
  featureId: number | null = raw.feature_id ?? null,
): UserStory {
  return {
    id: raw.id,
    product_id: productId,
    section_id: sectionId,
    feature_id: featureId,
    title: raw.title ?? raw.path,
    path: raw.path,
  };
}

/** Timestamps are stored and shown in one form: UTC with milliseconds and `Z`. */
export function toUtcIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function normalizeTest(raw: UpstreamExploratoryTest, fallbackProductId?: number): Test {
  const productId = raw.product?.id ?? fallbackProductId;
  if (productId === undefined) {
    throw new TypeError(`exploratory test ${raw.id} carries no product id`);
  }
  const env = raw.test_environment;
  return {
    id: raw.id,
    product_id: productId,
    section_id: raw.section?.id ?? null,
    title: raw.title ?? raw.test_title ?? `Test ${raw.id}`,
    status: raw.status,
    testing_type: raw.testing_type ?? null,
    goal: raw.goal_text ?? raw.goal ?? null,
    instructions: raw.instructions_text ?? raw.instructions ?? null,
    out_of_scope: raw.out_of_scope_text ?? raw.out_of_scope ?? null,
    review_status: raw.review_status ?? null,
    start_at: toUtcIso(raw.start_at),
    end_at: toUtcIso(raw.end_at),
    created_by: raw.created_by ?? null,
    submitted_by: raw.submitted_by ?? null,
    enable_low: raw.enable_low ?? null,
    enable_high: raw.enable_high ?? null,
    enable_critical: raw.enable_critical ?? null,
    environment:
      env && typeof env.id === 'number'
        ? { id: env.id, title: env.title ?? null, url: env.url ?? null }
        : null,
    features: (raw.features ?? []).map((f) => ({
      id: f.id,
      test_id: raw.id,
      feature_id: f.feature_id,
      title: f.title ?? null,
      description: f.description ?? null,
      howtofind: f.howtofind ?? f.location ?? null,
      user_stories: (f.user_stories ?? []).map((s) => (typeof s === 'string' ? s : s.path)),
      enable_default: f.enable_default ?? null,
      enable_content: f.enable_content ?? null,
      enable_visual: f.enable_visual ?? null,
    })),
    platforms: (raw.requirements ?? []).map((r) => ({
      test_id: raw.id,
      category: r.category?.name ?? r.category?.key ?? null,
      operating_system: r.operating_system?.name ?? null,
      min_version: r.min_operating_system_version?.name ?? null,
      max_version: r.max_operating_system_version?.name ?? null,
      browsers: (r.browsers ?? []).map((b) => b.name ?? b.key ?? '').filter((b) => b !== ''),
    })),
  };
}

/** Folds the API's `status` + `auto_accepted` flag into one stored status. Unknown values become null. */
export function enrichBugStatus(raw: Pick<UpstreamBug, 'status' | 'auto_accepted'>): BugStatus | null {
  switch (raw.status) {
    case 'accepted':
      return raw.auto_accepted ? 'auto_accepted' : 'accepted';
    case 'rejected':
    case 'forwarded':
      return raw.status;
    default:
      return null;
  }
}

/**
 * The reason of a rejected bug, recovered from the first comment that contains a reason's default
 * text (TestIO posts it as a comment). Null for bugs that are not rejected or carry no known text.
 */
export function parseRejectionReason(raw: Pick<UpstreamBug, 'status' | 'comments'>): RejectionReason | null {
  if (raw.status !== 'rejected') return null;
  for (const comment of raw.comments ?? []) {
    const body = comment.body ?? '';
    for (const [key, text] of Object.entries(REJECTION_REASONS) as [RejectionReason, string][]) {
      if (body.includes(text)) return key;
    }
  }
  return null;
}

function cleanText(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

export function normalizeBug(raw: UpstreamBug, fallbackTestId?: number): Bug {
  const testId = raw.test?.id ?? fallbackTestId;
  if (testId === undefined) {
    throw new TypeError(`bug ${raw.id} carries no test id`);
  }
  const steps = Array.isArray(raw.steps) ? raw.steps.join('\n') : raw.steps;
  return {
    id: raw.id,
    test_id: testId,
    product_id: raw.product?.id ?? null,
    title: raw.title ?? `Bug ${raw.id}`,
    severity: raw.severity ?? null,
    status: enrichBugStatus(raw),
    known: raw.known ?? false,
    rejection_reason: parseRejectionReason(raw),
    reported_at: toUtcIso(raw.reported_at ?? raw.created_at),
    author: cleanText(raw.author?.name),
    test_feature_id: raw.test_feature?.id ?? null,
    feature_id: raw.test_feature?.feature_id ?? raw.feature?.id ?? null,
    language: raw.language ?? null,
    location: cleanText(raw.location),
    steps: cleanText(steps),
    actual_result: cleanText(raw.actual_result),
    expected_result: cleanText(raw.expected_result),
    devices: (raw.devices ?? []).map((d) => ({
      category: d.category?.name ?? null,
      vendor: d.vendor?.name ?? null,
      device: d.devices?.name ?? null,
      operating_system: d.operating_system?.name ?? null,
      browsers: (d.browsers ?? []).map((b) => b.name ?? '').filter((b) => b !== ''),
    })),
  };
}

/** Users the API reveals: testers as bug authors, customers as test creators and submitters. */
export function usersOfTest(raw: Pick<UpstreamExploratoryTest, 'created_by' | 'submitted_by'>): User[] {
  return [raw.created_by, raw.submitted_by]
    .map(cleanText)
    .filter((u): u is string => u !== null)
    .map((username) => ({ username, user_type: 'customer' as const }));
}

export function usersOfBug(raw: Pick<UpstreamBug, 'author'>): User[] {
  const name = cleanText(raw.author?.name);
  return name ? [{ username: name, user_type: 'tester' }] : [];
}
