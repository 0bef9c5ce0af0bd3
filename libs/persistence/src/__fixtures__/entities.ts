import {
  type Bug,
  type Feature,
  normalizeBug,
  normalizeFeature,
  normalizeProduct,
  normalizeTest,
  normalizeUserStory,
  type Product,
  type Stored,
  type Test,
  type UpstreamBug,
  type UpstreamExploratoryTest,
  type UpstreamFeature,
  type UpstreamProduct,
  type UpstreamUserStory,
  type UserStory,
} from '@testio-mcp/domain';

/** Payload builders shaped like the live API, and the stored pairs the sync engine hands the stores. */

export function productPayload(id: number, overrides: Partial<UpstreamProduct> = {}): UpstreamProduct {
  return {
    id,
    name: `Product ${id}`,
    description: `Description of product ${id}`,
    type: 'website',
    default_section_id: id * 10,
    sections: [],
    sections_with_default: [{ id: id * 10, name: 'default-section' }],
    ...overrides,
  };
}

export function storedProduct(raw: UpstreamProduct): Stored<Product, UpstreamProduct> {
  return { entity: normalizeProduct(raw), raw };
}

export function product(
  id: number,
  overrides: Partial<UpstreamProduct> = {},
): Stored<Product, UpstreamProduct> {
  return storedProduct(productPayload(id, overrides));
}

export function featurePayload(id: number, overrides: Partial<UpstreamFeature> = {}): UpstreamFeature {
  return { id, title: `Feature ${id}`, description: null, howtofind: null, user_stories: [], ...overrides };
}

export function feature(
  id: number,
  productId: number,
  overrides: Partial<UpstreamFeature> = {},
  sectionIds: number[] = [],
): Stored<Feature, UpstreamFeature> {
  const raw = featurePayload(id, overrides);
  return { entity: normalizeFeature(raw, productId, sectionIds), raw };
}

export function userStory(
  id: number,
  productId: number,
  path = `Story ${id}`,
): Stored<UserStory, UpstreamUserStory> {
  const raw: UpstreamUserStory = { id, path, title: path };
  return { entity: normalizeUserStory(raw, productId, null), raw };
}

export function testPayload(
  id: number,
  productId: number,
  overrides: Partial<UpstreamExploratoryTest> = {},
): UpstreamExploratoryTest {
  return {
    id,
    title: `Test ${id}`,
    status: 'archived',
    testing_type: 'coverage',
    goal_text: `Goal of test ${id}`,
    instructions_text: null,
    out_of_scope_text: null,
    product: { id: productId, name: `Product ${productId}` },
    start_at: '2025-01-01T10:00:00+02:00',
    end_at: '2025-01-03T10:00:00+02:00',
    created_by: 'customer.anna',
    submitted_by: 'customer.bob',
    test_environment: {
      id: 7,
      title: 'Staging',
      url: 'https://staging.example.com',
      username: 'qa-user',
      password: 's3cret-pass',
      access: 'https://staging.example.com/magic-link?token=abc',
    },
    features: [
      {
        id: id * 100 + 1,
        feature_id: 501,
        title: 'Checkout',
        user_stories: ['Pay with card'],
        enable_default: true,
      },
      { id: id * 100 + 2, feature_id: 502, title: 'Login' },
    ],
    requirements: [
      {
        category: { id: 1, key: 'computer', name: 'Computers' },
        operating_system: { id: 3, key: 'windows', name: 'Windows' },
        min_operating_system_version: { id: 10, name: '10' },
        max_operating_system_version: { id: 11, name: '11' },
        browsers: [{ id: 1, key: 'chrome', name: 'Chrome' }],
      },
    ],
    ...overrides,
  };
}

export function test(
  id: number,
  productId: number,
  overrides: Partial<UpstreamExploratoryTest> = {},
): Stored<Test, UpstreamExploratoryTest> {
  const raw = testPayload(id, productId, overrides);
  return { entity: normalizeTest(raw), raw };
}

export function bugPayload(id: number, testId: number, overrides: Partial<UpstreamBug> = {}): UpstreamBug {
  return {
    id,
    title: `Bug ${id}`,
    severity: 'high',
    status: 'accepted',
    auto_accepted: false,
    known: false,
    language: 'en',
    location: 'https://example.com/cart',
    steps: ['Open the cart', 'Press pay'],
    actual_result: 'Nothing happens',
    expected_result: 'The payment form opens',
    reported_at: '2025-01-02T12:00:00+01:00',
    author: { name: 'tester.tom' },
    test: { id: testId },
    test_feature: { id: testId * 100 + 1, feature_id: 501 },
    devices: [
      {
        category: { name: 'Computers' },
        operating_system: { name: 'Windows' },
        browsers: [{ name: 'Chrome' }],
      },
    ],
    comments: [],
    ...overrides,
  };
}

export function bug(
  id: number,
  testId: number,
  overrides: Partial<UpstreamBug> = {},
): Stored<Bug, UpstreamBug> {
  const raw = bugPayload(id, testId, overrides);
  return { entity: normalizeBug(raw), raw };
}
