export { RedisEmbeddingCache, type RedisEmbeddingCacheOptions } from './redis-embedding-cache';
