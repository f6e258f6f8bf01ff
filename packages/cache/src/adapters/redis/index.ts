export {
  RedisKeyValueCache,
  type RedisKeyValueCacheOptions,
  type RedisConnectionOptions,
  type RedisComputeLockOptions,
} from './redis-key-value-cache';
export { deleteRedisKeysByPrefix } from './delete-keys-by-prefix';
