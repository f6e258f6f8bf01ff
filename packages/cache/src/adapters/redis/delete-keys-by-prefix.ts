import { Redis } from 'ioredis';

/**
 * Deletes every key starting with `prefix` (SCAN + UNLINK), for tests and tools cleaning up after a
 * `RedisKeyValueCache` with a unique `keyPrefix`. Touches nothing else; never FLUSHDB.
 */
export async function deleteRedisKeysByPrefix(url: string, prefix: string): Promise<number> {
  if (prefix.length === 0) throw new Error('refusing to delete every key: give a non-empty prefix');
  const client = new Redis(url);
  try {
    const pattern = `${prefix.replace(/[*?[\]\\]/g, (character) => `\\${character}`)}*`;
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    await client.quit();
  }
}
