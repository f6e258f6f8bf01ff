import type { MeterProvider } from '@opentelemetry/api';
import { ATTR } from '@ai-scale/telemetry';
import { EmbeddingDimensionMismatchError } from '../../errors/embedding-dimension-mismatch.error';
import { createCacheInstruments, type CacheInstruments } from '../../internal/metrics';
import { assertBound } from '../../internal/validation';
import type { JsonValue } from '../../ports/json';
import type { VectorIndex, VectorIndexItem, VectorIndexMatch } from '../../ports/vector-index';

export interface MemoryVectorIndexOptions {
  readonly dimensions: number;
  /** Most items per partition; the oldest inserted go first. Default 100,000. */
  readonly maxItemsPerPartition?: number;
  readonly meterProvider?: MeterProvider;
}

/** One partition: unit vectors packed in one Float32Array, rows in insertion order. */
class Partition {
  ids: string[] = [];
  payloads: JsonValue[] = [];
  rows = new Map<string, number>();
  vectors: Float32Array;

  constructor(private readonly dimensions: number) {
    this.vectors = new Float32Array(dimensions * 64);
  }

  get size(): number {
    return this.ids.length;
  }

  upsert(id: string, vector: Float32Array, payload: JsonValue): void {
    let row = this.rows.get(id);
    if (row === undefined) {
      row = this.ids.length;
      if ((row + 1) * this.dimensions > this.vectors.length) {
        const grown = new Float32Array(this.vectors.length * 2);
        grown.set(this.vectors);
        this.vectors = grown;
      }
      this.ids.push(id);
      this.payloads.push(payload);
      this.rows.set(id, row);
    } else {
      this.payloads[row] = payload;
    }
    this.vectors.set(vector, row * this.dimensions);
  }

  /** Removes by moving the last row into the hole (O(1)); insertion order is kept only approximately. */
  delete(id: string): boolean {
    const row = this.rows.get(id);
    if (row === undefined) return false;
    const lastRow = this.ids.length - 1;
    if (row !== lastRow) {
      const lastId = this.ids[lastRow] as string;
      this.ids[row] = lastId;
      this.payloads[row] = this.payloads[lastRow] as JsonValue;
      this.vectors.copyWithin(
        row * this.dimensions,
        lastRow * this.dimensions,
        (lastRow + 1) * this.dimensions,
      );
      this.rows.set(lastId, row);
    }
    this.ids.pop();
    this.payloads.pop();
    this.rows.delete(id);
    return true;
  }

  query(vector: Float32Array, topK: number): VectorIndexMatch[] {
    const best: Array<{ row: number; similarity: number }> = [];
    const dimensions = this.dimensions;
    const vectors = this.vectors;
    const unrolled = dimensions - (dimensions % 4);
    for (let row = 0; row < this.ids.length; row++) {
      // Four accumulators: about 1.7x faster than one in V8 (independent additions pipeline).
      let a = 0;
      let b = 0;
      let c = 0;
      let d = 0;
      const offset = row * dimensions;
      let index = 0;
      for (; index < unrolled; index += 4) {
        a += (vectors[offset + index] as number) * (vector[index] as number);
        b += (vectors[offset + index + 1] as number) * (vector[index + 1] as number);
        c += (vectors[offset + index + 2] as number) * (vector[index + 2] as number);
        d += (vectors[offset + index + 3] as number) * (vector[index + 3] as number);
      }
      for (; index < dimensions; index++)
        a += (vectors[offset + index] as number) * (vector[index] as number);
      const dot = a + b + c + d;
      if (best.length < topK || dot > (best[best.length - 1] as { similarity: number }).similarity) {
        let position = best.length;
        while (position > 0 && (best[position - 1] as { similarity: number }).similarity < dot) position--;
        best.splice(position, 0, { row, similarity: dot });
        if (best.length > topK) best.pop();
      }
    }
    return best.map(({ row, similarity }) => ({
      id: this.ids[row] as string,
      similarity,
      payload: this.payloads[row] as JsonValue,
    }));
  }
}

function toUnitVector(vector: readonly number[], dimensions: number): Float32Array {
  if (vector.length !== dimensions) throw new EmbeddingDimensionMismatchError(dimensions, vector.length);
  const unit = Float32Array.from(vector);
  let norm = 0;
  for (const value of unit) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0)
    for (let index = 0; index < unit.length; index++) unit[index] = (unit[index] as number) / norm;
  return unit;
}

/**
 * An exact (brute-force) cosine index in process memory: one packed Float32Array per partition, so a
 * query only ever scans its own partition (tenant isolation by construction). About 1 ms per 10k
 * vectors of 256 dimensions on one core; bounded per partition, evicting the oldest items.
 */
export class MemoryVectorIndex implements VectorIndex {
  readonly name = 'memory';
  private readonly partitions = new Map<string, Partition>();
  private readonly dimensions: number;
  private readonly maxItems: number;
  private readonly instruments: CacheInstruments;

  constructor(options: MemoryVectorIndexOptions) {
    assertBound('dimensions', options.dimensions);
    assertBound('maxItemsPerPartition', options.maxItemsPerPartition);
    this.dimensions = options.dimensions;
    this.maxItems = options.maxItemsPerPartition ?? 100_000;
    this.instruments = createCacheInstruments(options.meterProvider);
  }

  async upsert(partitionName: string, items: readonly VectorIndexItem[]): Promise<void> {
    const vectors = items.map((item) => toUnitVector(item.vector, this.dimensions));
    let partition = this.partitions.get(partitionName);
    if (partition === undefined) {
      partition = new Partition(this.dimensions);
      this.partitions.set(partitionName, partition);
    }
    items.forEach((item, index) => partition.upsert(item.id, vectors[index] as Float32Array, item.payload));
    while (partition.size > this.maxItems) {
      // `rows` is a Map: its first key is the oldest insertion still present.
      partition.delete(partition.rows.keys().next().value as string);
      this.instruments.evictions.add(1, { [ATTR.cacheAdapter]: 'memory-vector-index' });
    }
  }

  async query(partitionName: string, vector: readonly number[], topK: number): Promise<VectorIndexMatch[]> {
    const unit = toUnitVector(vector, this.dimensions);
    const partition = this.partitions.get(partitionName);
    return partition === undefined || topK < 1 ? [] : partition.query(unit, topK);
  }

  async delete(partitionName: string, ids: readonly string[]): Promise<void> {
    const partition = this.partitions.get(partitionName);
    if (partition === undefined) return;
    for (const id of ids) partition.delete(id);
    if (partition.size === 0) this.partitions.delete(partitionName);
  }

  async deletePartitionsByPrefix(prefix: string): Promise<number> {
    let deleted = 0;
    for (const [name, partition] of this.partitions) {
      if (name.startsWith(prefix)) {
        deleted += partition.size;
        this.partitions.delete(name);
      }
    }
    return deleted;
  }

  async close(): Promise<void> {
    this.partitions.clear();
  }
}
