import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '@testio-mcp/domain';
import { createRateWindowStore, openDatabase } from '@testio-mcp/persistence';
import { describe, expect, it } from 'vitest';
import { createRateLimits, rateLimitConfig, sharedLimiter } from './rate-limits.js';

/** Per-principal budgets by role (ADR 0025), with the memory store of rate-limiter-flexible. */

const viewer = { id: 'tmcp_aaaaaaaaaaaa', tenant: 'default', role: 'viewer' } as const;
const otherViewer = { id: 'oauth:ada', tenant: 'default', role: 'viewer' } as const;
const admin = { id: 'env:0123456789ab', tenant: 'default', role: 'admin' } as const;

describe('rate limits', () => {
  it('gives each principal its own budget by role, and says when to retry', async () => {
    const limits = createRateLimits(
      rateLimitConfig(
        { TESTIO_RATE_LIMIT_VIEWER: 2, TESTIO_RATE_LIMIT_ADMIN: 0 },
        { points: 1, windowSeconds: 60 },
      ),
    );
    expect(await limits.consume(viewer, '127.0.0.1')).toMatchObject({
      kind: 'allowed',
      limit: 2,
      remaining: 1,
    });
    expect(await limits.consume(viewer, '127.0.0.1')).toMatchObject({ kind: 'allowed', remaining: 0 });
    const refused = await limits.consume(viewer, '127.0.0.1');
    expect(refused).toMatchObject({ kind: 'refused', limit: 2, windowSeconds: 60 });
    expect(refused.kind === 'refused' && refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    // Another principal, an unlimited role, and requests without a principal by address.
    expect((await limits.consume(otherViewer, '127.0.0.1')).kind).toBe('allowed');
    for (let i = 0; i < 5; i += 1) expect((await limits.consume(admin, '127.0.0.1')).kind).toBe('unlimited');
    expect((await limits.consume(undefined, '10.0.0.1')).kind).toBe('allowed');
    expect((await limits.consume(undefined, '10.0.0.1')).kind).toBe('refused');
    expect((await limits.consume(undefined, '10.0.0.2')).kind).toBe('allowed');
  });

  it('defaults to 300, 300 and 600 requests per minute for viewer, operator and admin', () => {
    const config = rateLimitConfig({}, { points: 0, windowSeconds: 60 });
    expect([config.viewer, config.operator, config.admin]).toEqual([
      { points: 300, windowSeconds: 60 },
      { points: 300, windowSeconds: 60 },
      { points: 600, windowSeconds: 60 },
    ]);
  });

  it('keeps counting in memory, and says so, when the shared rate windows cannot be reached', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rate-windows-'));
    try {
      const database = openDatabase({ path: path.join(dir, 'mirror.db'), customerId: 1 });
      const store = createRateWindowStore(database.sqlite);
      const failures: string[] = [];
      const limits = createRateLimits(
        rateLimitConfig({ TESTIO_RATE_LIMIT_VIEWER: 2 }, { points: 1, windowSeconds: 60 }),
        sharedLimiter(store, systemClock, (_error, during) => failures.push(during)),
      );
      expect(await limits.consume(viewer, '127.0.0.1')).toMatchObject({ kind: 'allowed', remaining: 1 });
      await database.close();
      // The database is gone: requests are neither refused as errors nor let through without a limit.
      expect(await limits.consume(viewer, '127.0.0.1')).toMatchObject({ kind: 'allowed', remaining: 1 });
      expect(await limits.consume(viewer, '127.0.0.1')).toMatchObject({ kind: 'allowed', remaining: 0 });
      expect((await limits.consume(viewer, '127.0.0.1')).kind).toBe('refused');
      expect(failures).toEqual(['count', 'count', 'count']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
