/**
 * The answer cache as the server builds it: the bench loads the server's own factory
 * (`createSemanticCacheConfig` and `parseConfig` from the built apps/server) instead of restating
 * its embedder, threshold or guard, so the figures are those of what is deployed. Alternatives are
 * built by the same factory from other environment variables: each is a configuration the server
 * can be started with.
 */
import { join } from 'node:path';
import { request } from 'undici';
import {
  MemoryVectorIndex,
  VectorSemanticCache,
  type CacheEmbedder,
  type VectorIndex,
} from '@ai-scale/cache';
import { ReplayTally, zipfStream, type ReplaySummary } from '@ai-scale/cache/testing';
import { LocalEmbedder, OpenAiCompatibleEmbedder } from '@ai-scale/retrieval';
import { REPOSITORY_ROOT } from '../system/report-files';

/** The part of the server's `SemanticCacheConfig` the bench reads. */
export interface DeployedSemanticConfig {
  readonly representation: string;
  readonly embedder: CacheEmbedder;
  readonly threshold: number;
  readonly keyTermGuard: boolean;
  readonly thresholdSource: string;
}

interface ServerConfigModule {
  parseConfig(environment: Record<string, string | undefined>): {
    EMBEDDINGS: string;
    EMBEDDINGS_DIMENSIONS: number;
    EMBEDDINGS_BASE_URL?: string;
    EMBEDDINGS_MODEL?: string;
    EMBEDDINGS_API_KEY?: string;
  };
}
interface ServerCacheModule {
  createSemanticCacheConfig(config: unknown, retrievalEmbedder: CacheEmbedder): DeployedSemanticConfig;
}

function serverModule<T>(relative: string): T {
  const file = join(REPOSITORY_ROOT, 'apps/server/dist', relative);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as T;
  } catch (error) {
    throw new Error(
      `cannot load the server's ${relative} (${(error as Error).message}): run npx turbo run build --filter=@ai-scale/server...`,
    );
  }
}

/**
 * What the server's factory builds from `environment` (unset variables take the server's defaults),
 * with the retrieval embedder the server would build from the same variables.
 */
export function deployedSemanticConfig(environment: Record<string, string> = {}): DeployedSemanticConfig {
  const { parseConfig } = serverModule<ServerConfigModule>('config/index.js');
  const { createSemanticCacheConfig } = serverModule<ServerCacheModule>(
    'infrastructure/cache/semantic-cache-config.js',
  );
  const config = parseConfig(environment);
  const retrieval =
    config.EMBEDDINGS === 'openai-compatible'
      ? new OpenAiCompatibleEmbedder({
          baseUrl: config.EMBEDDINGS_BASE_URL ?? '',
          model: config.EMBEDDINGS_MODEL ?? '',
          dimensions: config.EMBEDDINGS_DIMENSIONS,
          ...(config.EMBEDDINGS_API_KEY ? { apiKey: config.EMBEDDINGS_API_KEY } : {}),
        })
      : new LocalEmbedder({ dimensions: config.EMBEDDINGS_DIMENSIONS });
  return createSemanticCacheConfig(config, retrieval);
}

/** A semantic cache with that configuration over `index` (default: the in-memory exact index). */
export function semanticCacheOf(
  config: DeployedSemanticConfig,
  index: VectorIndex = new MemoryVectorIndex({
    dimensions: config.embedder.dimensions,
    maxItemsPerPartition: 200_000,
  }),
): VectorSemanticCache {
  return new VectorSemanticCache({
    embedder: config.embedder,
    threshold: config.threshold,
    keyTermGuard: config.keyTermGuard,
    index,
  });
}

/**
 * Replays a Zipf stream over `intents` through POST /v1/chat of a running server, one question at a
 * time (sync: the answer in the response; async: 202, then the job polled). The fake model answers
 * with the question in its text, so the answer a hit serves names the intent it was first asked for.
 */
export async function replayThroughApi(options: {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly intents: readonly string[][];
  readonly length: number;
  readonly seed: number;
  readonly mode: 'sync' | 'async';
  readonly model?: string;
}): Promise<ReplaySummary & { errors: number }> {
  const headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' };
  const answeredFor = new Map<string, number>();
  const tally = new ReplayTally();
  let errors = 0;
  for (const { intent, question } of zipfStream(options.intents, options.length, 1.0, options.seed)) {
    const response = await request(`${options.apiUrl}/v1/chat`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        message: question,
        mode: options.mode,
        ...(options.model ? { model: options.model } : {}),
      }),
    });
    let body = (await response.body.json()) as {
      answer?: string;
      cache?: 'exact' | 'semantic' | null;
      jobId?: string;
    };
    if (response.statusCode === 202 && body.jobId) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const job = await request(`${options.apiUrl}/v1/jobs/${body.jobId}`, { headers });
        const view = (await job.body.json()) as { state?: string; result?: typeof body };
        if (view.state === 'completed' && view.result) {
          body = view.result;
          break;
        }
        if (view.state === 'failed' || Date.now() > deadline) {
          body = {};
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    if (typeof body.answer !== 'string') {
      errors++;
      continue;
    }
    const kind = body.cache ?? null;
    if (kind === null) answeredFor.set(body.answer, intent);
    tally.record(intent, { kind, ...(kind === null ? {} : { served: answeredFor.get(body.answer) ?? -1 }) });
  }
  return { ...tally.summary(), errors };
}
