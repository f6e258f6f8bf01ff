import { performance } from 'node:perf_hooks';
import { metrics, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ATTR, METRIC, SPAN } from '@ai-scale/telemetry';
import type {
  Chunk,
  Chunker,
  Embedder,
  EmbeddingCache,
  IngestDocumentInput,
  IngestOptions,
  IngestDocumentResult,
  Metadata,
  MetadataFilter,
  RemoveDocumentInput,
  Reranker,
  Retrieval,
  SearchInput,
  SearchMode,
  SearchResponse,
  SearchResult,
  StoreHit,
  StoredChunk,
  VectorRecord,
  VectorStore,
  WeightedTerm,
} from '../ports';
import { DimensionMismatchError, InvalidRetrievalRequestError, UnsupportedSearchModeError } from '../errors';
import { RecursiveTokenChunker } from '../chunking/recursive-token-chunker';
import { parseMetadataFilter } from '../filters/metadata-filter';
import { requireTenant } from '../internal/validate';
import { LruEmbeddingCache } from './lru-embedding-cache';
import { analyze } from '../text/analyzer';
import { queryTermWeights } from '../text/bm25-index';
import { rm3Expansion } from '../text/rm3';
import { reciprocalRankFusion } from './reciprocal-rank-fusion';
import { rocchioVector } from './rocchio';

export interface RetrievalServiceOptions {
  readonly embedder: Embedder;
  readonly store: VectorStore;
  /** Default: `RecursiveTokenChunker` (256 tokens, 32 overlap). */
  readonly chunker?: Chunker;
  readonly chunkSize?: number;
  readonly chunkOverlap?: number;
  /** Default: an in-process LRU of 10,000 vectors. Pass a Redis-backed cache to share across workers. */
  readonly embeddingCache?: EmbeddingCache;
  /** Applied when `search({ rerank: true })`. */
  readonly reranker?: Reranker;
  /** Texts per `embed` call (default 64). */
  readonly embedBatchSize?: number;
  /** Records per `upsert` call (default 500). */
  readonly upsertBatchSize?: number;
  /** Candidates each leg of a hybrid search returns before fusion (default 50, at least topK). */
  readonly hybridCandidates?: number;
  /**
   * Reciprocal rank fusion of the hybrid legs: constant `k` (default 20), `keywordWeight` (default 1)
   * for the keyword leg (its RM3-expanded query when feedback is on), `firstPassWeight` (default 1)
   * for the unexpanded keyword list, which also votes when feedback is on, and `vectorWeight`
   * (default 0.3) for the vector leg. Chosen on Cranfield and CACM together (the server's 256-d local
   * embedder): among the 2,310 settings of a grid, those within 0.001 of the best worst-case margin
   * over each collection's reference BM25, the one with the fewest expansion terms
   * (docs/benchmarks.md, bench/results/retrieval-sweep.json). With a
   * semantic embedder, raise `vectorWeight` (start at 1) and measure with `npm run eval`.
   */
  readonly fusion?: {
    readonly k?: number;
    readonly vectorWeight?: number;
    readonly keywordWeight?: number;
    readonly firstPassWeight?: number;
  };
  /**
   * Pseudo-relevance feedback of hybrid search (default on; `false` turns it off): the first-pass
   * keyword hits expand the keyword query by RM3 (`keywordDocs` 3 hits, `keywordTerms` 20 terms,
   * `originalQueryWeight` 0.7; stores with `capabilities.weightedTerms` only) and move the query
   * vector towards their vectors by Rocchio (`vectorDocs` 10 hits, `vectorBeta` 0.5; their vectors
   * from the embedding cache, else embedded again). Costs one keyword search before the two legs run
   * (and, with a remote embedder and a cold cache, one embedding call).
   */
  readonly feedback?: false | FeedbackOptions;
  /** First-stage candidates handed to the reranker (default 50, at least topK). */
  readonly rerankCandidates?: number;
  /** Largest accepted topK (default 100). */
  readonly maxTopK?: number;
}

export interface FeedbackOptions {
  readonly keywordDocs?: number;
  readonly keywordTerms?: number;
  readonly originalQueryWeight?: number;
  readonly vectorDocs?: number;
  readonly vectorBeta?: number;
}

const RESERVED_METADATA = new Set(['documentId', 'headingPath', 'ordinal', 'tenantId']);
const METADATA_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * The ingestion and search pipeline over the four ports (see `Retrieval` for its guarantees).
 * Chunk ids are `${documentId}::${contentHash[0..16]}` (plus `~n` for the n-th repeat of the same
 * text in one document), so an unchanged chunk keeps its id across versions and diffing a new
 * version against the stored one is a set difference of ids.
 */
export class RetrievalService implements Retrieval {
  private readonly chunker: Chunker;
  private readonly embeddingCache: EmbeddingCache;
  private readonly tracer = trace.getTracer('@ai-scale/retrieval');
  private readonly searchDuration = metrics
    .getMeter('@ai-scale/retrieval')
    .createHistogram(METRIC.retrievalSearchDuration, { unit: 's', description: 'Search latency, per mode' });
  private readonly emptyResults = metrics
    .getMeter('@ai-scale/retrieval')
    .createCounter(METRIC.retrievalResultsEmpty, { description: 'Searches that returned nothing' });
  private readonly ingestChunks = metrics
    .getMeter('@ai-scale/retrieval')
    .createCounter(METRIC.retrievalIngestChunks, {
      description: 'Chunks ingested, by result (added, kept, removed)',
    });
  private readonly embedDuration = metrics
    .getMeter('@ai-scale/retrieval')
    .createHistogram(METRIC.retrievalEmbedDuration, { unit: 's', description: 'Embedding call latency' });

  constructor(private readonly options: RetrievalServiceOptions) {
    this.chunker = options.chunker ?? new RecursiveTokenChunker();
    this.embeddingCache = options.embeddingCache ?? new LruEmbeddingCache();
    if (options.embedder.dimensions !== options.store.dimensions) {
      throw new DimensionMismatchError({
        message: `embedder ${options.embedder.id} makes ${options.embedder.dimensions}-d vectors, the store holds ${options.store.dimensions}-d`,
      });
    }
  }

  get store(): VectorStore {
    return this.options.store;
  }

  async ingestDocument(
    input: IngestDocumentInput,
    options: IngestOptions = {},
  ): Promise<IngestDocumentResult> {
    const [result] = await this.ingestDocuments([input], options);
    return result as IngestDocumentResult;
  }

  /**
   * Ingests many documents with one embedding pass and batched upserts (bulk imports, evaluation).
   * Same guarantees as `ingestDocument`, per document; all inputs are validated before any write.
   */
  async ingestDocuments(
    inputs: readonly IngestDocumentInput[],
    options: IngestOptions = {},
  ): Promise<IngestDocumentResult[]> {
    const started = performance.now();
    const checked = inputs.map((input) => checkIngestInput(input));
    const seen = new Set<string>();
    for (const { tenantId, documentId } of checked) {
      const key = JSON.stringify([tenantId, documentId]);
      if (seen.has(key))
        throw new InvalidRetrievalRequestError({
          message: `document ${documentId} appears twice in one ingestion`,
        });
      seen.add(key);
    }
    const tenants = [...new Set(checked.map((input) => input.tenantId))].join(',');
    return this.traced(SPAN.retrievalIngest, { [ATTR.tenantId]: tenants }, async () => {
      // One listing per tenant for the whole batch, not one query per document.
      const stored = new Map<string, StoredChunk[]>();
      for (const tenantId of new Set(checked.map((input) => input.tenantId))) {
        const documentIds = checked
          .filter((input) => input.tenantId === tenantId)
          .map((input) => input.documentId);
        for (const chunk of await this.options.store.listByDocuments(tenantId, documentIds)) {
          const key = JSON.stringify([tenantId, chunk.documentId]);
          const list = stored.get(key) ?? [];
          list.push(chunk);
          stored.set(key, list);
        }
      }
      const plans = checked.map((input) =>
        this.plan(input, stored.get(JSON.stringify([input.tenantId, input.documentId])) ?? []),
      );

      // Kept chunks whose position or metadata moved are rewritten with their stored vector.
      const storedVectors = new Map<string, readonly number[]>();
      for (const plan of plans) {
        if (plan.moved.length === 0) continue;
        for (const record of await this.options.store.fetch(
          plan.tenantId,
          plan.moved.map((entry) => entry.id),
        )) {
          storedVectors.set(`${plan.tenantId}\u0000${record.id}`, record.vector);
        }
      }
      // A moved chunk that vanished between list and fetch is embedded like a new one.
      const toEmbed = plans.flatMap((plan) => [
        ...plan.added,
        ...plan.moved.filter((entry) => !storedVectors.has(`${plan.tenantId}\u0000${entry.id}`)),
      ]);
      const { vectors, embedded, cacheHits } = await this.vectorsFor(
        toEmbed.map((entry) => entry.chunk.contentHash),
        toEmbed.map((entry) => entry.chunk.text),
        options,
      );
      // Nothing is written for an ingestion cancelled while it embedded.
      options.signal?.throwIfAborted();
      const fresh = new Map<PlannedChunk, readonly number[]>();
      toEmbed.forEach((entry, index) => fresh.set(entry, vectors[index] as readonly number[]));

      const batch = this.options.upsertBatchSize ?? 500;
      const byTenant = new Map<string, VectorRecord[]>();
      for (const plan of plans) {
        const records = byTenant.get(plan.tenantId) ?? [];
        for (const entry of [...plan.added, ...plan.moved]) {
          const vector =
            fresh.get(entry) ?? (storedVectors.get(`${plan.tenantId}\u0000${entry.id}`) as readonly number[]);
          records.push(toRecord(entry, plan.documentId, vector));
        }
        byTenant.set(plan.tenantId, records);
      }
      for (const [tenantId, records] of byTenant) {
        for (let start = 0; start < records.length; start += batch) {
          await this.options.store.upsert(tenantId, records.slice(start, start + batch));
        }
      }
      // Delete after upserting: a crash in between leaves extra chunks that the retry removes, never a hole.
      for (const plan of plans) {
        if (plan.removed.length > 0) await this.options.store.deleteByIds(plan.tenantId, plan.removed);
      }

      const storeName = this.options.store.name;
      const totals = { added: 0, kept: 0, removed: 0 };
      const results = plans.map((plan) => {
        const kept = plan.planned.length - plan.added.length;
        totals.added += plan.added.length;
        totals.kept += kept;
        totals.removed += plan.removed.length;
        return {
          documentId: plan.documentId,
          chunks: {
            added: plan.added.length,
            kept,
            removed: plan.removed.length,
            total: plan.planned.length,
          },
          embedded: 0,
          cacheHits: 0,
          durationMs: 0,
        };
      });
      this.ingestChunks.add(totals.added, { [ATTR.chunkResult]: 'added', [ATTR.vectorStore]: storeName });
      this.ingestChunks.add(totals.kept, { [ATTR.chunkResult]: 'kept', [ATTR.vectorStore]: storeName });
      this.ingestChunks.add(totals.removed, { [ATTR.chunkResult]: 'removed', [ATTR.vectorStore]: storeName });
      // Embedding counts are per call; with one document they are exact, with several they are attributed to the first.
      const durationMs = performance.now() - started;
      return results.map((result, index) =>
        index === 0 ? { ...result, embedded, cacheHits, durationMs } : { ...result, durationMs },
      );
    });
  }

  private plan(input: CheckedIngestInput, storedChunks: readonly StoredChunk[]): DocumentPlan {
    const { tenantId, documentId } = input;
    const chunks = this.chunker.chunk(input.text, {
      contentType: input.contentType,
      ...(this.options.chunkSize === undefined ? {} : { chunkSize: this.options.chunkSize }),
      ...(this.options.chunkOverlap === undefined ? {} : { chunkOverlap: this.options.chunkOverlap }),
    });
    const existing = new Map<string, StoredChunk>();
    for (const stored of storedChunks) existing.set(stored.id, stored);
    const occurrences = new Map<string, number>();
    const planned: PlannedChunk[] = chunks.map((chunk) => {
      const base = `${documentId}::${chunk.contentHash.slice(0, 16)}`;
      const seen = occurrences.get(base) ?? 0;
      occurrences.set(base, seen + 1);
      const metadata: Metadata = { ...input.metadata, headingPath: chunk.metadata.headingPath.join(' > ') };
      return { id: seen === 0 ? base : `${base}~${seen}`, chunk, metadata };
    });
    const added = planned.filter((entry) => !existing.has(entry.id));
    const moved = planned.filter((entry) => {
      const stored = existing.get(entry.id);
      return (
        stored !== undefined &&
        (stored.ordinal !== entry.chunk.ordinal || !sameMetadata(stored.metadata, entry.metadata))
      );
    });
    const keep = new Set(planned.map((entry) => entry.id));
    const removed = [...existing.keys()].filter((id) => !keep.has(id));
    return { tenantId, documentId, planned, added, moved, removed };
  }

  async removeDocument(input: RemoveDocumentInput): Promise<{ readonly removed: number }> {
    const tenantId = requireTenant(input.tenantId);
    const documentId = requireDocumentId(input.documentId);
    const existing = await this.options.store.listByDocuments(tenantId, [documentId]);
    await this.options.store.deleteByDocument(tenantId, documentId);
    return { removed: existing.length };
  }

  async search(input: SearchInput): Promise<SearchResponse> {
    const started = performance.now();
    const tenantId = requireTenant(input.tenantId);
    if (typeof input.query !== 'string' || input.query.trim().length === 0) {
      throw new InvalidRetrievalRequestError({ message: 'query must be a non-empty string' });
    }
    const maxTopK = this.options.maxTopK ?? 100;
    const topK = input.topK ?? 10;
    if (!Number.isInteger(topK) || topK < 1 || topK > maxTopK) {
      throw new InvalidRetrievalRequestError({
        message: `topK must be an integer in [1, ${maxTopK}], got ${topK}`,
      });
    }
    const filter = input.filter === undefined ? undefined : parseMetadataFilter(input.filter);
    const requested = input.mode ?? 'hybrid';
    if (requested !== 'vector' && requested !== 'keyword' && requested !== 'hybrid') {
      throw new InvalidRetrievalRequestError({
        message: `mode must be vector, keyword or hybrid, got ${String(requested)}`,
      });
    }
    const store = this.options.store;
    let mode: SearchMode = requested;
    if (!store.capabilities.keyword) {
      if (mode === 'keyword') {
        throw new UnsupportedSearchModeError({
          message: `the ${store.name} vector store has no keyword search`,
        });
      }
      mode = 'vector';
    }
    const reranker = input.rerank === true ? this.options.reranker : undefined;
    const firstStage = reranker ? Math.max(topK, this.options.rerankCandidates ?? 50) : topK;
    const includeVectors = reranker?.needsVectors === true;

    return this.traced(
      SPAN.retrievalSearch,
      { [ATTR.tenantId]: tenantId, [ATTR.searchMode]: mode, [ATTR.vectorStore]: store.name },
      async () => {
        let embedMs = 0;
        let queryVector: readonly number[] | undefined;
        if (mode !== 'keyword' || includeVectors) {
          const embedStarted = performance.now();
          queryVector = (await this.embed([input.query]))[0];
          embedMs = performance.now() - embedStarted;
        }
        const searchStarted = performance.now();
        let hits: { hit: StoreHit; score: number }[];
        if (mode === 'hybrid') {
          hits = await this.hybrid(
            tenantId,
            input.query,
            queryVector as readonly number[],
            Math.max(firstStage, this.options.hybridCandidates ?? 50),
            filter,
            includeVectors,
          );
          hits = hits.slice(0, firstStage);
        } else {
          const found = await store.search(
            tenantId,
            mode === 'vector'
              ? {
                  mode,
                  vector: queryVector as readonly number[],
                  topK: firstStage,
                  ...(filter ? { filter } : {}),
                  includeVectors,
                }
              : { mode, text: input.query, topK: firstStage, ...(filter ? { filter } : {}), includeVectors },
          );
          hits = found.map((hit) => ({ hit, score: hit.score }));
        }
        const searchMs = performance.now() - searchStarted;

        let rerankMs = 0;
        if (reranker && hits.length > 0) {
          const rerankStarted = performance.now();
          const reranked = await reranker.rerank({
            query: input.query,
            ...(queryVector ? { queryVector } : {}),
            candidates: hits.map(({ hit, score }) => ({
              text: hit.text,
              score,
              ...(hit.vector ? { vector: hit.vector } : {}),
            })),
            topK,
          });
          hits = reranked.map(({ index, score }) => ({ hit: (hits[index] as { hit: StoreHit }).hit, score }));
          rerankMs = performance.now() - rerankStarted;
        }
        const results: SearchResult[] = hits.slice(0, topK).map(({ hit, score }) => ({
          chunkId: hit.id,
          documentId: hit.documentId,
          text: hit.text,
          score,
          metadata: { ...hit.metadata, ordinal: hit.ordinal },
        }));
        const totalMs = performance.now() - started;
        this.searchDuration.record(totalMs / 1000, {
          [ATTR.searchMode]: mode,
          [ATTR.vectorStore]: store.name,
        });
        if (results.length === 0)
          this.emptyResults.add(1, { [ATTR.searchMode]: mode, [ATTR.vectorStore]: store.name });
        return { mode, results, timings: { embedMs, searchMs, rerankMs, totalMs } };
      },
    );
  }

  /**
   * Hybrid search: a first keyword pass; with feedback, its top hits expand the keyword query (RM3)
   * and move the query vector (Rocchio) before the expanded keyword and vector legs run together;
   * the lists are fused by weighted reciprocal rank fusion.
   */
  private async hybrid(
    tenantId: string,
    query: string,
    queryVector: readonly number[],
    depth: number,
    filter: MetadataFilter | undefined,
    includeVectors: boolean,
  ): Promise<{ hit: StoreHit; score: number }[]> {
    const store = this.options.store;
    const fusion = this.options.fusion ?? {};
    const keywordWeight = fusion.keywordWeight ?? 1;
    const k = fusion.k ?? 20;
    const feedback = this.options.feedback === false ? undefined : (this.options.feedback ?? {});
    const vectorWeight = fusion.vectorWeight ?? 0.3;
    const scope = filter ? { filter } : {};
    const vectorLeg = (vector: readonly number[]): Promise<StoreHit[]> =>
      store.search(tenantId, { mode: 'vector', vector, topK: depth, ...scope, includeVectors });
    const keywordLeg = (terms?: readonly WeightedTerm[]): Promise<StoreHit[]> =>
      store.search(tenantId, {
        mode: 'keyword',
        text: query,
        ...(terms ? { terms } : {}),
        topK: depth,
        ...scope,
        includeVectors,
      });
    const fuse = (lists: { items: StoreHit[]; weight: number }[]): { hit: StoreHit; score: number }[] =>
      reciprocalRankFusion(lists, (hit) => hit.id, k).map(({ item, score }) => ({ hit: item, score }));

    if (feedback === undefined) {
      const [vectorHits, keywordHits] = await Promise.all([vectorLeg(queryVector), keywordLeg()]);
      return fuse([
        { items: vectorHits, weight: vectorWeight },
        { items: keywordHits, weight: keywordWeight },
      ]);
    }
    const firstPass = await keywordLeg();
    const keywordDocs = feedback.keywordDocs ?? 3;
    const vectorDocs = feedback.vectorDocs ?? 10;
    const expandable = store.capabilities.weightedTerms === true && firstPass.length > 0 && keywordDocs > 0;
    const expandedTerms = expandable
      ? rm3Expansion(
          queryTermWeights(query),
          firstPass.slice(0, keywordDocs).map((hit) => ({
            terms: analyze(hit.text).map(({ term }) => term),
            score: hit.score,
          })),
          {
            ...(feedback.keywordTerms === undefined ? {} : { feedbackTerms: feedback.keywordTerms }),
            ...(feedback.originalQueryWeight === undefined
              ? {}
              : { originalQueryWeight: feedback.originalQueryWeight }),
          },
        )
      : undefined;
    // The feedback hits' vectors come from the embedding cache (or the embedder: the same vectors
    // the store holds, same embedder id), not from the store: reading the vector column of the
    // full-text hits costs more in LanceDB than embedding ten chunks locally.
    const feedbackHits = firstPass.slice(0, vectorDocs);
    const feedbackVectors =
      feedbackHits.length === 0
        ? []
        : (
            await this.vectorsFor(
              feedbackHits.map((hit) => hit.contentHash),
              feedbackHits.map((hit) => hit.text),
            )
          ).vectors;
    const movedVector = rocchioVector(queryVector, feedbackVectors, feedback.vectorBeta ?? 0.5);
    const [vectorHits, expandedHits] = await Promise.all([
      vectorLeg(movedVector),
      expandedTerms && expandedTerms.length > 0 ? keywordLeg(expandedTerms) : Promise.resolve(undefined),
    ]);
    return fuse(
      expandedHits === undefined
        ? [
            { items: vectorHits, weight: vectorWeight },
            { items: firstPass, weight: keywordWeight },
          ]
        : [
            { items: expandedHits, weight: keywordWeight },
            { items: firstPass, weight: fusion.firstPassWeight ?? 1 },
            { items: vectorHits, weight: vectorWeight },
          ],
    );
  }

  /** Vectors for the given chunks: from the cache when present, the rest embedded in batches and cached. */
  private async vectorsFor(
    hashes: readonly string[],
    texts: readonly string[],
    options: IngestOptions = {},
  ): Promise<{ vectors: (readonly number[])[]; embedded: number; cacheHits: number }> {
    const vectors: (readonly number[] | undefined)[] = new Array(texts.length);
    const missing: number[] = [];
    const key = (hash: string): string => `${this.options.embedder.id}:${hash}`;
    for (let index = 0; index < texts.length; index++) {
      let cached: readonly number[] | undefined | null;
      try {
        cached = await this.embeddingCache.get(key(hashes[index] as string));
      } catch {
        cached = undefined; // a failing cache is a miss, never a failed ingestion
      }
      if (cached && cached.length === this.options.embedder.dimensions) vectors[index] = cached;
      else missing.push(index);
    }
    // Identical texts within one call are embedded once.
    const uniqueByHash = new Map<string, number[]>();
    for (const index of missing) {
      const hash = hashes[index] as string;
      const group = uniqueByHash.get(hash);
      if (group) group.push(index);
      else uniqueByHash.set(hash, [index]);
    }
    const unique = [...uniqueByHash.values()];
    const fresh = await this.embed(
      unique.map((group) => texts[group[0] as number] as string),
      options,
    );
    unique.forEach((group, position) => {
      const vector = fresh[position] as number[];
      for (const index of group) vectors[index] = vector;
    });
    for (let position = 0; position < unique.length; position++) {
      try {
        await this.embeddingCache.set(
          key(hashes[(unique[position] as number[])[0] as number] as string),
          fresh[position] as number[],
        );
      } catch {
        // a cache that cannot store only costs a future re-embedding
      }
    }
    return {
      vectors: vectors as (readonly number[])[],
      embedded: unique.length,
      cacheHits: texts.length - missing.length,
    };
  }

  private async embed(texts: readonly string[], options: IngestOptions = {}): Promise<number[][]> {
    const batch = this.options.embedBatchSize ?? 64;
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += batch) {
      options.signal?.throwIfAborted();
      const started = performance.now();
      const slice = texts.slice(start, start + batch);
      const result = await this.options.embedder.embed(
        slice,
        options.signal ? { signal: options.signal } : undefined,
      );
      this.embedDuration.record((performance.now() - started) / 1000, {
        [ATTR.genAiRequestModel]: this.options.embedder.id,
      });
      vectors.push(...result);
      await options.onProgress?.({ embedded: vectors.length, total: texts.length });
    }
    return vectors;
  }

  private async traced<T>(
    name: string,
    attributes: Record<string, string>,
    work: (span: Span) => Promise<T>,
  ): Promise<T> {
    return this.tracer.startActiveSpan(name, { attributes }, async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  }
}

interface CheckedIngestInput {
  readonly tenantId: string;
  readonly documentId: string;
  readonly text: string;
  readonly metadata: Metadata;
  readonly contentType: 'text' | 'markdown';
}

interface PlannedChunk {
  readonly id: string;
  readonly chunk: Chunk;
  readonly metadata: Metadata;
}

interface DocumentPlan {
  readonly tenantId: string;
  readonly documentId: string;
  readonly planned: readonly PlannedChunk[];
  readonly added: readonly PlannedChunk[];
  readonly moved: readonly PlannedChunk[];
  readonly removed: readonly string[];
}

function checkIngestInput(input: IngestDocumentInput): CheckedIngestInput {
  const tenantId = requireTenant(input.tenantId);
  const documentId = requireDocumentId(input.documentId);
  if (typeof input.text !== 'string')
    throw new InvalidRetrievalRequestError({ message: 'text must be a string' });
  const contentType = input.contentType ?? 'text';
  if (contentType !== 'text' && contentType !== 'markdown') {
    throw new InvalidRetrievalRequestError({ message: 'contentType must be text or markdown' });
  }
  return {
    tenantId,
    documentId,
    text: input.text,
    metadata: checkMetadata(input.metadata ?? {}),
    contentType,
  };
}

function requireDocumentId(documentId: unknown): string {
  if (
    typeof documentId !== 'string' ||
    documentId.length === 0 ||
    documentId.length > 256 ||
    documentId.includes('::')
  ) {
    throw new InvalidRetrievalRequestError({
      message: 'documentId must be a non-empty string (≤ 256 characters, without "::")',
    });
  }
  return documentId;
}

function checkMetadata(metadata: Metadata): Metadata {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new InvalidRetrievalRequestError({ message: 'metadata must be an object' });
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (!METADATA_KEY.test(key) || RESERVED_METADATA.has(key)) {
      throw new InvalidRetrievalRequestError({
        message: `metadata key "${key}" is reserved or not an identifier`,
      });
    }
    if (
      !['string', 'number', 'boolean'].includes(typeof value) ||
      (typeof value === 'number' && !Number.isFinite(value))
    ) {
      throw new InvalidRetrievalRequestError({
        message: `metadata "${key}" must be a string, a finite number or a boolean`,
      });
    }
  }
  return metadata;
}

function sameMetadata(left: Metadata, right: Metadata): boolean {
  const leftKeys = Object.keys(left);
  return leftKeys.length === Object.keys(right).length && leftKeys.every((key) => left[key] === right[key]);
}

function toRecord(
  entry: { id: string; chunk: { ordinal: number; contentHash: string; text: string }; metadata: Metadata },
  documentId: string,
  vector: readonly number[],
): VectorRecord {
  return {
    id: entry.id,
    documentId,
    ordinal: entry.chunk.ordinal,
    contentHash: entry.chunk.contentHash,
    text: entry.chunk.text,
    vector,
    metadata: entry.metadata,
  };
}
