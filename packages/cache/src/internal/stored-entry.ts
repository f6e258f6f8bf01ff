import type { CacheEntry, CacheEntryOptions } from '../ports/key-value-cache';
import type { JsonValue } from '../ports/json';

/**
 * The wire form of an entry, the same for every adapter: the value plus its freshness deadlines,
 * so that freshness is decided by the reader's clock (injectable in tests), not by backend TTLs,
 * which only reclaim memory.
 */
interface StoredEntry {
  readonly v: JsonValue;
  /** Fresh until (epoch ms), or null for no TTL. */
  readonly e: number | null;
  /** Servable as stale until (epoch ms), or null. */
  readonly s: number | null;
}

export interface EncodedEntry {
  readonly text: string;
  /** Milliseconds the backend should keep the entry (fresh + stale window), or null for no limit. */
  readonly retainMs: number | null;
}

export function encodeEntry(
  serializedValue: string,
  options: CacheEntryOptions | undefined,
  defaultTtlMs: number | undefined,
  now: number,
): EncodedEntry {
  const ttlMs = options?.ttlMs ?? defaultTtlMs;
  const swrMs = options?.staleWhileRevalidateMs ?? 0;
  const expiresAt = ttlMs === undefined ? null : now + ttlMs;
  const staleUntil = expiresAt === null || swrMs === 0 ? null : expiresAt + swrMs;
  // Built by hand: the value is already serialised and checked, re-serialising it would double the cost.
  const text = `{"e":${expiresAt === null ? 'null' : expiresAt},"s":${staleUntil === null ? 'null' : staleUntil},"v":${serializedValue}}`;
  return { text, retainMs: ttlMs === undefined ? null : ttlMs + swrMs };
}

function isDeadline(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Decodes an entry; `undefined` when it is past its stale window, or when the stored text is not an
 * entry this package wrote (a foreign or corrupted value under our key reads as a miss, never as data).
 */
export function decodeEntry<T extends JsonValue>(text: string, now: number): CacheEntry<T> | undefined {
  let entry: StoredEntry;
  try {
    entry = JSON.parse(text) as StoredEntry;
  } catch {
    return undefined;
  }
  if (
    typeof entry !== 'object' ||
    entry === null ||
    !('v' in entry) ||
    !isDeadline(entry.e) ||
    !isDeadline(entry.s)
  ) {
    return undefined;
  }
  if (entry.e === null || now < entry.e) return { value: entry.v as T, expiresAt: entry.e, stale: false };
  if (entry.s !== null && now < entry.s) return { value: entry.v as T, expiresAt: entry.e, stale: true };
  return undefined;
}
