import type { WeightedTerm } from '../ports';
import { analyze, type AnalyzerOptions } from './analyzer';

export interface Bm25Options extends AnalyzerOptions {
  /** Term-frequency saturation (default 1.2, Lucene's; Pyserini uses 0.9). */
  readonly k1?: number;
  /** Length normalization (default 0.75, Lucene's; Pyserini uses 0.4). */
  readonly b?: number;
}

interface Posting {
  readonly termFrequencies: Map<string, number>;
  readonly length: number;
}

/**
 * An incremental in-memory BM25 index (Robertson–Spärck Jones idf with Lucene's `1 +` so it is
 * never negative). Adding a known id replaces it. Scores use the statistics of the whole index.
 */
export class Bm25Index {
  private readonly documents = new Map<string, Posting>();
  private readonly postings = new Map<string, Set<string>>();
  private totalLength = 0;
  private readonly k1: number;
  private readonly b: number;

  constructor(private readonly options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
  }

  get size(): number {
    return this.documents.size;
  }

  add(id: string, text: string): void {
    this.remove(id);
    const termFrequencies = new Map<string, number>();
    const terms = analyze(text, this.options);
    for (const { term } of terms) termFrequencies.set(term, (termFrequencies.get(term) ?? 0) + 1);
    this.documents.set(id, { termFrequencies, length: terms.length });
    this.totalLength += terms.length;
    for (const term of termFrequencies.keys()) {
      let ids = this.postings.get(term);
      if (ids === undefined) this.postings.set(term, (ids = new Set()));
      ids.add(id);
    }
  }

  remove(id: string): void {
    const posting = this.documents.get(id);
    if (posting === undefined) return;
    this.documents.delete(id);
    this.totalLength -= posting.length;
    for (const term of posting.termFrequencies.keys()) {
      const ids = this.postings.get(term);
      ids?.delete(id);
      if (ids?.size === 0) this.postings.delete(term);
    }
  }

  /**
   * Scores every document sharing a term with the query; `accept` filters ids before ranking. A
   * term repeated in the query counts as often as it appears (Lucene's bag-of-words query; with
   * each term counted once, BM25 on CACM's paragraph-long queries fell from nDCG@10 0.466 to 0.406).
   */
  search(
    query: string,
    topK: number,
    accept: (id: string) => boolean = () => true,
  ): { id: string; score: number }[] {
    return this.searchTerms(queryTermWeights(query, this.options), topK, accept);
  }

  /** BM25 of already analyzed, weighted terms: Σ weight × idf × saturated tf (an expanded query). */
  searchTerms(
    terms: readonly WeightedTerm[],
    topK: number,
    accept: (id: string) => boolean = () => true,
  ): { id: string; score: number }[] {
    const count = this.documents.size;
    if (count === 0 || topK <= 0) return [];
    const averageLength = this.totalLength / count || 1;
    const scores = new Map<string, number>();
    for (const { term, weight } of terms) {
      const ids = this.postings.get(term);
      if (ids === undefined || !(weight > 0)) continue;
      const idf = Math.log(1 + (count - ids.size + 0.5) / (ids.size + 0.5));
      for (const id of ids) {
        const posting = this.documents.get(id) as Posting;
        const frequency = posting.termFrequencies.get(term) as number;
        const norm = frequency + this.k1 * (1 - this.b + (this.b * posting.length) / averageLength);
        scores.set(id, (scores.get(id) ?? 0) + (weight * idf * frequency * (this.k1 + 1)) / norm);
      }
    }
    const ranked: { id: string; score: number }[] = [];
    for (const [id, score] of scores) if (accept(id)) ranked.push({ id, score });
    ranked.sort((left, right) => right.score - left.score || (left.id < right.id ? -1 : 1));
    return ranked.slice(0, topK);
  }
}

/** The analyzed terms of a query, each weighted by how often it occurs (first occurrence order). */
export function queryTermWeights(query: string, options: AnalyzerOptions = {}): WeightedTerm[] {
  const counts = new Map<string, number>();
  for (const { term } of analyze(query, options)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return [...counts].map(([term, weight]) => ({ term, weight }));
}
