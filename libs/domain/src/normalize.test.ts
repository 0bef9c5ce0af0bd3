import { describe, expect, it } from 'vitest';
import {
  enrichBugStatus,
  normalizeBug,
  normalizeProduct,
  normalizeTest,
  parseRejectionReason,
  productHasSections,
  productSectionList,
  usersOfBug,
  usersOfTest,
} from './normalize.js';
import { bugResponse, exploratoryTestResponse, productListResponse } from './upstream/index.js';

describe('section detection', () => {
  // The three shapes TestIO serves, as seen on production products 21362, 24959 and 18559.
  const legacy = { sections: [], sections_with_default: [{ id: 21855, name: 'default-section' }] };
  const sectionedByDefaultList = {
    sections: [],
    sections_with_default: [
      { id: 25543, name: 'Section 1' },
      { id: 25544, name: 'Section 2' },
    ],
  };
  const sectioned = { sections: [{ id: 100 }, { id: 101 }], sections_with_default: [] };

  it('treats a product with only the default section as legacy', () => {
    expect(productHasSections(legacy)).toBe(false);
  });

  it('detects sections listed only in sections_with_default', () => {
    expect(productHasSections(sectionedByDefaultList)).toBe(true);
    expect(productSectionList(sectionedByDefaultList).map((s) => s.id)).toEqual([25543, 25544]);
  });

  it('prefers the real sections list', () => {
    expect(productHasSections(sectioned)).toBe(true);
    expect(productSectionList(sectioned).map((s) => s.id)).toEqual([100, 101]);
  });
});

describe('bug status enrichment', () => {
  it('splits auto-accepted bugs from customer-accepted ones', () => {
    expect(enrichBugStatus({ status: 'accepted', auto_accepted: true })).toBe('auto_accepted');
    expect(enrichBugStatus({ status: 'accepted', auto_accepted: false })).toBe('accepted');
    expect(enrichBugStatus({ status: 'accepted' })).toBe('accepted');
    expect(enrichBugStatus({ status: 'forwarded' })).toBe('forwarded');
    expect(enrichBugStatus({ status: 'rejected', auto_accepted: true })).toBe('rejected');
  });

  it('does not invent a status for values it does not know', () => {
    expect(enrichBugStatus({ status: 'pending' })).toBeNull();
    expect(enrichBugStatus({})).toBeNull();
  });
});

describe('rejection reasons', () => {
  it('finds the reason in the first comment carrying a default text', () => {
    const comments = [
      { body: 'Thanks for the report' },
      { body: 'Rejected - The behaviour/design described here is intentional.' },
      { body: 'This is a legit bug but already known.' },
    ];
    expect(parseRejectionReason({ status: 'rejected', comments })).toBe('intended_behavior');
  });

  it('is null for bugs that are not rejected, even with a reason text', () => {
    expect(
      parseRejectionReason({
        status: 'accepted',
        comments: [{ body: 'This is a legit bug but already known.' }],
      }),
    ).toBeNull();
  });

  it('recognises the automatic request timeout rejection', () => {
    const body =
      "Your bug was rejected automatically, because you didn't respond to the request within 24 hours";
    expect(parseRejectionReason({ status: 'rejected', comments: [{ body }] })).toBe('request_timeout');
  });
});

describe('payload normalisation', () => {
  it('maps a product with a legacy default section to one without sections', () => {
    const body = productListResponse.parse({
      products: [
        {
          id: 598,
          name: 'Shop',
          description: null,
          type: 'website',
          default_section_id: 2,
          sections: [],
          sections_with_default: [{ id: 2, name: 'default-section' }],
          unknown_new_field: 'kept by the loose schema, ignored here',
        },
      ],
    });
    const [first] = body.products;
    if (!first) throw new Error('expected one product');
    const product = normalizeProduct(first);
    expect(product).toEqual({
      id: 598,
      title: 'Shop',
      type: 'website',
      description: null,
      default_section_id: 2,
      has_sections: false,
      sections: [],
    });
  });

  it('normalises a test: offsets to UTC, test-feature ids kept apart from feature ids, platforms', () => {
    const { exploratory_test: raw } = exploratoryTestResponse.parse({
      exploratory_test: {
        id: 109363,
        title: 'Homepage Test',
        status: 'locked',
        testing_type: 'coverage',
        goal: '**Test goal**',
        goal_text: 'Test goal',
        start_at: '2021-04-08T13:00:00+02:00',
        end_at: '2021-04-09T13:00:00+02:00',
        product: { id: 598, name: 'Shop' },
        section: { id: 2, name: 'default-section' },
        features: [
          { id: 1042409, feature_id: 196992, title: 'Login', location: 'Top right', user_stories: null },
        ],
        requirements: [
          {
            id: 1,
            category: { id: 1, key: 'computer', name: 'Computers' },
            operating_system: { id: 6, key: 'windows', name: 'Windows' },
            min_operating_system_version: { id: 198, name: '10' },
            max_operating_system_version: null,
            browsers: [{ id: 2, name: 'Chrome', key: 'chrome' }],
          },
        ],
        created_by: 'jane.customer',
        submitted_by: null,
      },
    });
    const test = normalizeTest(raw);
    expect(test.start_at).toBe('2021-04-08T11:00:00.000Z');
    expect(test.end_at).toBe('2021-04-09T11:00:00.000Z');
    expect(test.goal).toBe('Test goal');
    expect(test.features[0]).toMatchObject({
      id: 1042409,
      feature_id: 196992,
      howtofind: 'Top right',
      user_stories: [],
    });
    expect(test.platforms).toEqual([
      {
        test_id: 109363,
        category: 'Computers',
        operating_system: 'Windows',
        min_version: '10',
        max_version: null,
        browsers: ['Chrome'],
      },
    ]);
    expect(usersOfTest(raw)).toEqual([{ username: 'jane.customer', user_type: 'customer' }]);
  });

  it('rejects timestamps without an offset at the edge', () => {
    const result = exploratoryTestResponse.safeParse({
      exploratory_test: { id: 1, status: 'running', start_at: '2021-04-08T13:00:00' },
    });
    expect(result.success).toBe(false);
  });

  it('normalises a bug: list steps joined, blank results dropped, reason and tester kept', () => {
    const { bug: raw } = bugResponse.parse({
      bug: {
        id: 12345,
        title: 'Login button not clickable',
        severity: 'critical',
        status: 'rejected',
        auto_accepted: false,
        steps: ['Navigate to login', 'Click button'],
        actual_result: '   ',
        expected_result: 'Button should navigate',
        reported_at: '2025-11-28T10:30:00+00:00',
        author: { name: 'john_doe' },
        test: { id: 109363, title: 'Homepage Test' },
        test_feature: { id: 1042409, feature_id: 196992 },
        comments: [
          { id: 1, body: 'The behaviour/design described here is intentional.', author: { name: 'cs' } },
        ],
        devices: [
          {
            id: 7,
            category: { name: 'Smartphones' },
            vendor: { name: 'Google' },
            devices: { name: 'Nexus 5' },
            operating_system: { id: 3, name: 'Android' },
            browsers: [{ name: 'Chrome' }],
          },
        ],
      },
    });
    const bug = normalizeBug(raw);
    expect(bug).toMatchObject({
      id: 12345,
      test_id: 109363,
      status: 'rejected',
      rejection_reason: 'intended_behavior',
      steps: 'Navigate to login\nClick button',
      actual_result: null,
      expected_result: 'Button should navigate',
      reported_at: '2025-11-28T10:30:00.000Z',
      author: 'john_doe',
      test_feature_id: 1042409,
      feature_id: 196992,
      known: false,
    });
    expect(bug.devices).toEqual([
      {
        category: 'Smartphones',
        vendor: 'Google',
        device: 'Nexus 5',
        operating_system: 'Android',
        browsers: ['Chrome'],
      },
    ]);
    expect(usersOfBug(raw)).toEqual([{ username: 'john_doe', user_type: 'tester' }]);
  });

  it('accepts string ids from older payloads and the blueprint string form of steps', () => {
    const { bug } = bugResponse.parse({ bug: { id: '77', steps: 'Open the page', test: { id: '1' } } });
    expect(bug.id).toBe(77);
    expect(normalizeBug(bug)).toMatchObject({ id: 77, test_id: 1, steps: 'Open the page', status: null });
  });
});
