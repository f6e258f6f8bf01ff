import { InvalidCacheOptionsError } from '../errors/invalid-cache-options.error';
import type { CacheEmbedder } from '../ports/embedder';
import { questionTerms } from './question-representation';
import { fnv1a } from './feature-hash';

/**
 * The threshold for `QuestionEmbedder` (default settings) with the key-term guard on, calibrated on
 * the tuning pairs only (`calibrateThreshold` over bench/datasets/cache-pairs/pairs.jsonl: lowest
 * threshold with no false hit there, 0.79, plus a 0.02 margin). A test recomputes it, so it cannot
 * drift from the data; the held-out set is never used to choose it.
 */
export const QUESTION_EMBEDDER_THRESHOLD = 0.81;

export interface QuestionEmbedderOptions {
  /** Vector length. Default 512. */
  readonly dimensions?: number;
  /** Weight of adjacent-term pairs (word order). Default 0.3. */
  readonly bigramWeight?: number;
  /** Weight of character trigrams of each term (typos, compounds). Default 0.3. */
  readonly trigramWeight?: number;
}

/**
 * The answer cache's own embedder, built for questions and needing no model: the feature-hashing
 * trick over `questionTerms` (synonyms folded, stemmed, asking-phrases and question words dropped),
 * adjacent-term pairs and character trigrams, signed-hashed into `dimensions` buckets and
 * L2-normalised. Deterministic: the same vector on every machine and in every process.
 *
 * It is meant to be used with the key-term guard on: it deliberately ignores the question word,
 * which the guard compares. Its threshold is `QUESTION_EMBEDDER_THRESHOLD`, calibrated on the
 * tuning pairs (bench/datasets/cache-pairs/pairs.jsonl).
 */
export class QuestionEmbedder implements CacheEmbedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly bigramWeight: number;
  private readonly trigramWeight: number;

  constructor(options: QuestionEmbedderOptions = {}) {
    this.dimensions = options.dimensions ?? 512;
    if (!Number.isInteger(this.dimensions) || this.dimensions < 8) {
      throw new InvalidCacheOptionsError('dimensions', `must be an integer ≥ 8, got ${this.dimensions}`);
    }
    this.bigramWeight = options.bigramWeight ?? 0.3;
    this.trigramWeight = options.trigramWeight ?? 0.3;
    // Every setting that changes vectors is in the id: entries of two settings are never compared.
    this.id = `question-v1-d${this.dimensions}-b${this.bigramWeight}-c${this.trigramWeight}`;
  }

  embed(texts: string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }

  embedOne(text: string): number[] {
    const features = new Map<string, number>();
    const add = (feature: string, weight: number): void => {
      features.set(feature, (features.get(feature) ?? 0) + weight);
    };
    const terms = questionTerms(text);
    terms.forEach((term, index) => {
      add(`w:${term}`, 1);
      const next = terms[index + 1];
      if (next !== undefined && this.bigramWeight > 0) add(`b:${term}_${next}`, this.bigramWeight);
      if (this.trigramWeight > 0) {
        const padded = `<${term}>`;
        const count = Math.max(1, padded.length - 2);
        for (let start = 0; start + 3 <= padded.length; start++)
          add(`c:${padded.slice(start, start + 3)}`, this.trigramWeight / Math.sqrt(count));
      }
    });
    const vector = new Array<number>(this.dimensions).fill(0);
    for (const [feature, weight] of features) {
      const hash = fnv1a(feature);
      const index = hash % this.dimensions;
      vector[index] = (vector[index] as number) + (hash & 0x80000000 ? -weight : weight);
    }
    const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
    return norm === 0 ? vector : vector.map((value) => value / norm);
  }
}
