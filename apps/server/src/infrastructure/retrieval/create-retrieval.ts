import * as path from 'node:path';
import {
  type Embedder,
  LocalEmbedder,
  OpenAiCompatibleEmbedder,
  MemoryVectorStore,
  RetrievalService,
  type VectorStore,
} from '@ai-scale/retrieval';
import { type RedisEmbeddingCache } from '@ai-scale/retrieval/redis';
import { type AppConfig } from '../../config';
import { redisTarget } from '../redis/redis-connection';
import { type RetrievalModuleOptions } from './retrieval.module-definition';

/**
 * Picks the embedder (EMBEDDINGS) and the vector store (VECTOR_STORE) from the configuration; hybrid
 * search uses the package's defaults (chosen over two collections, docs/benchmarks.md) except for
 * RETRIEVAL_FEEDBACK and RETRIEVAL_VECTOR_WEIGHT.
 */
export async function createRetrieval(config: AppConfig): Promise<RetrievalModuleOptions> {
  const embedder = await createEmbedder(config);
  const store = await createVectorStore(config, embedder.dimensions);
  const embeddingCache = await createEmbeddingCache(config);
  const retrieval = new RetrievalService({
    embedder,
    store,
    ...(embeddingCache ? { embeddingCache } : {}),
    ...(config.RETRIEVAL_VECTOR_WEIGHT === undefined
      ? {}
      : { fusion: { vectorWeight: config.RETRIEVAL_VECTOR_WEIGHT } }),
    ...(config.RETRIEVAL_FEEDBACK ? {} : { feedback: false as const }),
  });
  return { retrieval, store, embedder, ...(embeddingCache ? { close: () => embeddingCache.close() } : {}) };
}

async function createEmbedder(config: AppConfig): Promise<Embedder> {
  if (config.EMBEDDINGS === 'openai-compatible') {
    return new OpenAiCompatibleEmbedder({
      baseUrl: config.EMBEDDINGS_BASE_URL ?? '',
      model: config.EMBEDDINGS_MODEL ?? '',
      dimensions: config.EMBEDDINGS_DIMENSIONS,
      ...(config.EMBEDDINGS_API_KEY ? { apiKey: config.EMBEDDINGS_API_KEY } : {}),
    });
  }
  return new LocalEmbedder({ dimensions: config.EMBEDDINGS_DIMENSIONS });
}

/**
 * With CACHE_DRIVER=redis, embeddings are cached in Redis (by model and content hash), so a chunk one
 * worker embedded is never embedded again by another; otherwise the service's in-process LRU.
 */
async function createEmbeddingCache(config: AppConfig): Promise<RedisEmbeddingCache | undefined> {
  if (config.CACHE_DRIVER !== 'redis') return undefined;
  const target = redisTarget(config);
  if (!target) return undefined;
  const { RedisEmbeddingCache } = await import('@ai-scale/retrieval/redis');
  const keyPrefix = `${config.CACHE_PREFIX}:emb:`;
  return target.kind === 'server'
    ? new RedisEmbeddingCache({ url: target.url, keyPrefix })
    : new RedisEmbeddingCache({
        keyPrefix,
        cluster: {
          nodes: target.nodes,
          tls: target.tls,
          ...(target.username ? { username: target.username } : {}),
          ...(target.password ? { password: target.password } : {}),
        },
      });
}

/**
 * LANCEDB_URI (default DATA_DIR/lancedb). An `s3://bucket/path` URI keeps the index on object
 * storage, shared by every replica: endpoint, region and addressing from S3_*; credentials from
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY when set (LanceDB's native client does not see variables
 * set after it loaded, and tests set them so), else LanceDB's own chain (web identity, instance role).
 */
function lancedbLocation(config: AppConfig): { uri: string; storageOptions?: Record<string, string> } {
  const uri = config.LANCEDB_URI ?? path.join(config.DATA_DIR, 'lancedb');
  if (!uri.startsWith('s3://')) return { uri: path.resolve(uri) };
  const storageOptions: Record<string, string> = {};
  if (config.S3_ENDPOINT) {
    storageOptions.endpoint = config.S3_ENDPOINT;
    if (config.S3_ENDPOINT.startsWith('http://')) storageOptions.allow_http = 'true';
  }
  if (config.S3_REGION) storageOptions.region = config.S3_REGION;
  if (config.S3_FORCE_PATH_STYLE) storageOptions.virtual_hosted_style_request = 'false';
  if (config.AWS_ACCESS_KEY_ID && config.AWS_SECRET_ACCESS_KEY) {
    storageOptions.aws_access_key_id = config.AWS_ACCESS_KEY_ID;
    storageOptions.aws_secret_access_key = config.AWS_SECRET_ACCESS_KEY;
    if (config.AWS_SESSION_TOKEN) storageOptions.aws_session_token = config.AWS_SESSION_TOKEN;
  }
  return { uri, storageOptions };
}

async function createVectorStore(config: AppConfig, dimensions: number): Promise<VectorStore> {
  switch (config.VECTOR_STORE) {
    case 'memory':
      return new MemoryVectorStore({ dimensions });
    case 'lancedb': {
      const { LancedbVectorStore } = await import('@ai-scale/retrieval/lancedb');
      // API and worker in separate processes: each read checks for the other's writes (else the API
      // never sees what the worker indexed). One process (ROLE=all) sees its own writes already.
      const split = config.ROLE !== 'all';
      return LancedbVectorStore.open({
        ...lancedbLocation(config),
        dimensions,
        ...(split ? { readConsistencyIntervalSeconds: 0 } : {}),
      });
    }
    case 'pinecone': {
      const { PineconeVectorStore } = await import('@ai-scale/retrieval/pinecone');
      return new PineconeVectorStore({
        apiKey: config.PINECONE_API_KEY ?? '',
        indexHost: config.PINECONE_HOST ?? '',
        dimensions,
      });
    }
  }
}
