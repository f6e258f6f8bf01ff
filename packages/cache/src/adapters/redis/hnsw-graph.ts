/**
 * A small HNSW graph (Malkov & Yashunin, 2016) over unit vectors packed in one Float32Array, for the
 * local mirror of `RedisVectorIndex`. Nodes are numbered in insertion order; a deleted node stays in
 * the graph as a waypoint (never returned) until the owner rebuilds it. Single-threaded by design:
 * every call runs to completion on the event loop.
 *
 * Costs at 256 dimensions (measured by the `cache` bench): an insert is one search with
 * `efConstruction` plus neighbour pruning, a query one search with `max(efSearch, k)`.
 */
export interface HnswOptions {
  /** Neighbours per node on the upper layers (twice that on layer 0). Default 16. */
  readonly m?: number;
  /** Beam width while inserting. Default 100. */
  readonly efConstruction?: number;
  /** Beam width while querying (at least k). Default 64. */
  readonly efSearch?: number;
  /** Seed of the level draw, so a graph built twice from the same inserts is the same graph. */
  readonly seed?: number;
}

/**
 * A vector ready for similarity: its non-zero coordinates too when it is sparse (the hashed lexical
 * embedders of the cache fill a few dozen of 256-512 buckets), so a dot product costs its non-zeros,
 * not the dimension: about 10x faster for such vectors, unchanged for dense ones.
 */
interface PreparedVector {
  readonly dense: Float32Array;
  readonly indices: Int32Array | undefined;
  readonly values: Float32Array | undefined;
}

function prepare(vector: Float32Array): PreparedVector {
  let nonZero = 0;
  for (let index = 0; index < vector.length; index++) if (vector[index] !== 0) nonZero++;
  if (nonZero * 4 > vector.length) return { dense: vector, indices: undefined, values: undefined };
  const indices = new Int32Array(nonZero);
  const values = new Float32Array(nonZero);
  let position = 0;
  for (let index = 0; index < vector.length; index++) {
    if (vector[index] !== 0) {
      indices[position] = index;
      values[position++] = vector[index] as number;
    }
  }
  return { dense: vector, indices, values };
}

/** A binary heap of (node, similarity), ordered by similarity; `max` picks which end is on top. */
class Heap {
  private nodes: number[] = [];
  private scores: number[] = [];
  constructor(private readonly max: boolean) {}

  get size(): number {
    return this.nodes.length;
  }
  get topNode(): number {
    return this.nodes[0] as number;
  }
  get topScore(): number {
    return this.scores[0] as number;
  }

  private before(a: number, b: number): boolean {
    const scoreA = this.scores[a] as number;
    const scoreB = this.scores[b] as number;
    return this.max ? scoreA > scoreB : scoreA < scoreB;
  }

  private swap(a: number, b: number): void {
    const node = this.nodes[a] as number;
    this.nodes[a] = this.nodes[b] as number;
    this.nodes[b] = node;
    const score = this.scores[a] as number;
    this.scores[a] = this.scores[b] as number;
    this.scores[b] = score;
  }

  push(node: number, score: number): void {
    this.nodes.push(node);
    this.scores.push(score);
    let index = this.nodes.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  pop(): void {
    const last = this.nodes.length - 1;
    this.swap(0, last);
    this.nodes.pop();
    this.scores.pop();
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let best = index;
      if (left < this.nodes.length && this.before(left, best)) best = left;
      if (right < this.nodes.length && this.before(right, best)) best = right;
      if (best === index) return;
      this.swap(index, best);
      index = best;
    }
  }

  /** Contents, best similarity first. */
  sorted(): Array<{ node: number; score: number }> {
    return this.nodes
      .map((node, index) => ({ node, score: this.scores[index] as number }))
      .sort((a, b) => b.score - a.score);
  }
}

/** mulberry32: a seeded PRNG for the level draw. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

export class HnswGraph {
  readonly dimensions: number;
  private readonly m: number;
  private readonly m0: number;
  private readonly efConstruction: number;
  private readonly efSearch: number;
  private readonly levelFactor: number;
  private readonly random: () => number;
  /** Vectors of all nodes, `dimensions` floats each. */
  private vectors: Float32Array;
  /** Layer-0 adjacency: per node, a count then up to m0 neighbours. */
  private layer0: Int32Array;
  /** Upper layers (level ≥ 1): node → per level, its neighbours. Only ~1/m of the nodes have any. */
  private readonly upper = new Map<number, number[][]>();
  /** Per node, its prepared vector (sparse coordinates when sparse). */
  private prepared: PreparedVector[] = [];
  private levels: Uint8Array;
  private deleted: Uint8Array;
  private visited: Uint32Array;
  private visitMark = 0;
  private entry = -1;
  private topLevel = -1;
  private count = 0;
  private linked = 0;
  private deletedCount = 0;

  constructor(dimensions: number, options: HnswOptions = {}) {
    this.dimensions = dimensions;
    this.m = options.m ?? 16;
    this.m0 = this.m * 2;
    this.efConstruction = options.efConstruction ?? 100;
    this.efSearch = options.efSearch ?? 64;
    this.levelFactor = 1 / Math.log(this.m);
    this.random = prng(options.seed ?? 42);
    const capacity = 64;
    this.vectors = new Float32Array(capacity * dimensions);
    this.layer0 = new Int32Array(capacity * (this.m0 + 1));
    this.levels = new Uint8Array(capacity);
    this.deleted = new Uint8Array(capacity);
    this.visited = new Uint32Array(capacity);
  }

  /** Nodes ever inserted (deleted ones included): the next node number. */
  get nodeCount(): number {
    return this.count;
  }

  get liveCount(): number {
    return this.count - this.deletedCount;
  }

  get deletedNodes(): number {
    return this.deletedCount;
  }

  isDeleted(node: number): boolean {
    return this.deleted[node] === 1;
  }

  private grow(): void {
    const capacity = this.levels.length * 2;
    const vectors = new Float32Array(capacity * this.dimensions);
    vectors.set(this.vectors);
    this.vectors = vectors;
    const layer0 = new Int32Array(capacity * (this.m0 + 1));
    layer0.set(this.layer0);
    this.layer0 = layer0;
    const levels = new Uint8Array(capacity);
    levels.set(this.levels);
    this.levels = levels;
    const deleted = new Uint8Array(capacity);
    deleted.set(this.deleted);
    this.deleted = deleted;
    this.visited = new Uint32Array(capacity);
    this.visitMark = 0;
    // Dense prepared vectors are views of the old buffer: point them at the new one.
    this.prepared = this.prepared.map((prepared, node) =>
      prepared.indices === undefined ? { ...prepared, dense: this.vectorOf(node) } : prepared,
    );
  }

  /** Dot product of node `node`'s vector with `query` (both unit: the cosine similarity). */
  private similarity(node: number, prepared: PreparedVector): number {
    const dimensions = this.dimensions;
    const vectors = this.vectors;
    const offset = node * dimensions;
    const { indices, values } = prepared;
    if (indices !== undefined && values !== undefined) {
      let sum = 0;
      for (let index = 0; index < indices.length; index++) {
        sum += (values[index] as number) * (vectors[offset + (indices[index] as number)] as number);
      }
      return sum;
    }
    const query = prepared.dense;
    const unrolled = dimensions - (dimensions % 4);
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    let index = 0;
    for (; index < unrolled; index += 4) {
      a += (vectors[offset + index] as number) * (query[index] as number);
      b += (vectors[offset + index + 1] as number) * (query[index + 1] as number);
      c += (vectors[offset + index + 2] as number) * (query[index + 2] as number);
      d += (vectors[offset + index + 3] as number) * (query[index + 3] as number);
    }
    for (; index < dimensions; index++) a += (vectors[offset + index] as number) * (query[index] as number);
    return a + b + c + d;
  }

  vectorOf(node: number): Float32Array {
    return this.vectors.subarray(node * this.dimensions, (node + 1) * this.dimensions);
  }

  private neighbours(node: number, level: number): ArrayLike<number> {
    if (level === 0) {
      const base = node * (this.m0 + 1);
      return this.layer0.subarray(base + 1, base + 1 + (this.layer0[base] as number));
    }
    return this.upper.get(node)?.[level - 1] ?? [];
  }

  private setNeighbours(node: number, level: number, list: readonly number[]): void {
    if (level === 0) {
      const base = node * (this.m0 + 1);
      this.layer0[base] = list.length;
      this.layer0.set(list, base + 1);
    } else {
      (this.upper.get(node) as number[][])[level - 1] = [...list];
    }
  }

  private nextVisitMark(): number {
    if (this.visitMark === 0xffffffff) {
      this.visited.fill(0);
      this.visitMark = 0;
    }
    return ++this.visitMark;
  }

  /** Beam search of one layer from `starts`; returns a min-heap of the best `ef` (deleted included). */
  private searchLayer(query: PreparedVector, starts: readonly number[], ef: number, level: number): Heap {
    const mark = this.nextVisitMark();
    const candidates = new Heap(true);
    const found = new Heap(false);
    for (const start of starts) {
      this.visited[start] = mark;
      const score = this.similarity(start, query);
      candidates.push(start, score);
      found.push(start, score);
    }
    while (candidates.size > 0) {
      const node = candidates.topNode;
      const score = candidates.topScore;
      if (found.size >= ef && score < found.topScore) break;
      candidates.pop();
      const list = this.neighbours(node, level);
      for (let index = 0; index < list.length; index++) {
        const neighbour = list[index] as number;
        if (this.visited[neighbour] === mark) continue;
        this.visited[neighbour] = mark;
        const neighbourScore = this.similarity(neighbour, query);
        if (found.size < ef || neighbourScore > found.topScore) {
          candidates.push(neighbour, neighbourScore);
          found.push(neighbour, neighbourScore);
          if (found.size > ef) found.pop();
        }
      }
    }
    return found;
  }

  /**
   * The HNSW neighbour heuristic: keep a candidate only if it is closer to the base than to every
   * neighbour kept so far, so that links spread in all directions (clusters stay connected).
   */
  private selectNeighbours(
    candidates: Array<{ node: number; score: number }>,
    limit: number,
    fill = true,
  ): number[] {
    const kept: number[] = [];
    for (const candidate of candidates) {
      if (kept.length >= limit) break;
      const vector = this.prepared[candidate.node] as PreparedVector;
      if (kept.every((other) => this.similarity(other, vector) < candidate.score)) kept.push(candidate.node);
    }
    // A new node's list is filled up with the nearest skipped ones (helps recall); a full list being
    // re-selected is not, or the far links the heuristic kept would be pushed out again.
    for (const candidate of fill ? candidates : []) {
      if (kept.length >= limit) break;
      if (!kept.includes(candidate.node)) kept.push(candidate.node);
    }
    return kept;
  }

  /** Adds a unit vector and links it into the graph; returns its node number. */
  insert(unit: Float32Array): number {
    const node = this.add(unit);
    this.link(node);
    return node;
  }

  /**
   * Stores a unit vector without linking it (cheap: a copy): the exact scan sees it at once, the
   * graph once `link` ran for it. Nodes must be linked in the order they were added.
   */
  add(unit: Float32Array): number {
    if (this.count === this.levels.length) this.grow();
    const node = this.count++;
    this.vectors.set(unit, node * this.dimensions);
    this.prepared[node] = prepare(this.vectorOf(node));
    return node;
  }

  /** Nodes added but not linked yet: while there are any, only `exactSearch` sees every node. */
  get unlinkedCount(): number {
    return this.count - this.linked;
  }

  /** Links the next added node into the graph (HNSW insertion). */
  linkNext(): void {
    if (this.linked < this.count) this.link(this.linked);
  }

  private link(node: number): void {
    this.linked = node + 1;
    const vector = this.prepared[node] as PreparedVector;
    const level = Math.min(15, Math.floor(-Math.log(1 - this.random()) * this.levelFactor));
    this.levels[node] = level;
    this.layer0[node * (this.m0 + 1)] = 0;
    if (level > 0)
      this.upper.set(
        node,
        Array.from({ length: level }, () => []),
      );
    if (this.entry < 0) {
      this.entry = node;
      this.topLevel = level;
      return;
    }
    let starts = [this.entry];
    for (let current = this.topLevel; current > level; current--) {
      starts = [this.searchLayer(vector, starts, 1, current).sorted()[0]?.node ?? this.entry];
    }
    for (let current = Math.min(level, this.topLevel); current >= 0; current--) {
      const found = this.searchLayer(vector, starts, this.efConstruction, current).sorted();
      const limit = current === 0 ? this.m0 : this.m;
      const chosen = this.selectNeighbours(found, this.m);
      this.setNeighbours(node, current, chosen);
      for (const neighbour of chosen) {
        const list = Array.from(this.neighbours(neighbour, current));
        if (list.length < limit) {
          list.push(node);
          this.setNeighbours(neighbour, current, list);
        } else {
          // Full: re-select with the heuristic, which keeps a link to a node in another direction
          // even when it is far. Dropping the farthest link instead left small clusters (a new
          // topic among thousands of questions) with no way in: measured as exact duplicates missed.
          const base = this.prepared[neighbour] as PreparedVector;
          const pool = [...list, node]
            .map((other) => ({ node: other, score: this.similarity(other, base) }))
            .sort((a, b) => b.score - a.score);
          this.setNeighbours(neighbour, current, this.selectNeighbours(pool, limit, false));
        }
      }
      starts = found.map((item) => item.node);
    }
    if (level > this.topLevel) {
      this.topLevel = level;
      this.entry = node;
    }
  }

  /** Marks a node deleted: never returned again, still a waypoint for searches. */
  remove(node: number): void {
    if (node < 0 || node >= this.count || this.deleted[node] === 1) return;
    this.deleted[node] = 1;
    this.deletedCount++;
  }

  /**
   * The `k` nearest live nodes accepted by `accept` (e.g. not expired), best first. Approximate: a
   * true neighbour can be missed (the bench measures recall against the exact scan).
   */
  search(
    unit: Float32Array,
    k: number,
    accept: (node: number) => boolean,
    alsoScan: readonly number[] = [],
  ): Array<{ node: number; similarity: number }> {
    if (this.entry < 0 || k < 1) return [];
    const query = prepare(unit);
    const ef = Math.max(this.efSearch, k);
    let starts = [this.entry];
    for (let level = this.topLevel; level > 1; level--) {
      starts = [this.searchLayer(query, starts, 1, level).sorted()[0]?.node ?? this.entry];
    }
    // Layer 1 with the full beam, not greedily: its ~1/m of the nodes span every topic, so layer 0
    // starts from several regions. Greedy descent alone ends in the biggest cluster and misses
    // small topics linked to it by few edges (the bench's paraphrases among 100k filler questions).
    if (this.topLevel >= 1)
      starts = this.searchLayer(query, starts, ef, 1)
        .sorted()
        .map((item) => item.node);
    const found = this.searchLayer(query, starts, ef, 0).sorted();
    if (alsoScan.length > 0) {
      // Nodes the caller wants scored exactly whatever the graph found (the most recent ones). Only
      // their best k can matter; nodes the layer-0 search visited were scored there already.
      const mark = this.visitMark;
      const best: Array<{ node: number; score: number }> = [];
      for (const node of alsoScan) {
        if (this.visited[node] === mark || this.deleted[node] === 1) continue;
        const score = this.similarity(node, query);
        if (best.length < k || score > (best[best.length - 1] as { score: number }).score) {
          let position = best.length;
          while (position > 0 && (best[position - 1] as { score: number }).score < score) position--;
          best.splice(position, 0, { node, score });
          if (best.length > k) best.pop();
        }
      }
      if (best.length > 0) {
        found.push(...best);
        found.sort((a, b) => b.score - a.score);
      }
    }
    const results: Array<{ node: number; similarity: number }> = [];
    for (const { node, score } of found) {
      if (results.length >= k) break;
      if (this.deleted[node] === 0 && accept(node)) results.push({ node, similarity: score });
    }
    return results;
  }

  /** Exact scan of every live node accepted by `accept`: the reference (and the small-set path). */
  exactSearch(
    unit: Float32Array,
    k: number,
    accept: (node: number) => boolean,
  ): Array<{ node: number; similarity: number }> {
    const query = prepare(unit);
    const best: Array<{ node: number; similarity: number }> = [];
    for (let node = 0; node < this.count; node++) {
      if (this.deleted[node] === 1) continue;
      const similarity = this.similarity(node, query);
      if (best.length < k || similarity > (best[best.length - 1] as { similarity: number }).similarity) {
        if (!accept(node)) continue;
        let position = best.length;
        while (position > 0 && (best[position - 1] as { similarity: number }).similarity < similarity)
          position--;
        best.splice(position, 0, { node, similarity });
        if (best.length > k) best.pop();
      }
    }
    return best;
  }
}
