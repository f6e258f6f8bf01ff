/**
 * `cache-calibrate`: measures CACHE_SEMANTIC_THRESHOLD for the embedder the server would use with
 * the current environment (EMBEDDINGS, EMBEDDINGS_BASE_URL, EMBEDDINGS_MODEL, EMBEDDINGS_API_KEY,
 * EMBEDDINGS_DIMENSIONS, CACHE_SEMANTIC_EMBEDDER; the embedder comes from the server's own factory).
 * It embeds the tuning pairs (bench/datasets/cache-pairs/pairs.jsonl) once, picks the lowest
 * threshold with no false hit there plus a 0.02 margin (`calibrateThreshold`), and reports the
 * held-out pairs at that threshold: the figure to check before deploying it. With a paid model this
 * embeds 2 × 245 + 2 × 211 short questions (about 8,000 tokens).
 */
import { calibrateThreshold, ratesAt, scorePairs } from '@ai-scale/cache/testing';
import { round } from '../report';
import type { Scenario, ScenarioContext } from '../scenario';
import { deployedSemanticConfig } from './cache-deployed';
import { HELD_OUT_PATH, loadPairs } from './cache-workload';

const READ = [
  'CACHE_SEMANTIC_EMBEDDER',
  'EMBEDDINGS',
  'EMBEDDINGS_BASE_URL',
  'EMBEDDINGS_MODEL',
  'EMBEDDINGS_API_KEY',
  'EMBEDDINGS_DIMENSIONS',
] as const;

const scenario: Scenario = {
  name: 'cache-calibrate',
  description: 'Calibrates CACHE_SEMANTIC_THRESHOLD for the configured embedder on the tuning pairs.',
  async run(context: ScenarioContext): Promise<Record<string, number>> {
    const environment: Record<string, string> = {};
    for (const key of READ) {
      const value = process.env[key];
      if (value !== undefined && value !== '') environment[key] = value;
    }
    // The threshold is what is being measured: a placeholder lets the server's schema accept an
    // embedder that has no calibrated default yet.
    const config = deployedSemanticConfig({ ...environment, CACHE_SEMANTIC_THRESHOLD: '1' });
    context.log(`embedder: ${config.embedder.id} (${config.representation})`);
    const tuning = await scorePairs(config.embedder, loadPairs());
    const heldOut = await scorePairs(config.embedder, loadPairs(HELD_OUT_PATH));
    const calibrated = calibrateThreshold(tuning);
    const onHeldOut = ratesAt(heldOut, calibrated.threshold);
    context.table(`calibration of ${config.embedder.id}, key-term guard on`, [
      {
        set: 'tuning (chooses the threshold)',
        threshold: calibrated.threshold,
        paraphrases: round(calibrated.paraphraseHitRate, 3),
        false_hits: round(calibrated.falseHitRate, 3),
      },
      {
        set: 'held-out (checks it)',
        threshold: calibrated.threshold,
        paraphrases: round(onHeldOut.paraphraseHitRate, 3),
        false_hits: round(onHeldOut.falseHitRate, 3),
      },
    ]);
    context.log(`set CACHE_SEMANTIC_THRESHOLD=${calibrated.threshold}`);
    if (onHeldOut.falseHitRate > 0.01)
      context.log('warning: more than 1% false hits on the held-out pairs: raise the threshold');
    return {
      calibrated_threshold: calibrated.threshold,
      paraphrase_hit_ratio_tuning: round(calibrated.paraphraseHitRate, 4),
      false_hit_ratio_tuning: round(calibrated.falseHitRate, 4),
      paraphrase_hit_ratio: round(onHeldOut.paraphraseHitRate, 4),
      false_hit_ratio: round(onHeldOut.falseHitRate, 4),
    };
  },
};

export default scenario;
