import { BUG_SEVERITIES, BUG_STATUSES, UPSTREAM_TEST_STATUSES } from '@testio-mcp/domain';
import { mappingErrors } from './errors.js';
import type { Prisma, PrismaClient } from './generated/prisma/client.js';

/** Counts in the shape of the sandbox's ground truth (`GET /_sandbox/truth`), so tests compare directly. */
export interface EntityCounts {
  tests: number;
  bugs: number;
  /** Every upstream test status, zero when absent, plus any other status found. */
  testsByStatus: Record<string, number>;
  /** Enriched bug statuses; bugs without a status count under `unknown` (key present only then). */
  bugsByStatus: Record<string, number>;
  bugsBySeverity: Record<string, number>;
}

export interface ProductCounts extends EntityCounts {
  id: number;
  name: string;
  hasSections: boolean;
  sectionIds: number[];
  features: number;
  userStories: number;
}

export interface MirrorCounts {
  totals: EntityCounts & { products: number; features: number; userStories: number };
  products: ProductCounts[];
}

const PRODUCT_SELECT = {
  id: true,
  title: true,
  hasSections: true,
  sections: { select: { id: true }, orderBy: { id: 'asc' } },
  _count: { select: { features: true, userStories: true } },
} satisfies Prisma.ProductSelect;

function emptyCounts(): EntityCounts {
  return {
    tests: 0,
    bugs: 0,
    testsByStatus: Object.fromEntries(UPSTREAM_TEST_STATUSES.map((s) => [s, 0])),
    bugsByStatus: Object.fromEntries(BUG_STATUSES.map((s) => [s, 0])),
    bugsBySeverity: Object.fromEntries(BUG_SEVERITIES.map((s) => [s, 0])),
  };
}

function bump(record: Record<string, number>, key: string | null, by: number): void {
  const k = key ?? 'unknown';
  record[k] = (record[k] ?? 0) + by;
}

/** One product's row and catalogue sizes, as both engines read them. */
export interface ProductCountRow {
  id: number;
  title: string;
  hasSections: boolean;
  sectionIds: number[];
  features: number;
  userStories: number;
}

/** `count(*)` of one product's rows grouped by one column (status or severity). */
export interface GroupCount {
  productId: number;
  key: string | null;
  n: number;
}

/** The truth-comparison shape from grouped counts (shared by the SQLite and PostgreSQL queries). */
export function buildMirrorCounts(input: {
  products: ProductCountRow[];
  testGroups: GroupCount[];
  bugStatusGroups: GroupCount[];
  bugSeverityGroups: GroupCount[];
}): MirrorCounts {
  const byProduct = new Map<number, ProductCounts>(
    input.products.map((p) => [
      p.id,
      {
        id: p.id,
        name: p.title,
        hasSections: p.hasSections,
        sectionIds: p.sectionIds,
        features: p.features,
        userStories: p.userStories,
        ...emptyCounts(),
      },
    ]),
  );
  for (const g of input.testGroups) {
    const p = byProduct.get(g.productId);
    if (!p) continue;
    p.tests += g.n;
    bump(p.testsByStatus, g.key, g.n);
  }
  for (const g of input.bugStatusGroups) {
    const p = byProduct.get(g.productId);
    if (!p) continue;
    p.bugs += g.n;
    bump(p.bugsByStatus, g.key, g.n);
  }
  for (const g of input.bugSeverityGroups) {
    const p = byProduct.get(g.productId);
    if (p) bump(p.bugsBySeverity, g.key, g.n);
  }

  const totals = { ...emptyCounts(), products: input.products.length, features: 0, userStories: 0 };
  for (const p of byProduct.values()) {
    totals.tests += p.tests;
    totals.bugs += p.bugs;
    totals.features += p.features;
    totals.userStories += p.userStories;
    for (const [k, v] of Object.entries(p.testsByStatus)) bump(totals.testsByStatus, k, v);
    for (const [k, v] of Object.entries(p.bugsByStatus)) bump(totals.bugsByStatus, k, v);
    for (const [k, v] of Object.entries(p.bugsBySeverity)) bump(totals.bugsBySeverity, k, v);
  }
  return { totals, products: [...byProduct.values()] };
}

/**
 * Read-only, intent-named queries over the mirror of one tenant, through Prisma, for the tests that
 * compare the mirror with the sandbox's ground truth (no production path uses it; ADR 0017). The client
 * is asked for on first use, so a database nobody checks never opens one.
 */
export class MirrorQueries {
  constructor(
    private readonly client: () => PrismaClient,
    private readonly customerId: number,
  ) {}

  /** Per product and in total: tests by status, bugs by enriched status and by severity, catalogue sizes. */
  countsForTruthComparison(): Promise<MirrorCounts> {
    const customerId = this.customerId;
    return mappingErrors(async () => {
      // One read transaction: all four answers come from the same snapshot.
      const { products, testGroups, bugStatusGroups, bugSeverityGroups } = await this.client().$transaction(
        async (tx) => ({
          products: await tx.product.findMany({
            where: { customerId },
            select: PRODUCT_SELECT,
            orderBy: { id: 'asc' },
          }),
          testGroups: await tx.test.groupBy({
            by: ['productId', 'status'],
            where: { customerId },
            _count: { _all: true },
          }),
          bugStatusGroups: await tx.bug.groupBy({
            by: ['productId', 'status'],
            where: { customerId },
            _count: { _all: true },
          }),
          bugSeverityGroups: await tx.bug.groupBy({
            by: ['productId', 'severity'],
            where: { customerId },
            _count: { _all: true },
          }),
        }),
      );
      return buildMirrorCounts({
        products: products.map((p) => ({
          id: p.id,
          title: p.title,
          hasSections: p.hasSections,
          sectionIds: p.sections.map((section) => section.id),
          features: p._count.features,
          userStories: p._count.userStories,
        })),
        testGroups: testGroups.map((g) => ({ productId: g.productId, key: g.status, n: g._count._all })),
        bugStatusGroups: bugStatusGroups.map((g) => ({
          productId: g.productId,
          key: g.status,
          n: g._count._all,
        })),
        bugSeverityGroups: bugSeverityGroups.map((g) => ({
          productId: g.productId,
          key: g.severity,
          n: g._count._all,
        })),
      });
    });
  }
}
