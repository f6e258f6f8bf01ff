import type { JsonValue } from './json';

export interface VectorIndexItem {
  readonly id: string;
  readonly vector: readonly number[];
  readonly payload: JsonValue;
}

export interface VectorIndexMatch {
  readonly id: string;
  /** Cosine similarity in [-1, 1] (1 = same direction). */
  readonly similarity: number;
  readonly payload: JsonValue;
}

/**
 * The nearest-neighbour index under the semantic cache. Partitioned by `partition`: a query only ever
 * sees items upserted into the same partition (this is what keeps tenants apart, so an adapter must
 * filter by partition inside the store, never after a global top-k). Vectors are compared by cosine
 * similarity. `upsert` of an existing id replaces it.
 */
export interface VectorIndex {
  readonly name: string;
  upsert(partition: string, items: readonly VectorIndexItem[]): Promise<void>;
  query(partition: string, vector: readonly number[], topK: number): Promise<VectorIndexMatch[]>;
  delete(partition: string, ids: readonly string[]): Promise<void>;
  /** Removes every partition whose name starts with `prefix`; returns how many items went. */
  deletePartitionsByPrefix(prefix: string): Promise<number>;
  close(): Promise<void>;
}
