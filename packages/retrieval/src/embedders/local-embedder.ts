import type { Embedder } from '../ports';
import { InvalidRetrievalRequestError } from '../errors';
import { analyze } from '../text/analyzer';

export interface LocalEmbedderOptions {
  /** Vector length (default 384). More dimensions, fewer hash collisions. */
  readonly dimensions?: number;
  /** Weight of character n-gram features relative to whole-word features (default 0.6; 0 disables). */
  readonly charNgramWeight?: number;
  /** Character n-gram sizes (default [3, 4]). */
  readonly charNgramSizes?: readonly number[];
  /** Weight of adjacent-word pair features (default 0.25; 0 disables). */
  readonly wordBigramWeight?: number;
}

/**
 * A deterministic embedder that needs no model: the feature-hashing trick over stemmed words,
 * adjacent word pairs and character n-grams (which match spelling variants and compounds),
 * weighted 1 + log(tf), signed-hashed into `dimensions` buckets and L2-normalized.
 *
 * What it can do: rank by lexical overlap (shared words, stems, word fragments), with no download,
 * no GPU, the same vector on every machine, thousands of chunks per second.
 * What it cannot do: semantics. `car` and `automobile` share no feature, so their cosine is ~0;
 * it knows no synonyms, paraphrases, translations or word sense. Use an `openai-compatible`
 * embedder for that; this one is the zero-setup default and the deterministic test double.
 */
export class LocalEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly charNgramWeight: number;
  private readonly charNgramSizes: readonly number[];
  private readonly wordBigramWeight: number;

  constructor(options: LocalEmbedderOptions = {}) {
    this.dimensions = options.dimensions ?? 384;
    if (!Number.isInteger(this.dimensions) || this.dimensions < 8) {
      throw new InvalidRetrievalRequestError({
        message: `dimensions must be an integer ≥ 8, got ${this.dimensions}`,
      });
    }
    this.charNgramWeight = options.charNgramWeight ?? 0.6;
    this.charNgramSizes = options.charNgramSizes ?? [3, 4];
    this.wordBigramWeight = options.wordBigramWeight ?? 0.25;
    // The id names every setting that changes vectors, so cached embeddings never mix spaces.
    this.id = `local-hash-v1-d${this.dimensions}-c${this.charNgramWeight}[${this.charNgramSizes.join(',')}]-b${this.wordBigramWeight}`;
  }

  embed(texts: readonly string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }

  embedOne(text: string): number[] {
    const features = new Map<string, number>();
    const add = (feature: string, weight: number): void => {
      features.set(feature, (features.get(feature) ?? 0) + weight);
    };
    const terms = analyze(text);
    let previous: string | undefined;
    for (const { word, term } of terms) {
      add(`w:${term}`, 1);
      if (this.wordBigramWeight > 0 && previous !== undefined)
        add(`b:${previous}_${term}`, this.wordBigramWeight);
      previous = term;
      if (this.charNgramWeight > 0) {
        const padded = `<${word}>`;
        for (const size of this.charNgramSizes) {
          if (padded.length < size + 1) continue;
          for (let start = 0; start + size <= padded.length; start++) {
            add(`c:${padded.slice(start, start + size)}`, this.charNgramWeight / size);
          }
        }
      }
    }
    const vector = new Array<number>(this.dimensions).fill(0);
    for (const [feature, weight] of features) {
      const hash = fnv1a(feature);
      const index = hash % this.dimensions;
      const sign = (hash >>> 31) & 1 ? -1 : 1;
      // Sublinear tf: a word repeated ten times is not ten times as relevant.
      vector[index] = (vector[index] as number) + sign * (weight >= 1 ? 1 + Math.log(weight) : weight);
    }
    let norm = 0;
    for (const value of vector) norm += value * value;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / norm;
    return vector;
  }
}

/** 32-bit FNV-1a over UTF-16 code units, as an unsigned integer. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
