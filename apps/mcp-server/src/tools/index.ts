import acceptBug from './accept-bug.js';
import type { AnyToolDefinition } from './define-tool.js';
import generateQualityReport, { getProductQualityReport } from './generate-quality-report.js';
import getAnalyticsCapabilities from './get-analytics-capabilities.js';
import getBugSummary from './get-bug-summary.js';
import getFeatureSummary from './get-feature-summary.js';
import getProblematicTests from './get-problematic-tests.js';
import getProductSummary from './get-product-summary.js';
import getServerDiagnostics from './get-server-diagnostics.js';
import getTestSummary from './get-test-summary.js';
import getUserSummary from './get-user-summary.js';
import listBugs from './list-bugs.js';
import markBugFixed from './mark-bug-fixed.js';
import markBugKnown from './mark-bug-known.js';
import listFeatures from './list-features.js';
import listProducts from './list-products.js';
import listTests from './list-tests.js';
import listUsers from './list-users.js';
import queryMetrics from './query-metrics.js';
import rejectBug from './reject-bug.js';
import search from './search.js';
import syncData from './sync-data.js';
import triageBugs from './triage-bugs.js';

/** Every tool, in `tools/list` order: discovery, summaries, analytics, search, admin, triage. */
export const TOOLS: readonly AnyToolDefinition[] = [
  listProducts,
  listTests,
  listFeatures,
  listUsers,
  listBugs,
  getTestSummary,
  getProductSummary,
  getFeatureSummary,
  getUserSummary,
  getBugSummary,
  generateQualityReport,
  getProductQualityReport,
  queryMetrics,
  getAnalyticsCapabilities,
  search,
  syncData,
  getServerDiagnostics,
  getProblematicTests,
  acceptBug,
  rejectBug,
  markBugKnown,
  markBugFixed,
  triageBugs,
];

export const TOOL_NAMES: readonly string[] = TOOLS.map((tool) => tool.name);
