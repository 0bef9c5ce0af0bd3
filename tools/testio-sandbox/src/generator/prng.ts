/**
 * Seeded randomness. Every generated value comes from a stream keyed by (seed, kind, id...), so any record
 * can be re-derived on demand without generating its neighbours: that is what keeps `large` out of memory.
 */

/** Mixes any number of 32-bit integers into one well-spread 32-bit hash (murmur3 finaliser per step). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Split so values above 2^32 (millisecond timestamps, large ids) still influence the hash.
    const lo = part >>> 0;
    const hi = Math.floor(part / 0x1_0000_0000) >>> 0;
    h = mix(h ^ lo);
    h = mix(h ^ hi ^ 0x85ebca6b);
  }
  return h >>> 0;
}

function mix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: tiny, fast and good enough for synthetic data. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick() from an empty list');
    return item;
  }

  /** Picks by relative weight; `weights` pairs each value with its weight. */
  weighted<T>(weights: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, weight] of weights) total += weight;
    let roll = this.next() * total;
    for (const [value, weight] of weights) {
      roll -= weight;
      if (roll < 0) return value;
    }
    const last = weights[weights.length - 1];
    if (last === undefined) throw new Error('weighted() with no weights');
    return last[0];
  }

  /** `count` distinct items in a stable pseudo-random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) {
      const index = Math.floor(this.next() * pool.length);
      const [item] = pool.splice(index, 1);
      if (item !== undefined) out.push(item);
    }
    return out;
  }
}

/** Stream kinds, so two different uses of the same id never share random numbers. */
export const STREAM = {
  catalog: 1,
  schedule: 2,
  testTraits: 3,
  testPayload: 4,
  bugCore: 5,
  bugPayload: 6,
  advance: 7,
  faults: 8,
  jitter: 9,
  testFeatures: 10,
  testLanguage: 11,
} as const;

export function rngFor(seed: number, stream: number, ...ids: number[]): Rng {
  return new Rng(hash32(seed, stream, ...ids));
}
