import { DEFAULT_TEST_PAGE_SIZE, UNPAGINATED_TEST_LIMIT } from '@testio-mcp/domain';
import { Router } from 'express';
import type { SandboxContext } from '../context.js';
import { HttpError, notFound, requireId, sendJson, singleQuery } from '../http.js';

function positiveInt(raw: string | undefined, name: string): number | null {
  if (raw === undefined || raw === '') return null;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1)
    throw new HttpError(400, `${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

/** Exploratory tests: the one paginated list, with the real API's quirks and its poisoned pages. */
export function testRoutes(context: SandboxContext): Router {
  const router = Router();
  const { account, faults } = context;

  router.get('/exploratory_tests/:testId', (req, res) => {
    const testId = requireId(req.params.testId, 'Exploratory test');
    if (faults.poisonedAmong([testId])) throw new HttpError(500, 'Internal Server Error');
    const index = account.findTest(testId);
    if (index < 0) throw notFound('Exploratory test');
    sendJson(res, { exploratory_test: account.renderTest(index) });
  });

  router.get('/products/:productId/exploratory_tests', (req, res) => {
    const product = account.catalog.productsById.get(requireId(req.params.productId, 'Product'));
    if (!product) throw notFound('Product');
    const page = positiveInt(singleQuery(req.query['page']), 'page');
    // per_page only counts together with page; alone it is ignored, as upstream.
    const perPage = positiveInt(singleQuery(req.query['per_page']), 'per_page') ?? DEFAULT_TEST_PAGE_SIZE;
    const all = account.productTests(product.index);
    const slice =
      page === null ? all.slice(0, UNPAGINATED_TEST_LIMIT) : all.slice((page - 1) * perPage, page * perPage);

    if (page !== null && faults.takeFailPage(product.id, page, perPage))
      throw new HttpError(500, 'Internal Server Error');
    if (faults.poisonedAmong(slice.map((index) => account.table.ids[index] ?? 0))) {
      throw new HttpError(500, 'Internal Server Error');
    }
    sendJson(res, { exploratory_tests: slice.map((index) => account.renderTest(index)) });
  });

  return router;
}
