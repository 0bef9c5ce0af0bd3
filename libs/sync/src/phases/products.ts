import { normalizeProduct } from '@testio-mcp/domain';
import { throwIfAborted } from '../abort.js';
import type { RunContext } from '../run-context.js';

/**
 * Phase PRODUCTS: one `GET /products`, filtered to the scope, upserted in one transaction. Without a
 * scope, products that disappeared upstream are deleted with everything under them. A failing
 * product list fails the run: nothing after it can be trusted.
 */
export async function syncProducts(ctx: RunContext, scope: readonly number[] | null): Promise<void> {
  ctx.progress.report(
    { phase: 'products', productIndex: 0, productCount: 0, message: 'Listing products' },
    true,
  );
  const upstream = await ctx.api.listProducts();
  throwIfAborted(ctx.signal);
  const wanted = scope ? new Set(scope) : null;
  const kept = wanted ? upstream.filter((p) => wanted.has(p.id)) : upstream;
  if (wanted) {
    const found = new Set(kept.map((p) => p.id));
    const missing = [...wanted].filter((id) => !found.has(id));
    if (missing.length > 0) {
      ctx.warn(`Product(s) ${missing.join(', ')} are not visible upstream; they were skipped`, {
        productIds: missing,
      });
    }
  }
  await ctx.stores.products.upsertProducts(
    kept.map((raw) => ({ entity: normalizeProduct(raw), raw })),
    ctx.clock.now(),
  );
  ctx.counts.productsSynced += kept.length;
  if (!wanted) {
    const deleted = await ctx.stores.products.deleteProductsExcept(upstream.map((p) => p.id));
    ctx.counts.productsDeleted += deleted.length;
    if (deleted.length > 0) {
      ctx.logger.info({ productIds: deleted }, 'deleted products that no longer exist upstream');
    }
  }
}
