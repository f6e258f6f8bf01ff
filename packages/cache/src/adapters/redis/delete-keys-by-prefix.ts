import { Cluster } from 'ioredis';
import { closeRedisClient, createRedisClient, type RedisTargetOptions } from './redis-connection';

/**
 * Deletes every key starting with `prefix` or with `{prefix` (the adapters put their key prefix inside
 * a Redis Cluster hash tag), SCAN + UNLINK, for tests and tools cleaning up after an adapter with a
 * unique `keyPrefix`. On a cluster it scans every master. Touches nothing else; never FLUSHDB.
 * `target` is a URL (`redis://…`, `redis+cluster://…`) or the adapters' connection options.
 */
export async function deleteRedisKeysByPrefix(
  target: string | RedisTargetOptions,
  prefix: string,
): Promise<number> {
  if (prefix.length === 0) throw new Error('refusing to delete every key: give a non-empty prefix');
  const client = createRedisClient(typeof target === 'string' ? { url: target } : target, {
    commandTimeoutMs: 10_000,
  });
  try {
    const escaped = prefix.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
    if (client instanceof Cluster && client.status !== 'ready') {
      await new Promise((resolve, reject) => {
        client.once('ready', resolve);
        client.once('end', () => reject(new Error('Redis Cluster connection ended')));
      });
    }
    const nodes = client instanceof Cluster ? client.nodes('master') : [client];
    let deleted = 0;
    for (const node of nodes) {
      for (const pattern of [`${escaped}*`, `{${escaped}*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (client instanceof Cluster) {
            // One key per UNLINK: keys found on one node may still span slots.
            for (const key of keys) deleted += await client.unlink(key);
          } else if (keys.length > 0) {
            deleted += await client.unlink(...keys);
          }
        } while (cursor !== '0');
      }
    }
    return deleted;
  } finally {
    await closeRedisClient(client);
  }
}
