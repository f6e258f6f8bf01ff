import assert from 'node:assert/strict';
import { AiScaleError } from '@ai-scale/errors';
import type { JsonValue, KeyValueCache } from '../index';
import { deferred, eventually, settle } from './deferred';
import { ManualClock } from './manual-clock';

/** The test functions of the runner (jest, vitest, node:test), so the suite depends on none. */
export interface ContractTestFunctions {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
  afterEach(body: () => Promise<void>): void;
}

/** What the suite asks of a cache it creates. Adapters map these to their own options. */
export interface ContractCacheOptions {
  readonly now: () => number;
  readonly defaultTtlMs?: number;
  readonly maxValueBytes?: number;
  /** Only used when the adapter declares `lruEviction`. */
  readonly maxEntries?: number;
  readonly maxBytes?: number;
}

export interface KeyValueCacheHarness {
  /** A fresh, empty cache that no other test sees. */
  create(options: ContractCacheOptions): Promise<KeyValueCache>;
  /** A second cache over the same data as `cache`, as another process would open it. */
  createSibling?(cache: KeyValueCache, options: ContractCacheOptions): Promise<KeyValueCache>;
}

/** Declared once per adapter: what the suite may expect of it. */
export interface KeyValueCacheCapabilities {
  /** Bounded by `maxEntries`/`maxBytes`, evicting least recently used entries (memory). */
  readonly lruEviction: boolean;
  /** `createSibling` exists and single-flight holds across instances (redis lock). */
  readonly crossInstanceSingleFlight: boolean;
}

/**
 * TTLs in the suite are long in real time (the manual clock moves them), so that a backend that also
 * expires entries by wall-clock time (Redis PX) never drops one while a slow machine runs a test.
 */
const MINUTE = 60_000;

function expectCode(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(AiScaleError.isInstance(error), `expected an AiScaleError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

/**
 * The one contract of `KeyValueCache` (see the port's doc comment). Every adapter runs it:
 * `keyValueCacheContract({ describe, it, afterEach }, harness, { lruEviction: true, ... })`.
 */
export function keyValueCacheContract(
  t: ContractTestFunctions,
  harness: KeyValueCacheHarness,
  capabilities: KeyValueCacheCapabilities,
): void {
  const { describe, it } = t;
  const opened: KeyValueCache[] = [];
  let clock = new ManualClock();

  async function open(options: Partial<ContractCacheOptions> = {}): Promise<KeyValueCache> {
    clock = new ManualClock();
    const cache = await harness.create({ now: clock.now, ...options });
    opened.push(cache);
    return cache;
  }

  async function sibling(cache: KeyValueCache): Promise<KeyValueCache> {
    assert.ok(harness.createSibling, 'crossInstanceSingleFlight needs createSibling');
    const other = await harness.createSibling(cache, { now: clock.now });
    opened.push(other);
    return other;
  }

  t.afterEach(async () => {
    await Promise.all(opened.splice(0).map((cache) => cache.close()));
  });

  describe('KeyValueCache contract', () => {
    describe('get, set, delete', () => {
      it('round-trips JSON values and misses unknown keys', async () => {
        const cache = await open();
        const values: JsonValue[] = ['text', 0, -1.5, true, null, [], {}, { a: [1, { b: 'ü€😀' }], c: null }];
        for (const [index, value] of values.entries()) await cache.set('ns', `k${index}`, value);
        for (const [index, value] of values.entries())
          assert.deepEqual(await cache.get('ns', `k${index}`), value);
        assert.equal(await cache.get('ns', 'missing'), undefined);
      });

      it('stores copies: mutating what went in or came out changes nothing', async () => {
        const cache = await open();
        const value = { list: [1, 2] };
        await cache.set('ns', 'k', value);
        value.list.push(3);
        const read = await cache.get<{ list: number[] }>('ns', 'k');
        read?.list.push(4);
        assert.deepEqual(await cache.get('ns', 'k'), { list: [1, 2] });
      });

      it('overwrites, deletes and reports whether an entry existed', async () => {
        const cache = await open();
        await cache.set('ns', 'k', 1);
        await cache.set('ns', 'k', 2);
        assert.equal(await cache.get('ns', 'k'), 2);
        assert.equal(await cache.delete('ns', 'k'), true);
        assert.equal(await cache.delete('ns', 'k'), false);
        assert.equal(await cache.get('ns', 'k'), undefined);
      });

      it('reads many keys at once, in order', async () => {
        const cache = await open();
        await cache.set('ns', 'a', 'A');
        await cache.set('ns', 'c', 'C');
        assert.deepEqual(await cache.getMany('ns', ['a', 'b', 'c']), ['A', undefined, 'C']);
        assert.deepEqual(await cache.getMany('ns', []), []);
      });

      it('accepts keys with any characters, including glob and separator characters', async () => {
        const cache = await open();
        const keys = ['*', 'a?b', '[x]', 'back\\slash', 'pipe|k|x', ' ', 'ключ'];
        for (const key of keys) await cache.set('ns', key, key);
        for (const key of keys) assert.equal(await cache.get('ns', key), key);
        assert.equal(await cache.deleteByPrefix('ns', '['), 1);
        assert.equal(await cache.get('ns', '*'), '*');
      });
    });

    describe('namespaces', () => {
      it('keeps the same key in two namespaces apart', async () => {
        const cache = await open();
        await cache.set('tenant-a', 'k', 'A');
        await cache.set('tenant-b', 'k', 'B');
        assert.equal(await cache.get('tenant-a', 'k'), 'A');
        assert.equal(await cache.get('tenant-b', 'k'), 'B');
        await cache.delete('tenant-a', 'k');
        assert.equal(await cache.get('tenant-b', 'k'), 'B');
      });

      it('clears one namespace (entries and counters) without touching one whose name extends it', async () => {
        const cache = await open();
        await cache.set('t', 'k1', 1);
        await cache.set('t', 'k2', 2);
        await cache.increment('t', 'counter');
        await cache.set('t2', 'k1', 'other');
        await cache.set('t:sub', 'k1', 'other');
        assert.equal(await cache.clearNamespace('t'), 3);
        assert.deepEqual(await cache.getMany('t', ['k1', 'k2']), [undefined, undefined]);
        assert.deepEqual(await cache.getCounters('t', ['counter']), [0]);
        assert.equal(await cache.get('t2', 'k1'), 'other');
        assert.equal(await cache.get('t:sub', 'k1'), 'other');
      });

      it('deletes by key prefix within one namespace only', async () => {
        const cache = await open();
        await cache.set('a', 'doc:1:x', 1);
        await cache.set('a', 'doc:1:y', 2);
        await cache.set('a', 'doc:10', 3);
        await cache.set('a', 'other', 4);
        await cache.set('b', 'doc:1:x', 5);
        assert.equal(await cache.deleteByPrefix('a', 'doc:1:'), 2);
        assert.deepEqual(await cache.getMany('a', ['doc:1:x', 'doc:1:y', 'doc:10', 'other']), [
          undefined,
          undefined,
          3,
          4,
        ]);
        assert.equal(await cache.get('b', 'doc:1:x'), 5);
      });
    });

    describe('TTL', () => {
      it('serves an entry until its TTL and never after', async () => {
        const cache = await open();
        await cache.set('ns', 'k', 'v', { ttlMs: MINUTE });
        clock.advance(MINUTE - 1);
        assert.equal(await cache.get('ns', 'k'), 'v');
        clock.advance(1);
        assert.equal(await cache.get('ns', 'k'), undefined);
        assert.equal(await cache.getEntry('ns', 'k'), undefined);
        assert.deepEqual(await cache.getMany('ns', ['k']), [undefined]);
      });

      it('applies the default TTL to entries set without one', async () => {
        const cache = await open({ defaultTtlMs: MINUTE });
        await cache.set('ns', 'k', 'v');
        await cache.set('ns', 'long', 'v', { ttlMs: 10 * MINUTE });
        clock.advance(MINUTE);
        assert.equal(await cache.get('ns', 'k'), undefined);
        assert.equal(await cache.get('ns', 'long'), 'v');
      });

      it('recomputes in getOrCompute once the entry expired', async () => {
        const cache = await open();
        let calls = 0;
        const compute = async () => ++calls;
        assert.equal(await cache.getOrCompute('ns', 'k', compute, { ttlMs: MINUTE }), 1);
        assert.equal(await cache.getOrCompute('ns', 'k', compute, { ttlMs: MINUTE }), 1);
        clock.advance(MINUTE);
        assert.equal(await cache.getOrCompute('ns', 'k', compute, { ttlMs: MINUTE }), 2);
      });
    });

    describe('single-flight', () => {
      it('runs one computation for N concurrent misses and gives every caller its value', async () => {
        const cache = await open();
        const gate = deferred<string>();
        let calls = 0;
        const callers = Array.from({ length: 25 }, () =>
          cache.getOrCompute('ns', 'hot', () => {
            calls++;
            return gate.promise;
          }),
        );
        await settle();
        gate.resolve('answer');
        assert.deepEqual(await Promise.all(callers), Array(25).fill('answer'));
        assert.equal(calls, 1);
        assert.equal(await cache.get('ns', 'hot'), 'answer');
      });

      it('shares a failure with every waiting caller, stores nothing, and tries again next time', async () => {
        const cache = await open();
        const gate = deferred<string>();
        let calls = 0;
        const callers = Array.from({ length: 5 }, () =>
          cache.getOrCompute('ns', 'k', () => {
            calls++;
            return gate.promise;
          }),
        );
        await settle();
        gate.reject(new Error('model down'));
        const results = await Promise.allSettled(callers);
        assert.ok(results.every((result) => result.status === 'rejected'));
        assert.equal(calls, 1);
        assert.equal(await cache.get('ns', 'k'), undefined);
        assert.equal(await cache.getOrCompute('ns', 'k', async () => 'recovered'), 'recovered');
      });

      it('keeps flights of different keys and namespaces independent', async () => {
        const cache = await open();
        const [a, b, c] = await Promise.all([
          cache.getOrCompute('ns1', 'k', async () => 'ns1'),
          cache.getOrCompute('ns2', 'k', async () => 'ns2'),
          cache.getOrCompute('ns1', 'other', async () => 'other'),
        ]);
        assert.deepEqual([a, b, c], ['ns1', 'ns2', 'other']);
      });

      if (capabilities.crossInstanceSingleFlight) {
        it('runs one computation across two instances (processes) sharing the backend', async () => {
          const first = await open();
          const second = await sibling(first);
          const gate = deferred<string>();
          let calls = 0;
          const compute = () => {
            calls++;
            return gate.promise;
          };
          const callers = [
            ...Array.from({ length: 5 }, () => first.getOrCompute('ns', 'k', compute)),
            ...Array.from({ length: 5 }, () => second.getOrCompute('ns', 'k', compute)),
          ];
          // Let both instances reach the lock before the computation finishes.
          for (let round = 0; round < 20 && calls === 0; round++) await settle();
          await new Promise((resolve) => setTimeout(resolve, 50));
          gate.resolve('once');
          assert.deepEqual(await Promise.all(callers), Array(10).fill('once'));
          assert.equal(calls, 1);
        });
      }
    });

    describe('stale-while-revalidate', () => {
      it('serves the stale value at once inside the window and refreshes it exactly once', async () => {
        const cache = await open();
        await cache.set('ns', 'k', 'old', { ttlMs: MINUTE, staleWhileRevalidateMs: 10 * MINUTE });
        clock.advance(MINUTE + 50);
        assert.equal(await cache.get('ns', 'k'), undefined, 'get never returns a stale value');
        assert.deepEqual(await cache.getEntry('ns', 'k'), {
          value: 'old',
          expiresAt: clock.now() - 50,
          stale: true,
        });
        const gate = deferred<string>();
        let calls = 0;
        const options = { ttlMs: MINUTE, staleWhileRevalidateMs: 10 * MINUTE };
        const compute = () => {
          calls++;
          return gate.promise;
        };
        const served = await Promise.all(
          Array.from({ length: 10 }, () => cache.getOrCompute('ns', 'k', compute, options)),
        );
        assert.deepEqual(served, Array(10).fill('old'));
        gate.resolve('new');
        await eventually(async () => (await cache.get('ns', 'k')) === 'new');
        assert.equal(await cache.get('ns', 'k'), 'new');
        assert.equal(calls, 1);
      });

      it('keeps serving the stale value when the background refresh fails, and reports the error', async () => {
        const cache = await open();
        await cache.set('ns', 'k', 'old', { ttlMs: MINUTE, staleWhileRevalidateMs: 10 * MINUTE });
        clock.advance(MINUTE + 50);
        const errors: unknown[] = [];
        const value = await cache.getOrCompute('ns', 'k', () => Promise.reject(new Error('boom')), {
          ttlMs: MINUTE,
          staleWhileRevalidateMs: 1000,
          onBackgroundError: (error) => errors.push(error),
        });
        assert.equal(value, 'old');
        await eventually(() => errors.length > 0);
        assert.equal(errors.length, 1);
        assert.equal((await cache.getEntry('ns', 'k'))?.value, 'old');
      });

      it('computes in the foreground once the stale window has passed', async () => {
        const cache = await open();
        await cache.set('ns', 'k', 'old', { ttlMs: MINUTE, staleWhileRevalidateMs: MINUTE });
        clock.advance(2 * MINUTE);
        assert.equal(await cache.getOrCompute('ns', 'k', async () => 'new'), 'new');
      });
    });

    describe('bounded size', () => {
      it('rejects a value over maxValueBytes and leaves the previous entry as it was', async () => {
        const cache = await open({ maxValueBytes: 1000 });
        await cache.set('ns', 'k', 'small');
        await assert.rejects(cache.set('ns', 'k', 'x'.repeat(2000)), expectCode('CACHE_VALUE_TOO_LARGE'));
        assert.equal(await cache.get('ns', 'k'), 'small');
      });

      it('returns a computed value that is too large without storing it', async () => {
        const cache = await open({ maxValueBytes: 1000 });
        const big = 'x'.repeat(2000);
        assert.equal(await cache.getOrCompute('ns', 'k', async () => big), big);
        assert.equal(await cache.get('ns', 'k'), undefined);
      });

      if (capabilities.lruEviction) {
        it('evicts the least recently used entry beyond maxEntries, never a counter', async () => {
          const cache = await open({ maxEntries: 3 });
          await cache.increment('ns', 'generation');
          await cache.set('ns', 'a', 1);
          await cache.set('ns', 'b', 2);
          await cache.set('ns', 'c', 3);
          await cache.get('ns', 'a'); // a is now more recent than b
          await cache.set('ns', 'd', 4);
          assert.deepEqual(await cache.getMany('ns', ['a', 'b', 'c', 'd']), [1, undefined, 3, 4]);
          assert.deepEqual(await cache.getCounters('ns', ['generation']), [1]);
        });

        it('evicts by bytes when entries are large', async () => {
          const cache = await open({ maxEntries: 1000, maxBytes: 10_000, maxValueBytes: 4000 });
          for (let index = 0; index < 10; index++) await cache.set('ns', `k${index}`, 'x'.repeat(3000));
          const present = (
            await cache.getMany(
              'ns',
              Array.from({ length: 10 }, (_, index) => `k${index}`),
            )
          ).filter((value) => value !== undefined);
          assert.ok(present.length <= 3, `${present.length} entries of 3 KB kept under a 10 KB bound`);
          assert.equal(await cache.get('ns', 'k9'), 'x'.repeat(3000));
        });
      }
    });

    describe('counters', () => {
      it('increments atomically under concurrency and reads missing counters as 0', async () => {
        const cache = await open();
        await Promise.all(Array.from({ length: 50 }, () => cache.increment('ns', 'c')));
        assert.equal(await cache.increment('ns', 'c', 10), 60);
        assert.deepEqual(await cache.getCounters('ns', ['c', 'missing']), [60, 0]);
        assert.deepEqual(await cache.getCounters('other', ['c']), [0]);
      });
    });

    describe('bad input', () => {
      it('rejects bad namespaces and keys with InvalidCacheKeyError', async () => {
        const cache = await open();
        for (const namespace of ['', 'has space', 'a*b', 'a|b', 'x'.repeat(300), 'nul\u0000']) {
          await assert.rejects(cache.get(namespace, 'k'), expectCode('INVALID_CACHE_KEY'), namespace);
        }
        await assert.rejects(cache.set('ns', '', 1), expectCode('INVALID_CACHE_KEY'));
        await assert.rejects(cache.set('ns', 'k'.repeat(1025), 1), expectCode('INVALID_CACHE_KEY'));
        await assert.rejects(cache.get('ns', 42 as unknown as string), expectCode('INVALID_CACHE_KEY'));
        await assert.rejects(cache.getMany('ns', ['ok', '']), expectCode('INVALID_CACHE_KEY'));
      });

      it('rejects values that are not JSON with InvalidCacheValueError and writes nothing', async () => {
        const cache = await open();
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        const bad: unknown[] = [
          undefined,
          Number.NaN,
          Infinity,
          () => 1,
          10n,
          Symbol('s'),
          new Date(),
          { a: undefined },
          cyclic,
          new Map(),
        ];
        for (const value of bad) {
          await assert.rejects(cache.set('ns', 'k', value as JsonValue), expectCode('INVALID_CACHE_VALUE'));
        }
        assert.equal(await cache.get('ns', 'k'), undefined);
        await assert.rejects(
          cache.getOrCompute('ns', 'k', async () => undefined as unknown as JsonValue),
          expectCode('INVALID_CACHE_VALUE'),
        );
      });

      it('rejects bad TTLs with InvalidCacheOptionsError', async () => {
        const cache = await open();
        for (const options of [{ ttlMs: 0 }, { ttlMs: -5 }, { ttlMs: 1.5 }, { staleWhileRevalidateMs: -1 }]) {
          await assert.rejects(cache.set('ns', 'k', 1, options), expectCode('INVALID_CACHE_OPTIONS'));
        }
      });
    });
  });
}
