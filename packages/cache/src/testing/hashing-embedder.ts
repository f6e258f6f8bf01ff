import type { CacheEmbedder } from '../ports/embedder';
import { fnv1a } from '../semantic/feature-hash';

const STOPWORDS = new Set(
  'a an the of to in on at for and or is are was were be do does did can could should would i my me we our you your it its this that there what how'.split(
    ' ',
  ),
);

/** A crude stemmer: enough for "refunds"/"refund", "billing"/"billed" to share a feature. */
function stem(word: string): string {
  return word
    .replace(/'s$/, '')
    .replace(/(ies)$/, 'y')
    .replace(/(ing|ed|es|s)$/, '')
    .slice(0, 8);
}

/**
 * A deterministic, model-free embedder for tests and benchmarks: hashed word stems (weight 1), word
 * bigrams (0.5) and character trigrams (0.25) into `dimensions` buckets with a sign hash, L2-normalised.
 * It knows no synonyms. For mechanics tests only (isolation, TTL, invalidation): it is not an
 * embedder the server deploys, so no hit-rate figure is measured with it (`QuestionEmbedder` is).
 */
export class HashingEmbedder implements CacheEmbedder {
  readonly id: string;

  constructor(readonly dimensions = 256) {
    this.id = `hashing-v1-${dimensions}`;
  }

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.embedOne(text));
  }

  embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimensions).fill(0);
    const add = (feature: string, weight: number): void => {
      const hash = fnv1a(feature);
      vector[hash % this.dimensions] =
        (vector[hash % this.dimensions] as number) + (hash & 0x80000000 ? -weight : weight);
    };
    const words = (text.toLowerCase().match(/[\p{L}\p{N}]+(?:['.-][\p{L}\p{N}]+)*/gu) ?? []).filter(
      (word) => !STOPWORDS.has(word),
    );
    const stems = words.map(stem);
    stems.forEach((word, index) => {
      add(`w:${word}`, 1);
      const next = stems[index + 1];
      if (next !== undefined) add(`b:${word}_${next}`, 0.5);
      const padded = ` ${word} `;
      for (let start = 0; start + 3 <= padded.length; start++)
        add(`c:${padded.slice(start, start + 3)}`, 0.25);
    });
    const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
    return norm === 0 ? vector : vector.map((value) => value / norm);
  }
}
