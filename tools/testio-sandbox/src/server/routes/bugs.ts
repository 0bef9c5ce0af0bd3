import {
  EXPORT_STATUSES,
  REJECTION_REASONS,
  type ExportStatus,
  type RejectionReason,
} from '@testio-mcp/domain';
import { Router } from 'express';
import type { Account } from '../../state/account.js';
import type { SandboxContext } from '../context.js';
import { HttpError, notFound, parseIdList, requireId, sendJson, sendJsonList, singleQuery } from '../http.js';

/** Reasons a customer can pick; `request_timeout` is only ever applied by the platform itself. */
const REJECT_REASON_NAMES: Readonly<Partial<Record<RejectionReason, string>>> = {
  device_not_relevant: 'Device not relevant',
  ignored_instructions: 'Ignored instructions',
  intended_behavior: 'Intended behavior',
  irrelevant: 'Irrelevant',
  known_bug: 'Known bug',
  not_reproducible: 'Not reproducible',
};

function isRejectReason(value: unknown): value is RejectionReason {
  return typeof value === 'string' && Object.hasOwn(REJECT_REASON_NAMES, value);
}

interface BugFilter {
  testIds: number[] | null;
  productIds: number[] | null;
  sectionIds: number[] | null;
  exportStatus: ExportStatus | null;
}

function parseFilter(query: Record<string, unknown>): BugFilter {
  const exportStatus = singleQuery(query['export_status']);
  if (exportStatus !== undefined && !(EXPORT_STATUSES as readonly string[]).includes(exportStatus)) {
    throw new HttpError(
      400,
      `export_status must be one of ${EXPORT_STATUSES.join(', ')}, got "${exportStatus}"`,
    );
  }
  return {
    testIds: parseIdList(query['filter_test_cycle_ids'], 'filter_test_cycle_ids'),
    productIds: parseIdList(query['filter_product_ids'], 'filter_product_ids'),
    sectionIds: parseIdList(query['filter_section_ids'], 'filter_section_ids'),
    exportStatus: (exportStatus as ExportStatus | undefined) ?? null,
  };
}

/** Test indices matching the filter, ascending, so bug ids come out ascending. */
function matchingTests(account: Account, filter: BugFilter): number[] {
  const { table, catalog } = account;
  let candidates: number[];
  if (filter.testIds !== null) {
    // Unknown or deleted ids are skipped rather than failing the whole batch of up to 15.
    candidates = [...new Set(filter.testIds.map((id) => account.findTest(id)).filter((index) => index >= 0))];
  } else if (filter.productIds !== null) {
    candidates = filter.productIds.flatMap((id) => {
      const product = catalog.productsById.get(id);
      return product ? [...account.productTests(product.index)] : [];
    });
  } else {
    candidates = [];
    for (let index = 0; index < table.count; index++) if (account.testExists(index)) candidates.push(index);
  }
  return candidates
    .filter((index) => {
      const product = catalog.products[table.productIndex[index] ?? 0];
      if (!product) return false;
      if (filter.productIds !== null && !filter.productIds.includes(product.id)) return false;
      if (filter.sectionIds !== null) {
        const section = product.sectionSlots[table.sectionSlot[index] ?? 0];
        if (!section || !filter.sectionIds.includes(section.id)) return false;
      }
      return true;
    })
    .sort((a, b) => a - b);
}

function* renderedBugs(
  account: Account,
  tests: readonly number[],
  exportStatus: ExportStatus | null,
): Generator<string> {
  for (const index of tests) {
    if ((account.table.bugCount[index] ?? 0) === 0) continue;
    const context = account.bugContext(index);
    const out: string[] = [];
    account.forEachVisibleBug(index, (k, bugId, core) => {
      if (exportStatus !== null && account.exportStatus(bugId, core) !== exportStatus) return;
      out.push(JSON.stringify(account.renderBug(context, k, bugId, core)));
    });
    yield* out;
  }
}

const TRANSITIONS = ['accept', 'reject', 'mark_as_known', 'mark_as_exported', 'mark_as_fixed'] as const;
type Transition = (typeof TRANSITIONS)[number];

/** Bug reads, the external-index search, and the customer's status transitions. */
export function bugRoutes(context: SandboxContext): Router {
  const router = Router();
  const { account } = context;

  const renderOne = (bugId: number) => {
    const found = account.findBug(bugId);
    if (!found) throw notFound('Bug');
    return account.renderBug(account.bugContext(found.index), found.k, bugId, found.core);
  };

  // Before /bugs/:bugId, or "reject_reasons" would be taken for an id.
  router.get('/bugs/reject_reasons', (_req, res) => {
    const reasons = Object.entries(REJECT_REASON_NAMES).map(([key, name]) => ({
      key,
      name,
      default_comment: REJECTION_REASONS[key as RejectionReason],
    }));
    sendJson(res, { reject_reasons: reasons });
  });

  router.get('/bugs', async (req, res) => {
    const filter = parseFilter(req.query);
    await sendJsonList(
      res,
      'bugs',
      renderedBugs(account, matchingTests(account, filter), filter.exportStatus),
    );
  });

  router.post('/bugs', (req, res) => {
    const body: unknown = req.body;
    const search =
      body && typeof body === 'object' ? (body as { bug?: { external_idx?: unknown } }).bug : undefined;
    const externalIdx = search?.external_idx;
    if (typeof externalIdx !== 'string' || externalIdx.trim() === '') {
      throw new HttpError(400, 'bug.external_idx is missing');
    }
    // Exported bugs carry the index `EXT-<bug id>` in the (simulated) external tracker.
    const match = /^EXT-(\d{1,15})$/.exec(externalIdx.trim());
    const found = match ? account.findBug(Number(match[1])) : null;
    const exported =
      found && match ? account.exportStatus(Number(match[1]), found.core) === 'exported' : false;
    sendJson(res, { bugs: exported && match ? [renderOne(Number(match[1]))] : [] });
  });

  router.get('/bugs/:bugId', (req, res) => {
    sendJson(res, { bug: renderOne(requireId(req.params.bugId, 'Bug')) });
  });

  for (const transition of TRANSITIONS) {
    router.put(`/bugs/:bugId/${transition}`, (req, res) => {
      const bugId = requireId(req.params.bugId, 'Bug');
      if (!account.findBug(bugId)) throw notFound('Bug');
      applyTransition(account, bugId, transition, req.body);
      sendJson(res, { bug: renderOne(bugId) });
    });
  }

  return router;
}

function applyTransition(account: Account, bugId: number, transition: Transition, body: unknown): void {
  switch (transition) {
    case 'accept':
      account.overrideBug(bugId, { status: 'accepted', autoAccepted: false });
      return;
    case 'reject': {
      const raw = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
      // [OD] sends the fields at the top level; a `bug` wrapper is accepted too.
      const fields =
        raw['bug'] && typeof raw['bug'] === 'object' ? (raw['bug'] as Record<string, unknown>) : raw;
      const reason = fields['reason'];
      const comment = fields['comment'];
      if (!isRejectReason(reason)) {
        throw new HttpError(422, `reason must be one of ${Object.keys(REJECT_REASON_NAMES).join(', ')}`);
      }
      if (typeof comment !== 'string' || comment.trim() === '')
        throw new HttpError(422, 'comment is missing');
      account.overrideBug(
        bugId,
        { status: 'rejected', autoAccepted: false, ...(reason === 'known_bug' ? { known: true } : {}) },
        comment,
      );
      return;
    }
    case 'mark_as_known':
      account.overrideBug(bugId, { known: true });
      return;
    case 'mark_as_exported':
      account.overrideBug(bugId, { exportedAt: account.now });
      return;
    case 'mark_as_fixed':
      account.overrideBug(bugId, { fixed: true });
      return;
  }
}
