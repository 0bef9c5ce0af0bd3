import {
  BUG_SEVERITIES,
  REJECTION_REASONS,
  TESTING_TYPES,
  UPSTREAM_BUG_STATUSES,
  UPSTREAM_TEST_STATUSES,
  bugListResponse,
  bugResponse,
  exploratoryTestListResponse,
  exploratoryTestResponse,
  featureListResponse,
  productListResponse,
  productResponse,
  rejectReasonListResponse,
  upstreamErrorBody,
  upstreamTestEnvironment,
  upstreamUserStory,
  userStoryListResponse,
} from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunningSandbox } from '../types.js';
import {
  type BugLike,
  type ProductLike,
  type TestLike,
  allTests,
  call,
  getJson,
  start,
} from '../__fixtures__/client.js';

let sandbox: RunningSandbox;
let products: ProductLike[];
let legacy: ProductLike;
let sectioned: ProductLike;

beforeAll(async () => {
  sandbox = await start({ scale: 'small' });
  products = (await getJson<{ products: ProductLike[] }>(sandbox, '/products')).products;
  const foundLegacy = products.find((p) => p.sections.length === 0);
  const foundSectioned = products.find((p) => p.sections.length > 0);
  if (!foundLegacy || !foundSectioned) throw new Error('small scale needs a legacy and a sectioned product');
  legacy = foundLegacy;
  sectioned = foundSectioned;
});
afterAll(() => sandbox.close());

async function parsed<T extends z.ZodType>(schema: T, path: string): Promise<z.output<T>> {
  const body = await getJson(sandbox, path);
  const result = schema.safeParse(body);
  if (!result.success) throw new Error(`${path} does not parse: ${z.prettifyError(result.error)}`);
  return result.data;
}

describe('every read endpoint parses with the domain upstream schemas', () => {
  it('products, one product and the legacy default section', async () => {
    const list = await parsed(productListResponse, '/products');
    expect(list.products.length).toBe(5);
    const one = await parsed(productResponse, `/products/${legacy.id}`);
    expect(one.product.sections).toEqual([]);
    expect(one.product.sections_with_default?.map((s) => s.name)).toEqual(['default-section']);
    expect(one.product.default_section_id).toBe(one.product.sections_with_default?.[0]?.id);
  });

  it('features of a legacy product and of each section of a sectioned one', async () => {
    const features = await parsed(featureListResponse, `/products/${legacy.id}/features`);
    expect(features.features.length).toBeGreaterThan(0);
    const seen = new Map<number, number>();
    for (const section of sectioned.sections) {
      const perSection = await parsed(
        featureListResponse,
        `/products/${sectioned.id}/sections/${section.id}/features`,
      );
      for (const feature of perSection.features)
        seen.set(Number(feature.id), (seen.get(Number(feature.id)) ?? 0) + 1);
    }
    expect(seen.size).toBeGreaterThan(0);
  });

  it('user stories (list and bare single) whose titles are the strings inside features', async () => {
    const stories = await parsed(userStoryListResponse, `/products/${legacy.id}/user_stories`);
    const features = await parsed(featureListResponse, `/products/${legacy.id}/features`);
    const fromFeatures = features.features.flatMap((f) => f.user_stories ?? []);
    expect(stories.user_stories.map((s) => s.title).sort()).toEqual([...fromFeatures].sort());
    const first = stories.user_stories[0];
    if (!first) throw new Error('no stories');
    const single = await parsed(upstreamUserStory, `/user_stories/${first.id}`);
    expect(single).toEqual({ id: first.id, path: first.path, title: first.path });
    const section = sectioned.sections[0];
    if (!section) throw new Error('no section');
    await parsed(userStoryListResponse, `/products/${sectioned.id}/user_stories?section_id=${section.id}`);
  });

  it('exploratory tests, list and single, with the full field set', async () => {
    const list = await parsed(
      exploratoryTestListResponse,
      `/products/${legacy.id}/exploratory_tests?page=1&per_page=25`,
    );
    const first = list.exploratory_tests[0];
    if (!first) throw new Error('no tests');
    const single = await parsed(exploratoryTestResponse, `/exploratory_tests/${first.id}`);
    const test = single.exploratory_test;
    expect(test.product?.id).toBe(legacy.id);
    expect(test.section?.id).toBe(legacy.sections_with_default[0]?.id);
    expect(test.features?.length).toBeGreaterThan(0);
    for (const feature of test.features ?? []) expect(feature.id).not.toBe(feature.feature_id);
    expect(test.requirements?.length).toBeGreaterThan(0);
    expect(test.start_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(Object.keys(test)).toEqual(
      expect.arrayContaining([
        'test_title',
        'goal_text',
        'instructions_text',
        'out_of_scope_text',
        'testing_type',
        'attachments',
        'report_language',
        'enable_low',
        'enable_high',
        'enable_critical',
        'allow_device_clouds_test_scenario',
        'created_by',
        'submitted_by',
        'allowed_bug_types',
        'reviews',
        'review_status',
        'demo',
        'test_environment',
      ]),
    );
  });

  it('bugs: list, single, reject reasons, with the fields clients read', async () => {
    const tests = await allTests(sandbox, legacy.id);
    const archived = tests
      .filter((t) => t.status === 'archived')
      .slice(0, 15)
      .map((t) => t.id);
    const list = await parsed(bugListResponse, `/bugs?filter_test_cycle_ids=${archived.join(',')}`);
    expect(list.bugs.length).toBeGreaterThan(0);
    const bug = list.bugs[0];
    if (!bug) throw new Error('no bug');
    expect(Array.isArray(bug.steps)).toBe(true);
    expect(bug.author?.name).toEqual(expect.any(String));
    expect(bug.test_feature?.id).toEqual(expect.any(Number));
    expect(bug.product?.id).toBe(legacy.id);
    const single = await parsed(bugResponse, `/bugs/${bug.id}`);
    expect(single.bug).toEqual(bug);
    const reasons = await parsed(rejectReasonListResponse, '/bugs/reject_reasons');
    for (const reason of reasons.reject_reasons) {
      expect(reason.default_comment).toBe(REJECTION_REASONS[reason.key as keyof typeof REJECTION_REASONS]);
    }
  });

  it('test environments and test templates', async () => {
    const environments = await parsed(
      z.object({ test_environments: z.array(upstreamTestEnvironment) }),
      `/products/${legacy.id}/test_environments`,
    );
    const environment = environments.test_environments[0];
    if (!environment) throw new Error('no environment');
    const single = await parsed(
      z.object({ test_environment: upstreamTestEnvironment }),
      `/products/${legacy.id}/test_environments/${environment.id}`,
    );
    expect(single.test_environment).toEqual(environment);
    const templates = await parsed(
      z.object({
        test_templates: z.array(
          z.object({
            id: z.number().int(),
            title: z.string(),
            test_scenario_template: z.string(),
            max_test_duration: z.number(),
            min_test_duration: z.number(),
            default_test_duration: z.number(),
          }),
        ),
      }),
      `/test_templates?product_id=${legacy.id}`,
    );
    expect(Array.isArray(templates.test_templates)).toBe(true);
  });

  it('error bodies are {"error": string}', async () => {
    for (const path of ['/products/1', '/exploratory_tests/1', '/bugs/1', '/user_stories/1', '/nope']) {
      const response = await call(sandbox, path);
      expect(response.status).toBe(404);
      expect(upstreamErrorBody.safeParse(response.json()).success).toBe(true);
    }
  });
});

describe('the generated account covers the vocabularies', () => {
  it('every test status and testing type, every bug status and severity', async () => {
    const tests: TestLike[] = [];
    for (const product of products) tests.push(...(await allTests(sandbox, product.id)));
    expect(new Set(tests.map((t) => t.status))).toEqual(new Set(UPSTREAM_TEST_STATUSES));
    const types = new Set<string>();
    const bugs: BugLike[] = [];
    for (const product of products) {
      const body = await getJson<{ exploratory_tests: Array<{ testing_type: string }> }>(
        sandbox,
        `/products/${product.id}/exploratory_tests?page=1&per_page=1000`,
      );
      for (const t of body.exploratory_tests) types.add(t.testing_type);
      bugs.push(
        ...(await getJson<{ bugs: BugLike[] }>(sandbox, `/bugs?filter_product_ids=${product.id}`)).bugs,
      );
    }
    expect(types).toEqual(new Set(TESTING_TYPES));
    expect(new Set(bugs.map((b) => b.status))).toEqual(new Set(UPSTREAM_BUG_STATUSES));
    expect(new Set(bugs.map((b) => b.severity))).toEqual(new Set(BUG_SEVERITIES));

    const accepted = bugs.filter((b) => b.status === 'accepted');
    const autoShare = accepted.filter((b) => b.auto_accepted).length / accepted.length;
    expect(autoShare).toBeGreaterThan(0.2);
    expect(autoShare).toBeLessThan(0.36);
    expect(bugs.some((b) => b.known)).toBe(true);
    const rejected = bugs.filter((b) => b.status === 'rejected');
    const defaults = Object.values(REJECTION_REASONS) as string[];
    expect(rejected.every((b) => b.comments.some((c) => defaults.includes(c.body)))).toBe(true);
    // Open bugs exist only on tests that are still recent.
    const recent = new Set(
      tests.filter((t) => Date.parse(t.end_at) > Date.parse('2025-05-15T00:00:00Z')).map((t) => t.id),
    );
    expect(bugs.filter((b) => b.status === 'forwarded').every((b) => recent.has(b.test.id))).toBe(true);
    expect(bugs.every((b) => Number.isInteger(b.id) && b.id > 1_000_000)).toBe(true);
    expect(tests.every((t) => t.id > 90_000)).toBe(true);
  });
});
