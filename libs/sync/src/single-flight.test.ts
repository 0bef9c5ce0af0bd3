import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('shares one call between concurrent callers of a key and forgets it once settled', async () => {
    const flights = new SingleFlight<number>();
    const gate = deferred<number>();
    let calls = 0;
    const fn = () => {
      calls++;
      return gate.promise;
    };
    const all = Array.from({ length: 10 }, () => flights.run('bugs:1', fn));
    expect(flights.size).toBe(1);
    gate.resolve(42);
    expect(await Promise.all(all)).toEqual(Array(10).fill(42));
    expect(calls).toBe(1);
    expect(flights.size).toBe(0);
    await flights.run('bugs:1', async () => 7);
    expect(calls).toBe(1);
  });

  it('passes a rejection to every waiter and lets the next caller try again', async () => {
    const flights = new SingleFlight<number>();
    const gate = deferred<number>();
    const a = flights.run('k', () => gate.promise);
    const b = flights.run('k', () => Promise.resolve(1));
    gate.reject(new Error('boom'));
    await expect(a).rejects.toThrow('boom');
    await expect(b).rejects.toThrow('boom');
    await expect(flights.run('k', () => Promise.resolve(2))).resolves.toBe(2);
  });

  it('runMany joins keys in flight and batches the others into one call', async () => {
    const flights = new SingleFlight<string>();
    const gate = deferred<Map<string, string>>();
    const batches: string[][] = [];
    const first = flights.runMany(['a', 'b'], (keys) => {
      batches.push(keys);
      return gate.promise;
    });
    const second = flights.runMany(['b', 'c', 'c'], async (keys) => {
      batches.push(keys);
      return new Map(keys.map((k) => [k, `second:${k}`]));
    });
    expect(second.get('b')).toBe(first.get('b'));
    const checks = Promise.all([
      expect(first.get('a')).resolves.toBe('first:a'),
      expect(first.get('b')).rejects.toThrow(/no value for b/),
      expect(second.get('c')).resolves.toBe('second:c'),
    ]);
    gate.resolve(new Map([['a', 'first:a']]));
    await checks;
    expect(batches).toEqual([['a', 'b'], ['c']]);
    expect(flights.size).toBe(0);
  });
});
