import {
  BugNotFoundError,
  DomainError,
  FeatureNotFoundError,
  MUTABLE_TEST_STATUSES,
  ProductNotFoundError,
  TestNotFoundError,
  UpstreamError,
  UserNotFoundError,
} from '@testio-mcp/domain';
import { MAX_DETAIL_TEXT, MAX_USER_STORIES, truncate } from '../bounds.js';
import type {
  GetBugSummaryInput,
  GetBugSummaryOutput,
  GetFeatureSummaryInput,
  GetFeatureSummaryOutput,
  GetProductSummaryInput,
  GetProductSummaryOutput,
  GetTestSummaryInput,
  GetTestSummaryOutput,
  GetUserSummaryInput,
  GetUserSummaryOutput,
} from '../contracts/summaries.js';
import { freshnessBlock, iso, oldest, refreshWarnings, type ServiceContext } from '../context.js';
import { acceptanceRates, classifyBugs, countByPlatform, countBySeverity, platformLabel } from '../rates.js';
import { minutesBetween } from './discovery.js';

const MUTABLE = new Set<string>(MUTABLE_TEST_STATUSES);
const MAX_DEVICES = 10;
const MAX_FEATURES = 50;
const RECENT_BUGS = 3;

export function createSummaryOperations(ctx: ServiceContext) {
  const { reader, readThrough, settings } = ctx;
  const inScope = (productId: number): boolean =>
    !settings.productIds || settings.productIds.includes(productId);

  async function getTestSummary(input: GetTestSummaryInput): Promise<GetTestSummaryOutput> {
    const testId = input.test_id;
    const [ref] = await reader.getTestRefs([testId]);
    if (ref && !inScope(ref.productId)) throw new TestNotFoundError(testId);
    // The test is re-read unless its status is final; its bugs follow the read-through policy.
    const testOutcome = await readThrough.ensureTestsFresh([testId], {
      force: !ref || MUTABLE.has(ref.status),
    });
    if (testOutcome.deleted.includes(testId)) {
      throw new TestNotFoundError(testId, {
        reason: 'TestIO no longer has this test (it was deleted upstream and removed from the mirror)',
      });
    }
    const testFailure = testOutcome.failed.find((f) => f.id === testId);
    if (!ref && testFailure) {
      if (testFailure.error instanceof UpstreamError && testFailure.error.status === 404)
        throw new TestNotFoundError(testId);
      if (testFailure.error instanceof DomainError) throw testFailure.error;
      throw new TestNotFoundError(testId, {
        reason: 'It is not in the mirror and TestIO could not be asked for it',
      });
    }
    const bugOutcome = await readThrough.ensureBugsFresh([testId]);
    const warnings = [
      ...refreshWarnings('test', testOutcome),
      ...refreshWarnings('bugs of test', bugOutcome),
    ];

    const test = await reader.getTestDetail(testId);
    if (!test || !inScope(test.productId)) throw new TestNotFoundError(testId);
    const bugs = await reader.listBugsOfTest(testId);

    const buckets = classifyBugs(bugs.map((b) => b.status));
    const features = test.features
      .slice(0, MAX_FEATURES)
      .map((f) => ({ id: f.featureId, name: f.title ?? `Feature ${f.featureId}` }));
    return {
      test: {
        id: test.id,
        title: test.title,
        goal: truncate(test.goal, MAX_DETAIL_TEXT),
        instructions: truncate(test.instructions, MAX_DETAIL_TEXT),
        out_of_scope: truncate(test.outOfScope, MAX_DETAIL_TEXT),
        testing_type: test.testingType,
        duration: minutesBetween(test.startAt, test.endAt),
        status: test.status,
        review_status: test.reviewStatus,
        requirements_summary:
          test.platforms.length > 0
            ? test.platforms
                .slice(0, 50)
                .map((p) => ({ platform: platformLabel(p), browsers: p.browsers.slice(0, 20) }))
            : null,
        enable_low: test.enableLow,
        enable_high: test.enableHigh,
        enable_critical: test.enableCritical,
        starts_at: iso(test.startAt),
        ends_at: iso(test.endAt),
        test_environment: test.environment,
        product: { id: test.product.id, name: test.product.title },
        feature: features[0] ?? null,
        features,
      },
      bugs: {
        total_count: buckets.total,
        known_bugs_count: bugs.filter((b) => b.known).length,
        by_severity: countBySeverity(bugs.map((b) => b.severity)),
        by_status: {
          active_accepted: buckets.active_accepted,
          auto_accepted: buckets.auto_accepted,
          total_accepted: buckets.total_accepted,
          rejected: buckets.rejected,
          open: buckets.open,
        },
        by_platform: countByPlatform(bugs.flatMap((b) => b.devices)),
        acceptance_rates: acceptanceRates(buckets, buckets.total, settings.autoAcceptanceAlertThreshold),
        recent_bugs: bugs.slice(0, RECENT_BUGS).map((b) => ({
          id: b.id,
          title: truncate(b.title, 300) ?? '',
          severity: b.severity,
          status: b.status,
          created_at: iso(b.reportedAt),
          known: b.known,
        })),
      },
      ...freshnessBlock(ctx, oldest([test.syncedAt, test.bugsSyncedAt]), {
        warnings,
        refreshFailed: testOutcome.failed.length > 0 || bugOutcome.failed.length > 0,
        policy: 'read_through',
      }),
    };
  }

  async function getProductSummary(input: GetProductSummaryInput): Promise<GetProductSummaryOutput> {
    const p = await reader.getProductSummary(input.product_id);
    if (!p || !inScope(p.id)) throw new ProductNotFoundError(input.product_id);
    return {
      id: p.id,
      title: p.title,
      type: p.type,
      description: truncate(p.description, MAX_DETAIL_TEXT),
      test_count: p.testCount,
      tests_by_status: p.testsByStatus,
      feature_count: p.featureCount,
      user_story_count: p.userStoryCount,
      last_test_end_at: iso(p.lastTestEndAt),
      last_synced: iso(p.syncedAt),
      tests_synced_at: iso(p.testsSyncedAt),
      ...freshnessBlock(ctx, p.testsSyncedAt),
    };
  }

  async function getFeatureSummary(input: GetFeatureSummaryInput): Promise<GetFeatureSummaryOutput> {
    const f = await reader.getFeatureDetail(input.feature_id);
    if (!f || !inScope(f.product.id)) {
      throw new FeatureNotFoundError(input.feature_id, {
        reason: 'The feature may not exist or has not been synced yet',
      });
    }
    const warnings =
      f.userStories.length > MAX_USER_STORIES
        ? [`Only the first ${MAX_USER_STORIES} of ${f.userStories.length} user stories are listed`]
        : [];
    return {
      id: f.id,
      title: f.title,
      description: truncate(f.description, MAX_DETAIL_TEXT),
      howtofind: truncate(f.howtofind, MAX_DETAIL_TEXT),
      user_stories: f.userStories.slice(0, MAX_USER_STORIES).map((s) => truncate(s, 300) ?? ''),
      user_story_count: f.userStoryCount,
      test_count: f.testCount,
      bug_count: f.bugCount,
      product: { id: f.product.id, name: f.product.title },
      ...freshnessBlock(ctx, f.syncedAt, { warnings }),
    };
  }

  async function getUserSummary(input: GetUserSummaryInput): Promise<GetUserSummaryOutput> {
    const u = await reader.getUserSummary(input.user_id);
    if (!u)
      throw new UserNotFoundError(input.user_id, {
        reason: 'The user may not exist or has not been synced yet',
      });
    return {
      id: u.id,
      username: u.username,
      user_type: u.isTester ? 'tester' : 'customer',
      roles: [...(u.isTester ? (['tester'] as const) : []), ...(u.isCustomer ? (['customer'] as const) : [])],
      tests_created_count: u.isCustomer ? u.testsCreated : null,
      tests_submitted_count: u.isCustomer ? u.testsSubmitted : null,
      bugs_reported_count: u.isTester ? u.bugsReported : null,
      first_seen: iso(u.firstSeenAt),
      last_activity: iso(u.lastActivityAt),
      ...freshnessBlock(ctx, await reader.usersSeenAt()),
    };
  }

  async function getBugSummary(input: GetBugSummaryInput): Promise<GetBugSummaryOutput> {
    const bugId = input.bug_id;
    const before = await reader.getBugDetail(bugId);
    if (!before || !inScope(before.product.id)) {
      throw new BugNotFoundError(bugId, { reason: 'The bug may have been deleted or not yet synced' });
    }
    const outcome = await readThrough.ensureBugsFresh([before.testId]);
    const warnings = refreshWarnings('bugs of test', outcome);
    const b =
      outcome.refreshed.length > 0 || outcome.deleted.length > 0 ? await reader.getBugDetail(bugId) : before;
    if (!b)
      throw new BugNotFoundError(bugId, {
        reason: 'TestIO no longer lists this bug; it was removed from the mirror',
      });
    return {
      id: b.id,
      title: b.title,
      severity: b.severity,
      status: b.status,
      known: b.known,
      actual_result: truncate(b.actualResult, MAX_DETAIL_TEXT),
      expected_result: truncate(b.expectedResult, MAX_DETAIL_TEXT),
      steps: truncate(b.steps, MAX_DETAIL_TEXT),
      rejection_reason: b.rejectionReason,
      reported_by_user: b.reporter,
      test: { id: b.test.id, title: b.test.title },
      product: { id: b.product.id, name: b.product.title },
      feature: b.feature,
      devices: b.devices.slice(0, MAX_DEVICES).map((d) => ({
        category: d.category,
        operating_system: d.operating_system,
        device: d.device,
        browsers: d.browsers.slice(0, 20),
      })),
      reported_at: iso(b.reportedAt),
      ...freshnessBlock(ctx, b.test.bugsSyncedAt, {
        warnings,
        refreshFailed: outcome.failed.length > 0,
        policy: 'read_through',
      }),
    };
  }

  return { getTestSummary, getProductSummary, getFeatureSummary, getUserSummary, getBugSummary };
}
