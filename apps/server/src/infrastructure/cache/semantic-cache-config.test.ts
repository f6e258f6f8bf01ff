import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MemoryVectorIndex,
  QUESTION_EMBEDDER_THRESHOLD,
  QuestionEmbedder,
  VectorSemanticCache,
} from '@ai-scale/cache';
import {
  calibrateThreshold,
  evaluatePairs,
  parsePairs,
  scorePairs,
  type LabeledQueryPair,
} from '@ai-scale/cache/testing';
import { LocalEmbedder, OpenAiCompatibleEmbedder } from '@ai-scale/retrieval';
import { startFakeEmbeddingsServer } from '@ai-scale/retrieval/testing';
import { parseConfig } from '../../config';
import { createSemanticCacheConfig, LOCAL_EMBEDDER_CACHE_THRESHOLD } from './semantic-cache-config';

const PAIRS_DIR = join(__dirname, '../../../../../bench/datasets/cache-pairs');
const load = (file: string): LabeledQueryPair[] => parsePairs(readFileSync(join(PAIRS_DIR, file), 'utf8'));
const tuning = load('pairs.jsonl');
const heldOut = load('held-out.jsonl');

function cacheOf(config: ReturnType<typeof createSemanticCacheConfig>): VectorSemanticCache {
  return new VectorSemanticCache({
    embedder: config.embedder,
    threshold: config.threshold,
    keyTermGuard: config.keyTermGuard,
    index: new MemoryVectorIndex({ dimensions: config.embedder.dimensions }),
  });
}

describe('createSemanticCacheConfig: the answer cache as the server deploys it', () => {
  it('defaults to the question representation at its calibrated threshold, guard on', () => {
    const config = createSemanticCacheConfig(parseConfig({}), new LocalEmbedder({ dimensions: 256 }));
    expect(config.representation).toBe('question');
    expect(config.embedder).toBeInstanceOf(QuestionEmbedder);
    expect(config.threshold).toBe(QUESTION_EMBEDDER_THRESHOLD);
    expect(config.keyTermGuard).toBe(true);
  });

  // Headline figures (held-out set, never used to choose the guard or the threshold).
  it('serves at least half the held-out paraphrases with at most 1% false hits, as deployed', async () => {
    const config = createSemanticCacheConfig(parseConfig({}), new LocalEmbedder({ dimensions: 256 }));
    const result = await evaluatePairs(cacheOf(config), heldOut);
    expect(result.paraphraseHitRate).toBeGreaterThanOrEqual(0.5);
    expect(result.falseHitRate).toBeLessThanOrEqual(0.01);
  });

  it('takes CACHE_SEMANTIC_THRESHOLD when it is set', () => {
    const config = createSemanticCacheConfig(
      parseConfig({ CACHE_SEMANTIC_THRESHOLD: '0.9' }),
      new LocalEmbedder({ dimensions: 256 }),
    );
    expect(config.threshold).toBe(0.9);
    expect(config.thresholdSource).toBe('CACHE_SEMANTIC_THRESHOLD');
  });

  it('keeps each calibrated default equal to what calibration on the tuning pairs gives', async () => {
    expect(calibrateThreshold(await scorePairs(new QuestionEmbedder(), tuning)).threshold).toBe(
      QUESTION_EMBEDDER_THRESHOLD,
    );
    expect(
      calibrateThreshold(await scorePairs(new LocalEmbedder({ dimensions: 256 }), tuning)).threshold,
    ).toBe(LOCAL_EMBEDDER_CACHE_THRESHOLD);
  });

  it('uses the retrieval embedder with CACHE_SEMANTIC_EMBEDDER=embeddings (local: calibrated default)', () => {
    const retrieval = new LocalEmbedder({ dimensions: 256 });
    const config = createSemanticCacheConfig(
      parseConfig({ CACHE_SEMANTIC_EMBEDDER: 'embeddings' }),
      retrieval,
    );
    expect(config.embedder).toBe(retrieval);
    expect(config.threshold).toBe(LOCAL_EMBEDDER_CACHE_THRESHOLD);
  });

  it('refuses to boot with an embedder that has no calibrated threshold and none given', () => {
    const environment = {
      CACHE_SEMANTIC_EMBEDDER: 'embeddings',
      EMBEDDINGS: 'openai-compatible',
      EMBEDDINGS_BASE_URL: 'http://127.0.0.1:9/v1',
      EMBEDDINGS_MODEL: 'text-embedding-3-small',
    };
    expect(() => parseConfig(environment)).toThrow(/CACHE_SEMANTIC_THRESHOLD/);
    expect(() => parseConfig({ ...environment, CACHE_SEMANTIC_THRESHOLD: '0.8' })).not.toThrow();
  });
});

describe('calibrating CACHE_SEMANTIC_THRESHOLD for EMBEDDINGS=openai-compatible (the documented procedure)', () => {
  it('measures a threshold over the embeddings API on the tuning pairs that holds on the held-out pairs', async () => {
    const server = await startFakeEmbeddingsServer({ dimensions: 64 });
    try {
      const environment = {
        CACHE_SEMANTIC_EMBEDDER: 'embeddings',
        EMBEDDINGS: 'openai-compatible',
        EMBEDDINGS_BASE_URL: `${server.url}/v1`,
        EMBEDDINGS_MODEL: 'text-embedding-3-small',
        EMBEDDINGS_DIMENSIONS: '64',
      };
      const embedder = new OpenAiCompatibleEmbedder({
        baseUrl: `${server.url}/v1`,
        model: 'text-embedding-3-small',
        dimensions: 64,
      });
      // Step 1 (what `npm run bench -- cache-calibrate` does): score the tuning pairs through the API.
      const calibrated = calibrateThreshold(await scorePairs(embedder, tuning));
      expect(calibrated.falseHitRate).toBe(0);
      // Step 2: boot with it; the held-out pairs, never used to calibrate, stay under 1% false hits.
      const config = createSemanticCacheConfig(
        parseConfig({ ...environment, CACHE_SEMANTIC_THRESHOLD: String(calibrated.threshold) }),
        embedder,
      );
      expect(config.threshold).toBe(calibrated.threshold);
      const result = await evaluatePairs(cacheOf(config), heldOut);
      expect(result.falseHitRate).toBeLessThanOrEqual(0.01);
      expect(result.paraphraseHitRate).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
