import * as path from 'node:path';
import { z } from 'zod';
import { isRedisClusterUrl, parseRedisNodes } from '../infrastructure/redis/redis-url';

/**
 * The whole configuration of the server: environment variables, parsed ONCE at boot by `parseConfig`.
 * Every variable has an embedded default, so `npm start` needs no configuration at all; production
 * switches one adapter at a time (`QUEUE_DRIVER=bullmq`, `CACHE_DRIVER=redis`, `DATABASE_URL=postgres://…`).
 */

const emptyToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());
const integer = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const boolean = (fallback: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1' || value === 'yes'),
  );

/** `openai:gpt-4o-mini,anthropic:claude-3-5-haiku` → ordered provider specs (first is primary, the rest fallbacks). */
const providerSpec = z
  .string()
  .regex(
    /^(extractive|fake|openai|openai-compatible|anthropic)(:[^,\s]+)?$/,
    'expected <provider>[:<model>] with provider extractive|fake|openai|openai-compatible|anthropic',
  )
  .transform((spec) => {
    const [provider, ...model] = spec.split(':');
    return { provider: provider as LlmProviderName, model: model.length > 0 ? model.join(':') : undefined };
  });

export type LlmProviderName = 'extractive' | 'fake' | 'openai' | 'openai-compatible' | 'anthropic';

export const configSchema = z
  .object({
    ROLE: z.preprocess(emptyToUndefined, z.enum(['api', 'worker', 'all']).default('all')),
    NODE_ENV: optionalString,
    HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
    PORT: integer(3000, 0, 65_535),
    DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./.data')),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    ADMIN_TOKEN: z.preprocess(
      emptyToUndefined,
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),

    QUEUE_DRIVER: z.preprocess(emptyToUndefined, z.enum(['memory', 'bullmq']).default('memory')),
    QUEUE_PREFIX: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[\w.:-]+$/)
        .default('ai-scale'),
    ),
    WORKER_CONCURRENCY: integer(4, 1, 256),
    /**
     * How long a worker's lock on a job lasts without renewal, and how often expired locks are looked
     * for: together they bound how long the jobs of a crashed (SIGKILLed) worker wait before another
     * worker runs them (up to lock + interval). Lower is faster recovery, at more Redis traffic.
     */
    QUEUE_LOCK_DURATION_MS: integer(30_000, 1_000, 600_000),
    QUEUE_STALLED_INTERVAL_MS: integer(30_000, 1_000, 600_000),
    /** Documents: OCR recognitions at once in a worker (each uses a core); kept at most WORKER_CONCURRENCY. */
    OCR_CONCURRENCY: integer(1, 1, 64),
    /** Documents: most pages of a PDF, and most pages that may go through OCR, per document. */
    DOCUMENT_MAX_PAGES: integer(500, 1),
    DOCUMENT_MAX_OCR_PAGES: integer(50, 0),
    /** Index maintenance (LanceDB optimize): at most one run per window, at its end, after ingestions. */
    INDEX_OPTIMIZE_WINDOW_MS: integer(60_000, 100),
    /**
     * One Redis server (`redis://…`, `rediss://…`), or a Redis Cluster's seed nodes as
     * `redis+cluster://[user:password@]host:port,host:port` (`rediss+cluster://` for TLS).
     */
    REDIS_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .refine(
          (value) =>
            /^rediss?\+cluster:/.test(value) ? isRedisClusterUrl(value) : z.url().safeParse(value).success,
          'expected redis://host:port, rediss://… or redis+cluster://host:port,host:port',
        )
        .optional(),
    ),
    /**
     * A Redis Cluster's seed nodes, `host:port,host:port`: selects Cluster for every Redis user (queue,
     * Bull Board, caches, rate limiter); credentials and TLS may come from a `redis(s)://user:pass@…` REDIS_URL.
     */
    REDIS_CLUSTER_NODES: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .refine((value) => parseRedisNodes(value) !== undefined, 'expected host:port,host:port')
        .optional(),
    ),

    CACHE_DRIVER: z.preprocess(emptyToUndefined, z.enum(['memory', 'redis']).default('memory')),
    CACHE_PREFIX: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[\w.:-]+$/)
        .default('ai-scale'),
    ),
    CACHE_TTL_SECONDS: integer(3600, 1),
    /**
     * What the answer cache compares questions with: `question` (its own model-free representation,
     * default) or `embeddings` (the EMBEDDINGS embedder). See infrastructure/cache/semantic-cache-config.ts.
     */
    CACHE_SEMANTIC_EMBEDDER: z.preprocess(
      emptyToUndefined,
      z.enum(['question', 'embeddings']).default('question'),
    ),
    /** Unset: the threshold calibrated for the chosen embedder (required where there is none). */
    CACHE_SEMANTIC_THRESHOLD: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(1).optional()),

    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'expected sqlite:<path> or postgres://…')
        .optional(),
    ),

    /**
     * Where uploads wait for the worker: `filesystem` (DATA_DIR/blobs: one machine or a shared
     * volume), `memory` (ROLE=all only) or `s3` (any S3-compatible store: S3_BUCKET, S3_ENDPOINT,
     * S3_REGION, S3_FORCE_PATH_STYLE; credentials from the AWS SDK's default chain, AWS_ACCESS_KEY_ID…).
     */
    BLOB_STORE: z.preprocess(emptyToUndefined, z.enum(['filesystem', 'memory', 's3']).default('filesystem')),
    S3_BUCKET: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3–63 of a-z 0-9 . -)')
        .optional(),
    ),
    /** S3-compatible endpoint (MinIO, R2…); unset: AWS S3. Also used by LanceDB for an s3:// LANCEDB_URI. */
    S3_ENDPOINT: optionalUrl,
    S3_REGION: optionalString,
    S3_FORCE_PATH_STYLE: boolean(false),
    /** Prefix of the blob objects inside S3_BUCKET (the bucket may also hold the LanceDB index). */
    S3_KEY_PREFIX: z.preprocess(emptyToUndefined, z.string().default('blobs/')),

    VECTOR_STORE: z.preprocess(
      emptyToUndefined,
      z.enum(['memory', 'lancedb', 'pinecone']).default('lancedb'),
    ),
    PINECONE_API_KEY: optionalString,
    PINECONE_INDEX: optionalString,
    PINECONE_HOST: optionalUrl,
    /**
     * The AWS credential variables, read here only to hand them to LanceDB for an s3:// LANCEDB_URI
     * (the AWS SDK of the blob store reads them itself, with the rest of its default chain: profiles,
     * IRSA web identity, ECS and EC2 roles). Unset: LanceDB's own chain (web identity, instance roles).
     */
    AWS_ACCESS_KEY_ID: optionalString,
    AWS_SECRET_ACCESS_KEY: optionalString,
    AWS_SESSION_TOKEN: optionalString,
    /**
     * Where the LanceDB index lives (VECTOR_STORE=lancedb): default DATA_DIR/lancedb; `s3://bucket/path`
     * puts it on object storage shared by every replica (endpoint, region and path style from S3_*,
     * credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the instance's role).
     */
    LANCEDB_URI: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(
          /^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?|[^:]+)$/,
          'expected s3://bucket/path or a directory',
        )
        .optional(),
    ),

    EMBEDDINGS: z.preprocess(emptyToUndefined, z.enum(['local', 'openai-compatible']).default('local')),
    EMBEDDINGS_BASE_URL: optionalUrl,
    EMBEDDINGS_MODEL: optionalString,
    EMBEDDINGS_API_KEY: optionalString,
    EMBEDDINGS_DIMENSIONS: integer(256, 8, 8192),
    /**
     * Pseudo-relevance feedback in hybrid search (RM3 on the keyword leg, Rocchio on the vector leg):
     * nDCG@10 +0.016 on Cranfield, +0.034 on CACM over hybrid without it; one more keyword search per query.
     */
    RETRIEVAL_FEEDBACK: boolean(true),
    /** Weight of the vector leg in hybrid fusion (keyword leg 1): 0.3 suits the lexical local embedder; try 1 with a semantic one. */
    RETRIEVAL_VECTOR_WEIGHT: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(10).default(0.3)),

    LLM_PROVIDERS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default('extractive')
        .transform((value) =>
          value
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item.length > 0),
        )
        .pipe(z.array(providerSpec).min(1)),
    ),
    /**
     * The small tier's models, same syntax (e.g. `openai:gpt-4o-mini`), used for simple requests and
     * conversation summaries; unset: the small tier uses LLM_PROVIDERS too.
     */
    LLM_SMALL_PROVIDERS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .transform((value) =>
          value
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item.length > 0),
        )
        .pipe(z.array(providerSpec).min(1))
        .optional(),
    ),
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl,
    ANTHROPIC_API_KEY: optionalString,
    ANTHROPIC_BASE_URL: optionalUrl,
    LLM_TENANT_BUDGET_USD: z.preprocess(emptyToUndefined, z.coerce.number().min(0).optional()),
    /**
     * Price of a configured model the price table does not list: `refuse` (default: start-up fails
     * naming it), `zero` (local models), or a USD price per million tokens (input and output).
     */
    LLM_UNKNOWN_MODEL_PRICE: z.preprocess(
      emptyToUndefined,
      z.union([z.enum(['refuse', 'zero']), z.coerce.number().min(0)]).default('refuse'),
    ),
    /** LLM tokens per minute per tenant (prompt + output reserve) unless the tenant has its own; unset: none. */
    LLM_TENANT_TOKENS_PER_MINUTE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).optional()),
    /** Requests / tokens per minute per external provider, counted across every replica (with LLM_LIMITS_STORE=redis). */
    LLM_PROVIDER_RPM: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).optional()),
    LLM_PROVIDER_TPM: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).optional()),
    /**
     * Where budget reservations and LLM rate limits are counted: `redis` (shared by every replica) or
     * `memory` (this process only). Default: `redis` when CACHE_DRIVER=redis, else `memory`.
     */
    LLM_LIMITS_STORE: z.preprocess(emptyToUndefined, z.enum(['memory', 'redis']).optional()),
    /**
     * What a call that does not fit the tenant's budget does: `reject` (402) or `downgrade` (a
     * large-tier call goes to the small tier when that still fits; else 402).
     */
    LLM_BUDGET_ON_EXCEEDED: z.preprocess(emptyToUndefined, z.enum(['reject', 'downgrade']).default('reject')),

    CHAT_SYNC_DEADLINE_MS: integer(8000, 0, 120_000),
    CHAT_MEMORY_TOKENS: integer(1500, 0),

    RATE_LIMIT_PER_MINUTE: integer(600, 1),
    MAX_UPLOAD_BYTES: integer(10 * 1024 * 1024, 1024),
    DEPENDENCY_TIMEOUT_MS: integer(750, 50, 30_000),
    SHUTDOWN_TIMEOUT_MS: integer(10_000, 0, 120_000),
    /**
     * Browser origins allowed to call the API cross-origin (comma-separated, e.g.
     * `https://app.example.com,http://localhost:5173`, or `*`). Unset: CORS stays off and browsers
     * only call the API from its own origin (the web page at /).
     */
    CORS_ORIGINS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default('')
        .transform((value) =>
          value
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item.length > 0),
        )
        .pipe(
          z.array(
            z
              .string()
              .refine(
                (origin) => origin === '*' || /^https?:\/\/[^/\s]+$/.test(origin),
                'each origin is `*` or scheme://host[:port] without a path',
              ),
          ),
        ),
    ),
    /** `auto`: human-readable (pino-pretty) when stdout is a terminal, JSON lines otherwise. */
    LOG_FORMAT: z.preprocess(emptyToUndefined, z.enum(['auto', 'json', 'pretty']).default('auto')),

    DEMO_TENANT: z.preprocess(emptyToUndefined, z.enum(['auto', 'true', 'false']).default('auto')),
    DEMO_DOCS_DIR: optionalString,

    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
    OTEL_SERVICE_NAME: z.preprocess(emptyToUndefined, z.string().default('ai-scale-server')),
    METRICS_ENABLED: boolean(true),
  })
  .superRefine((env, context) => {
    const needsRedis =
      env.QUEUE_DRIVER === 'bullmq' || env.CACHE_DRIVER === 'redis' || env.LLM_LIMITS_STORE === 'redis';
    if (needsRedis && !env.REDIS_URL && !env.REDIS_CLUSTER_NODES) {
      context.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: `required when QUEUE_DRIVER=bullmq or CACHE_DRIVER=redis (or REDIS_CLUSTER_NODES)`,
      });
    }
    if (env.VECTOR_STORE === 'pinecone') {
      for (const key of ['PINECONE_API_KEY', 'PINECONE_HOST'] as const) {
        if (!env[key])
          context.addIssue({ code: 'custom', path: [key], message: 'required when VECTOR_STORE=pinecone' });
      }
    }
    if (
      env.CACHE_SEMANTIC_EMBEDDER === 'embeddings' &&
      env.CACHE_SEMANTIC_THRESHOLD === undefined &&
      (env.EMBEDDINGS !== 'local' || env.EMBEDDINGS_DIMENSIONS !== 256)
    ) {
      context.addIssue({
        code: 'custom',
        path: ['CACHE_SEMANTIC_THRESHOLD'],
        message:
          'required when CACHE_SEMANTIC_EMBEDDER=embeddings with this embedder (no calibrated default): measure it with `npm run bench -- cache-calibrate`',
      });
    }
    if (env.BLOB_STORE === 's3' && !env.S3_BUCKET) {
      context.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'required when BLOB_STORE=s3' });
    }
    if (env.BLOB_STORE === 'memory' && env.ROLE !== 'all') {
      context.addIssue({
        code: 'custom',
        path: ['BLOB_STORE'],
        message: `BLOB_STORE=memory lives in one process: ROLE=${env.ROLE} needs filesystem (shared volume) or s3`,
      });
    }
    if (env.EMBEDDINGS === 'openai-compatible') {
      for (const key of ['EMBEDDINGS_BASE_URL', 'EMBEDDINGS_MODEL'] as const) {
        if (!env[key])
          context.addIssue({
            code: 'custom',
            path: [key],
            message: 'required when EMBEDDINGS=openai-compatible',
          });
      }
    }
    env.LLM_PROVIDERS.forEach((spec, index) => {
      if (spec.provider === 'openai' && !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
        context.addIssue({
          code: 'custom',
          path: ['OPENAI_API_KEY'],
          message: `required by LLM_PROVIDERS entry ${index + 1} (openai)`,
        });
      }
      if (spec.provider === 'openai-compatible' && !env.OPENAI_BASE_URL) {
        context.addIssue({
          code: 'custom',
          path: ['OPENAI_BASE_URL'],
          message: `required by LLM_PROVIDERS entry ${index + 1} (openai-compatible)`,
        });
      }
      if (spec.provider === 'anthropic' && !env.ANTHROPIC_API_KEY) {
        context.addIssue({
          code: 'custom',
          path: ['ANTHROPIC_API_KEY'],
          message: `required by LLM_PROVIDERS entry ${index + 1} (anthropic)`,
        });
      }
    });
    if (env.ROLE === 'worker' && env.QUEUE_DRIVER === 'memory') {
      context.addIssue({
        code: 'custom',
        path: ['ROLE'],
        message:
          'ROLE=worker needs a shared queue: set QUEUE_DRIVER=bullmq (the memory queue lives in one process)',
      });
    }
  })
  .transform((env) => {
    const dataDir = path.resolve(env.DATA_DIR);
    const databaseUrl = env.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'ai-scale.sqlite')}`;
    const embedded = databaseUrl.startsWith('sqlite:');
    return {
      ...env,
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      /** Embedded mode: SQLite, a demo tenant and the bundled docs, unless DEMO_TENANT says otherwise. */
      demoTenant: env.DEMO_TENANT === 'auto' ? embedded : env.DEMO_TENANT === 'true',
      runsApi: env.ROLE !== 'worker',
      runsWorker: env.ROLE !== 'api',
    };
  });

export type AppConfig = z.output<typeof configSchema>;

/** Thrown by `parseConfig`: its message lists every bad variable, one per line. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Parses the environment once; reports every bad variable at once. */
export function parseConfig(environment: NodeJS.ProcessEnv | Record<string, string | undefined>): AppConfig {
  const result = configSchema.safeParse(environment);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
    const secret = /TOKEN|KEY|SECRET|PASSWORD|_URL$/.test(variable);
    const received =
      variable in environment && !secret ? ` (got ${JSON.stringify(environment[variable])})` : '';
    return `${variable}: ${issue.message}${received}`;
  });
  throw new ConfigValidationError(problems);
}
