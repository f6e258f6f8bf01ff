import { performance } from 'node:perf_hooks';
import { metrics, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ATTR, METRIC, SPAN } from '@ai-scale/telemetry';
import type {
  Chunker,
  Embedder,
  EmbeddingCache,
  IngestDocumentInput,
  IngestDocumentResult,
  Metadata,
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
} from '../ports';
import { InvalidRetrievalRequestError, UnsupportedSearchModeError } from '../errors';
import { RecursiveTokenChunker } from '../chunking/recursive-token-chunker';
import { parseMetadataFilter } from '../filters/metadata-filter';
import { requireTenant } from '../internal/validate';
import { LruEmbeddingCache } from './lru-embedding-cache';
import { reciprocalRankFusion } from './reciprocal-rank-fusion';

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
  /** RRF constant k (default 60) and the weights of the two legs (default 1 and 1). */
  readonly fusion?: { readonly k?: number; readonly vectorWeight?: number; readonly keywordWeight?: number };
  /** First-stage candidates handed to the reranker (default 50, at least topK). */
  readonly rerankCandidates?: number;
  /** Largest accepted topK (default 100). */
  readonly maxTopK?: number;
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
      throw new InvalidRetrievalRequestError({
        message: `embedder ${options.embedder.id} makes ${options.embedder.dimensions}-d vectors, the store holds ${options.store.dimensions}-d`,
      });
    }
  }

  get store(): VectorStore {
    return this.options.store;
  }

  async ingestDocument(input: IngestDocumentInput): Promise<IngestDocumentResult> {
    const started = performance.now();
    const tenantId = requireTenant(input.tenantId);
    const documentId = requireDocumentId(input.documentId);
    if (typeof input.text !== 'string')
      throw new InvalidRetrievalRequestError({ message: 'text must be a string' });
    if (input.contentType !== undefined && input.contentType !== 'text' && input.contentType !== 'markdown') {
      throw new InvalidRetrievalRequestError({ message: `contentType must be text or markdown` });
    }
    const documentMetadata = checkMetadata(input.metadata ?? {});
    return this.traced(SPAN.retrievalIngest, { [ATTR.tenantId]: tenantId }, async () => {
      const chunks = this.chunker.chunk(input.text, {
        contentType: input.contentType ?? 'text',
        ...(this.options.chunkSize === undefined ? {} : { chunkSize: this.options.chunkSize }),
        ...(this.options.chunkOverlap === undefined ? {} : { chunkOverlap: this.options.chunkOverlap }),
      });
      const existing = new Map<string, StoredChunk>();
      for (const stored of await this.options.store.listByDocument(tenantId, documentId))
        existing.set(stored.id, stored);

      const occurrences = new Map<string, number>();
      const planned = chunks.map((chunk) => {
        const base = `${documentId}::${chunk.contentHash.slice(0, 16)}`;
        const seen = occurrences.get(base) ?? 0;
        occurrences.set(base, seen + 1);
        const metadata: Metadata = {
          ...documentMetadata,
          headingPath: chunk.metadata.headingPath.join(' > '),
        };
        return { id: seen === 0 ? base : `${base}~${seen}`, chunk, metadata };
      });

      // Kept chunks whose position or metadata moved are rewritten with their stored vector.
      const added = planned.filter((entry) => !existing.has(entry.id));
      const moved = planned.filter((entry) => {
        const stored = existing.get(entry.id);
        return (
          stored !== undefined &&
          (stored.ordinal !== entry.chunk.ordinal || !sameMetadata(stored.metadata, entry.metadata))
        );
      });
      const storedVectors = new Map<string, readonly number[]>();
      if (moved.length > 0) {
        for (const record of await this.options.store.fetch(
          tenantId,
          moved.map((entry) => entry.id),
        )) {
          storedVectors.set(record.id, record.vector);
        }
      }
      const { vectors, embedded, cacheHits } = await this.vectorsFor(
        added.map((entry) => entry.chunk.contentHash),
        added.map((entry) => entry.chunk.text),
      );
      const records: VectorRecord[] = [];
      added.forEach((entry, index) =>
        records.push(toRecord(entry, documentId, vectors[index] as readonly number[])),
      );
      for (const entry of moved) {
        const vector = storedVectors.get(entry.id);
        // A stored chunk that vanished between list and fetch is re-embedded through the cache path.
        records.push(
          toRecord(
            entry,
            documentId,
            vector ??
              ((await this.vectorsFor([entry.chunk.contentHash], [entry.chunk.text]))
                .vectors[0] as readonly number[]),
          ),
        );
      }
      const batch = this.options.upsertBatchSize ?? 500;
      for (let start = 0; start < records.length; start += batch) {
        await this.options.store.upsert(tenantId, records.slice(start, start + batch));
      }
      // Delete after upserting: a crash in between leaves extra chunks that the retry removes, never a hole.
      const keep = new Set(planned.map((entry) => entry.id));
      const removed = [...existing.keys()].filter((id) => !keep.has(id));
      if (removed.length > 0) await this.options.store.deleteByIds(tenantId, removed);

      const kept = planned.length - added.length;
      this.ingestChunks.add(added.length, { result: 'added', [ATTR.vectorStore]: this.options.store.name });
      this.ingestChunks.add(kept, { result: 'kept', [ATTR.vectorStore]: this.options.store.name });
      this.ingestChunks.add(removed.length, {
        result: 'removed',
        [ATTR.vectorStore]: this.options.store.name,
      });
      return {
        documentId,
        chunks: { added: added.length, kept, removed: removed.length, total: planned.length },
        embedded,
        cacheHits,
        durationMs: performance.now() - started,
      };
    });
  }

  async removeDocument(input: RemoveDocumentInput): Promise<{ readonly removed: number }> {
    const tenantId = requireTenant(input.tenantId);
    const documentId = requireDocumentId(input.documentId);
    const existing = await this.options.store.listByDocument(tenantId, documentId);
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
          const depth = Math.max(firstStage, this.options.hybridCandidates ?? 50);
          const [vectorHits, keywordHits] = await Promise.all([
            store.search(tenantId, {
              mode: 'vector',
              vector: queryVector as readonly number[],
              topK: depth,
              ...(filter ? { filter } : {}),
              includeVectors,
            }),
            store.search(tenantId, {
              mode: 'keyword',
              text: input.query,
              topK: depth,
              ...(filter ? { filter } : {}),
              includeVectors,
            }),
          ]);
          const fusion = this.options.fusion ?? {};
          hits = reciprocalRankFusion(
            [
              { items: vectorHits, weight: fusion.vectorWeight ?? 1 },
              { items: keywordHits, weight: fusion.keywordWeight ?? 1 },
            ],
            (hit) => hit.id,
            fusion.k ?? 60,
          )
            .slice(0, firstStage)
            .map(({ item, score }) => ({ hit: item, score }));
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

  /** Vectors for the given chunks: from the cache when present, the rest embedded in batches and cached. */
  private async vectorsFor(
    hashes: readonly string[],
    texts: readonly string[],
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
    const fresh = await this.embed(unique.map((group) => texts[group[0] as number] as string));
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

  private async embed(texts: readonly string[]): Promise<number[][]> {
    const batch = this.options.embedBatchSize ?? 64;
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += batch) {
      const started = performance.now();
      const slice = texts.slice(start, start + batch);
      const result = await this.options.embedder.embed(slice);
      this.embedDuration.record((performance.now() - started) / 1000, {
        [ATTR.genAiRequestModel]: this.options.embedder.id,
      });
      vectors.push(...result);
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
