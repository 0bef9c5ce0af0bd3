// Child process of crash.test.ts: opens the mirror (migrating it) and writes like a sync, forever, until
// it is killed. Prints `ready` once the database is open and `round <n>` after each committed round.
import { openDatabase } from '../database.js';
import { bug, product, test } from './entities.js';

const [path, seedText] = process.argv.slice(2);
if (!path) throw new Error('usage: crash-writer <db> [seed]');
let seed = Number(seedText ?? 1);
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

const db = openDatabase({ path, customerId: 1 });
const { stores } = db;
process.stdout.write('ready\n');

for (let round = 0; ; round++) {
  const now = new Date(Date.UTC(2025, 0, 1) + round * 60_000);
  const runId = await stores.syncState.startRun({
    trigger: 'background',
    mode: 'incremental',
    productIds: null,
    startedAt: now,
  });
  await stores.syncState.acquireLease(`writer:${process.pid}`, 60_000, now, () => true);
  await stores.products.upsertProducts(
    [1, 2, 3].map((id) => product(id, { name: `Product ${id} r${round}` })),
    now,
  );
  const productId = 1 + Math.floor(random() * 3);
  const base = productId * 10_000 + Math.floor(random() * 20) * 10;
  const testIds = Array.from({ length: 20 }, (_, i) => base + i);
  await stores.tests.upsertTests(
    testIds.map((id) =>
      test(id, productId, {
        title: `Test ${id} round ${round}`,
        status: random() < 0.5 ? 'archived' : 'running',
      }),
    ),
    now,
  );
  const bugs = testIds.flatMap((testId) =>
    Array.from({ length: Math.floor(random() * 30) }, (_, i) =>
      bug(testId * 100 + i, testId, {
        title: `Bug ${i} of ${testId} round ${round}`,
        actual_result: `word${Math.floor(random() * 1000)}`,
      }),
    ),
  );
  await stores.bugs.replaceBugsOfTests(testIds, bugs, now);
  if (random() < 0.2) await stores.tests.deleteTests(testIds.slice(0, 3));
  await stores.syncState.heartbeatRun(runId, now);
  await stores.syncState.finishRun(runId, {
    status: 'success',
    finishedAt: now,
    counts: {
      productsSynced: 3,
      productsDeleted: 0,
      featuresRefreshed: 0,
      testsDiscovered: 0,
      testsUpdated: testIds.length,
      testsDeleted: 0,
      bugsSynced: bugs.length,
      bugsDeleted: 0,
      upstreamCalls: 0,
    },
    warnings: [],
    error: null,
  });
  process.stdout.write(`round ${round}\n`);
}
