import type { TestDatabase } from '@testio-mcp/persistence/testing';

export interface MirrorTest {
  readonly id: number;
  readonly productId: number;
  readonly status: string;
  readonly endAt: Date | null;
  readonly bugsSyncedAt: Date | null;
}

/**
 * What the engine left in the SQLite file, read through the database's own Prisma client (another
 * connection, not the stores under test), ordered by id.
 */
export interface MirrorView {
  productIds(): Promise<number[]>;
  tests(): Promise<MirrorTest[]>;
  test(id: number): Promise<MirrorTest | null>;
  bugsPerTest(): Promise<Map<number, number>>;
  featureIds(productId?: number): Promise<number[]>;
  featureIdsOfTest(testId: number): Promise<number[]>;
  users(): Promise<Array<{ username: string; isTester: boolean; isCustomer: boolean }>>;
  /** Removes a feature as if the mirror had never seen it (the stores have no such write). */
  forgetFeature(id: number): void;
}

const TEST_SELECT = { id: true, productId: true, status: true, endAt: true, bugsSyncedAt: true } as const;

export function createMirrorView(db: TestDatabase): MirrorView {
  const customerId = db.customerId;
  return {
    async productIds() {
      const rows = await db.prisma.product.findMany({
        where: { customerId },
        select: { id: true },
        orderBy: { id: 'asc' },
      });
      return rows.map((r) => r.id);
    },
    tests: () =>
      db.prisma.test.findMany({ where: { customerId }, select: TEST_SELECT, orderBy: { id: 'asc' } }),
    test: (id) => db.prisma.test.findFirst({ where: { customerId, id }, select: TEST_SELECT }),
    async bugsPerTest() {
      const groups = await db.prisma.bug.groupBy({
        by: ['testId'],
        where: { customerId },
        _count: { _all: true },
      });
      return new Map(groups.map((g) => [g.testId, g._count._all]));
    },
    async featureIds(productId) {
      const rows = await db.prisma.feature.findMany({
        where: { customerId, ...(productId === undefined ? {} : { productId }) },
        select: { id: true },
        orderBy: { id: 'asc' },
      });
      return rows.map((r) => r.id);
    },
    async featureIdsOfTest(testId) {
      const rows = await db.prisma.testFeature.findMany({
        where: { customerId, testId },
        select: { featureId: true },
        orderBy: { id: 'asc' },
      });
      return rows.map((r) => r.featureId);
    },
    users: () =>
      db.prisma.user.findMany({
        where: { customerId },
        select: { username: true, isTester: true, isCustomer: true },
        orderBy: { username: 'asc' },
      }),
    forgetFeature(id) {
      db.sqlite.prepare('DELETE FROM features WHERE customer_id = ? AND id = ?').run(customerId, id);
    },
  };
}
