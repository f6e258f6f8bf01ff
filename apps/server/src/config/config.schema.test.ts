import { ConfigValidationError, parseConfig } from './config.schema';

describe('parseConfig', () => {
  it('needs no variable at all: embedded defaults', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      ROLE: 'all',
      PORT: 3000,
      QUEUE_DRIVER: 'memory',
      CACHE_DRIVER: 'memory',
      VECTOR_STORE: 'lancedb',
      EMBEDDINGS: 'local',
      LLM_PROVIDERS: [{ provider: 'extractive', model: undefined }],
      demoTenant: true,
      runsApi: true,
      runsWorker: true,
    });
    expect(config.DATABASE_URL).toMatch(/^sqlite:.*\.data.*ai-scale\.sqlite$/);
  });

  it('reports every bad variable at once, naming each', () => {
    let caught: unknown;
    try {
      parseConfig({ PORT: 'abc', QUEUE_DRIVER: 'kafka', ROLE: 'boss', LLM_PROVIDERS: 'openai:gpt-4o,nope' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigValidationError);
    const message = (caught as Error).message;
    for (const variable of ['PORT', 'QUEUE_DRIVER', 'ROLE', 'LLM_PROVIDERS'])
      expect(message).toContain(variable);
  });

  it('requires REDIS_URL for the Redis-backed drivers and credentials for the chosen providers', () => {
    expect(() => parseConfig({ QUEUE_DRIVER: 'bullmq' })).toThrow(/REDIS_URL/);
    expect(() => parseConfig({ CACHE_DRIVER: 'redis' })).toThrow(/REDIS_URL/);
    expect(() => parseConfig({ LLM_PROVIDERS: 'anthropic:claude-3-5-haiku' })).toThrow(/ANTHROPIC_API_KEY/);
    expect(() => parseConfig({ VECTOR_STORE: 'pinecone' })).toThrow(/PINECONE_HOST/);
  });

  it('never echoes a secret in its message', () => {
    expect(() => parseConfig({ ADMIN_TOKEN: 'short-secret' })).toThrow(/ADMIN_TOKEN/);
    expect(() => parseConfig({ ADMIN_TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('parses an ordered provider list (first primary, the rest fallbacks) and the production drivers', () => {
    const config = parseConfig({
      ROLE: 'api',
      QUEUE_DRIVER: 'bullmq',
      CACHE_DRIVER: 'redis',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x',
      LLM_PROVIDERS: 'openai:gpt-4o-mini, anthropic:claude-3-5-haiku',
      OPENAI_API_KEY: 'sk-test',
      ANTHROPIC_API_KEY: 'sk-ant',
    });
    expect(config.LLM_PROVIDERS).toEqual([
      { provider: 'openai', model: 'gpt-4o-mini' },
      { provider: 'anthropic', model: 'claude-3-5-haiku' },
    ]);
    expect(config.demoTenant).toBe(false);
    expect(config.runsWorker).toBe(false);
  });

  it('refuses ROLE=worker on the in-process memory queue', () => {
    expect(() => parseConfig({ ROLE: 'worker' })).toThrow(/ROLE/);
  });
});

describe('parseConfig: blobs and the LanceDB location', () => {
  it('selects S3 blobs and an s3:// LanceDB URI, and needs a bucket for BLOB_STORE=s3', () => {
    const config = parseConfig({
      BLOB_STORE: 's3',
      S3_BUCKET: 'ai-scale',
      S3_ENDPOINT: 'http://minio:9000',
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      LANCEDB_URI: 's3://ai-scale/lancedb',
    });
    expect(config).toMatchObject({
      BLOB_STORE: 's3',
      S3_BUCKET: 'ai-scale',
      S3_FORCE_PATH_STYLE: true,
      S3_KEY_PREFIX: 'blobs/',
      LANCEDB_URI: 's3://ai-scale/lancedb',
    });
    expect(() => parseConfig({ BLOB_STORE: 's3' })).toThrow(/S3_BUCKET: required when BLOB_STORE=s3/);
  });

  it('refuses a bucket name S3 would refuse, and memory blobs across processes', () => {
    expect(() => parseConfig({ BLOB_STORE: 's3', S3_BUCKET: 'No_Such' })).toThrow(/S3_BUCKET/);
    expect(() => parseConfig({ LANCEDB_URI: 's3://x' })).toThrow(/LANCEDB_URI/);
    expect(() =>
      parseConfig({ ROLE: 'api', QUEUE_DRIVER: 'bullmq', REDIS_URL: 'redis://r:6379', BLOB_STORE: 'memory' }),
    ).toThrow(/BLOB_STORE=memory lives in one process/);
    expect(parseConfig({}).BLOB_STORE).toBe('filesystem');
  });
});
