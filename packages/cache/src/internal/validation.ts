import { InvalidCacheKeyError } from '../errors/invalid-cache-key.error';
import { InvalidCacheOptionsError } from '../errors/invalid-cache-options.error';
import { InvalidCacheValueError } from '../errors/invalid-cache-value.error';
import type { CacheEntryOptions } from '../ports/key-value-cache';
import type { JsonValue } from '../ports/json';

/** No glob characters (`*?[]\`) so Redis SCAN patterns built from it need no escaping of the namespace. */
const NAMESPACE_PATTERN = /^[A-Za-z0-9_.:@%/-]{1,256}$/;
export const MAX_KEY_LENGTH = 1024;

export function assertNamespace(namespace: unknown): asserts namespace is string {
  if (typeof namespace !== 'string' || !NAMESPACE_PATTERN.test(namespace)) {
    throw new InvalidCacheKeyError(
      'namespace',
      `expected 1-256 characters of [A-Za-z0-9_.:@%/-], got ${JSON.stringify(String(namespace)).slice(0, 80)}`,
    );
  }
}

export function assertKey(key: unknown, what: 'key' | 'prefix' = 'key'): asserts key is string {
  if (typeof key !== 'string') throw new InvalidCacheKeyError(what, `expected a string, got ${typeof key}`);
  if (what === 'key' && key.length === 0) throw new InvalidCacheKeyError(what, 'must not be empty');
  if (key.length > MAX_KEY_LENGTH) {
    throw new InvalidCacheKeyError(what, `longer than ${MAX_KEY_LENGTH} characters (${key.length})`);
  }
}

function assertPositiveInteger(option: string, value: number | undefined, allowZero: boolean): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0 || (!allowZero && value === 0)) {
    throw new InvalidCacheOptionsError(
      option,
      `expected a ${allowZero ? 'non-negative' : 'positive'} integer, got ${value}`,
    );
  }
}

export function assertEntryOptions(options: CacheEntryOptions | undefined): void {
  assertPositiveInteger('ttlMs', options?.ttlMs, false);
  assertPositiveInteger('staleWhileRevalidateMs', options?.staleWhileRevalidateMs, true);
}

export function assertBound(option: string, value: number | undefined): void {
  assertPositiveInteger(option, value, false);
}

/**
 * Serialises a value, rejecting what JSON would silently drop or change (undefined, functions,
 * symbols, bigint, non-finite numbers, cycles), so that what comes out of the cache equals what went in.
 */
export function serializeValue(value: JsonValue): string {
  checkJson(value, new Set(), '$');
  return JSON.stringify(value);
}

function checkJson(value: unknown, seen: Set<object>, path: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidCacheValueError(`${path} is ${value}`);
      return;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) throw new InvalidCacheValueError(`${path} is a cycle`);
      const proto = Object.getPrototypeOf(value) as unknown;
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
        throw new InvalidCacheValueError(
          `${path} is a ${value.constructor?.name ?? 'class instance'}, not a plain object`,
        );
      }
      seen.add(value);
      if (Array.isArray(value)) {
        value.forEach((item, index) => checkJson(item, seen, `${path}[${index}]`));
      } else {
        for (const [key, item] of Object.entries(value)) checkJson(item, seen, `${path}.${key}`);
      }
      seen.delete(value);
      return;
    }
    default:
      throw new InvalidCacheValueError(`${path} is ${typeof value}`);
  }
}
