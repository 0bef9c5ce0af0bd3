import { describe, expect, it } from 'vitest';
import { createMemoryStores } from './memory-stores.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('memory stores: lease', () => {
  it('is taken when free, refused while a live holder has it, taken over once expired or stealable', async () => {
    const { syncState } = createMemoryStores();
    expect(await syncState.acquireLease('a', 1000, t0)).toMatchObject({
      acquired: true,
      lease: { holder: 'a' },
    });
    expect(await syncState.acquireLease('b', 1000, at(500))).toMatchObject({
      acquired: false,
      current: { holder: 'a' },
    });
    expect(await syncState.acquireLease('b', 1000, at(500), (l) => l.holder === 'a')).toMatchObject({
      acquired: true,
    });
    expect(await syncState.acquireLease('a', 1000, at(600))).toMatchObject({
      acquired: false,
      current: { holder: 'b' },
    });
    expect(await syncState.acquireLease('a', 1000, at(1500))).toMatchObject({
      acquired: true,
      lease: { holder: 'a', acquiredAt: at(1500) },
    });
  });

  it('renews only for its holder and releases only its holder', async () => {
    const { syncState } = createMemoryStores();
    await syncState.acquireLease('a', 1000, t0);
    expect(await syncState.renewLease('b', 1000, at(100))).toBe(false);
    expect(await syncState.renewLease('a', 1000, at(900))).toBe(true);
    expect((await syncState.readLease())?.expiresAt).toEqual(at(1900));
    await syncState.releaseLease('b');
    expect(await syncState.readLease()).not.toBeNull();
    await syncState.releaseLease('a');
    expect(await syncState.readLease()).toBeNull();
  });
});

describe('memory stores: runs and problematic ranges', () => {
  it('interrupts stale running runs and counts by status', async () => {
    const { syncState } = createMemoryStores();
    const stale = await syncState.startRun({
      trigger: 'background',
      mode: 'incremental',
      productIds: null,
      startedAt: t0,
    });
    const live = await syncState.startRun({
      trigger: 'mcp',
      mode: 'force',
      productIds: [1],
      startedAt: at(50_000),
    });
    await syncState.heartbeatRun(live, at(90_000));
    expect(await syncState.interruptStaleRuns(at(60_000), at(100_000))).toBe(1);
    expect((await syncState.getRun(stale))?.status).toBe('interrupted');
    expect((await syncState.getRun(live))?.status).toBe('running');
    expect(await syncState.countRunsSince(['interrupted'], t0)).toBe(1);
    expect((await syncState.listRuns(10)).map((r) => r.id)).toEqual([live, stale]);
  });

  it('dedupes a range seen again by product and boundaries', async () => {
    const { syncState } = createMemoryStores();
    const range = {
      productId: 1,
      offsetFrom: 40,
      offsetTo: 40,
      boundaryBeforeId: 10,
      boundaryBeforeEndAt: null,
      boundaryAfterId: 11,
      boundaryAfterEndAt: null,
      lastError: 'HTTP 500',
    };
    const first = await syncState.recordProblematicRange(range, t0);
    const again = await syncState.recordProblematicRange(
      { ...range, offsetFrom: 41, offsetTo: 41 },
      at(1000),
    );
    expect(again).toMatchObject({
      id: first.id,
      attempts: 2,
      offsetFrom: 41,
      firstSeenAt: t0,
      lastSeenAt: at(1000),
    });
    await syncState.resolveProblematicRange(first.id, at(2000));
    expect(await syncState.listProblematicRanges()).toEqual([]);
    expect(await syncState.listProblematicRanges({ includeResolved: true })).toHaveLength(1);
    const reopened = await syncState.recordProblematicRange(range, at(3000));
    expect(reopened.id).not.toBe(first.id);
    expect(await syncState.clearProblematicRanges(2)).toBe(0);
    expect(await syncState.clearProblematicRanges()).toBe(2);
  });
});
