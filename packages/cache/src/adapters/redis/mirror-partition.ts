import type { JsonValue } from '../../ports/json';
import type { VectorIndexMatch } from '../../ports/vector-index';
import { HnswGraph, type HnswOptions } from './hnsw-graph';

export interface MirrorPartitionOptions extends HnswOptions {
  /** Below this many live items a query scans them all (exact); from it on, the HNSW graph. */
  readonly exactScanBelow: number;
  /** Most items kept; the ones expiring first go first. */
  readonly maxItems: number;
  /**
   * The latest this many items are scanned exactly on every graph query too, and merged. Default 1024.
   * A new item is the one most likely asked for next, and the least well linked: among 100k older
   * questions the graph alone missed 5 of 50 just-stored ones in the bench.
   */
  readonly recentExact?: number;
}

/**
 * One partition of a replica's local mirror: the items of one `RedisVectorIndex` partition with
 * their deadlines, searched exactly while small and through an HNSW graph once large. Replaced or
 * deleted items are tombstones in the graph; when tombstones outnumber live items the graph is
 * rebuilt from the live ones, so memory stays proportional to what is live (amortised O(1) per delete).
 * A bulk load (or a rebuild) stores items at once and links them into the graph in slices
 * (`linkPending`); until every item is linked, queries scan exactly, so results are never partial.
 */
export class MirrorPartition {
  private graph: HnswGraph;
  private ids: string[] = [];
  private payloads: Array<JsonValue | undefined> = [];
  private deadlines: number[] = [];
  private readonly nodes = new Map<string, number>();
  /** Ring of the latest inserted nodes (see `recentExact`). */
  private recent: number[] = [];
  private recentNext = 0;

  constructor(
    private readonly dimensions: number,
    private readonly options: MirrorPartitionOptions,
  ) {
    this.graph = new HnswGraph(dimensions, options);
  }

  get size(): number {
    return this.nodes.size;
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  /** Items stored but not in the HNSW graph yet (a fresh load): queries scan exactly until it is 0. */
  get unlinked(): number {
    return this.graph.unlinkedCount;
  }

  /** Links up to `count` pending items into the graph; the owner calls it in slices, off the query path. */
  linkPending(count: number): void {
    for (let step = 0; step < count && this.graph.unlinkedCount > 0; step++) this.graph.linkNext();
  }

  /**
   * Adds or replaces an item (a unit vector); an unchanged vector only updates payload and deadline.
   * With `deferLink` (bulk loads) the item is stored but linked later by `linkPending`.
   */
  upsert(id: string, vector: Float32Array, payload: JsonValue, deadline: number, deferLink = false): void {
    const existing = this.nodes.get(id);
    if (existing !== undefined) {
      const old = this.graph.vectorOf(existing);
      if (old.every((value, index) => value === vector[index])) {
        this.payloads[existing] = payload;
        this.deadlines[existing] = deadline;
        return;
      }
      this.remove(id);
    }
    // Linking goes in insertion order: behind a backlog, a new item waits its turn.
    const node =
      deferLink || this.graph.unlinkedCount > 0 ? this.graph.add(vector) : this.graph.insert(vector);
    this.ids[node] = id;
    this.payloads[node] = payload;
    this.deadlines[node] = deadline;
    this.nodes.set(id, node);
    this.remember(node);
    if (this.nodes.size > this.options.maxItems) this.evictEarliest(this.nodes.size - this.options.maxItems);
  }

  remove(id: string): boolean {
    const node = this.nodes.get(id);
    if (node === undefined) return false;
    this.graph.remove(node);
    this.nodes.delete(id);
    this.payloads[node] = undefined;
    if (this.graph.deletedNodes > 1024 && this.graph.deletedNodes > this.graph.liveCount) this.rebuild();
    return true;
  }

  /** Drops every item whose deadline has passed; returns how many. */
  sweep(now: number): number {
    const expired = [...this.nodes].filter(([, node]) => (this.deadlines[node] as number) <= now);
    for (const [id] of expired) this.remove(id);
    return expired.length;
  }

  private evictEarliest(count: number): void {
    const byDeadline = [...this.nodes].sort(
      ([, a], [, b]) => (this.deadlines[a] as number) - (this.deadlines[b] as number),
    );
    for (const [id] of byDeadline.slice(0, count)) this.remove(id);
  }

  private remember(node: number): void {
    const size = this.options.recentExact ?? 1024;
    if (size === 0) return;
    if (this.recent.length < size) this.recent.push(node);
    else this.recent[this.recentNext] = node;
    this.recentNext = (this.recentNext + 1) % size;
  }

  private rebuild(): void {
    const live = [...this.nodes];
    const old = this.graph;
    const oldPayloads = this.payloads;
    const oldDeadlines = this.deadlines;
    this.graph = new HnswGraph(this.dimensions, this.options);
    this.ids = [];
    this.payloads = [];
    this.deadlines = [];
    this.nodes.clear();
    this.recent = [];
    this.recentNext = 0;
    for (const [id, oldNode] of live) {
      const node = this.graph.add(old.vectorOf(oldNode));
      this.ids[node] = id;
      this.payloads[node] = oldPayloads[oldNode];
      this.deadlines[node] = oldDeadlines[oldNode] as number;
      this.nodes.set(id, node);
      this.remember(node);
    }
  }

  /** The `topK` nearest unexpired items, best first; exact below `exactScanBelow` live items. */
  query(vector: Float32Array, topK: number, now: number, exact = false): VectorIndexMatch[] {
    const accept = (node: number): boolean => (this.deadlines[node] as number) > now;
    const found =
      exact || this.nodes.size < this.options.exactScanBelow || this.graph.unlinkedCount > 0
        ? this.graph.exactSearch(vector, topK, accept)
        : this.graph.search(vector, topK, accept, this.recent);
    return found.map(({ node, similarity }) => ({
      id: this.ids[node] as string,
      similarity,
      payload: this.payloads[node] as JsonValue,
    }));
  }
}
