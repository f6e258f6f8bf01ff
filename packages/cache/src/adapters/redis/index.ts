export {
  RedisKeyValueCache,
  type RedisKeyValueCacheOptions,
  type RedisComputeLockOptions,
} from './redis-key-value-cache';
export { RedisVectorIndex, type RedisVectorIndexOptions } from './redis-vector-index';
export type { HnswOptions } from './hnsw-graph';
export {
  parseClusterUrl,
  type RedisConnectionOptions,
  type RedisClusterConnectionOptions,
  type RedisTargetOptions,
} from './redis-connection';
export { deleteRedisKeysByPrefix } from './delete-keys-by-prefix';
