import type { Embedder, EmbeddingCache, StoreHit, StoreQuery } from '../ports';
import { LocalEmbedder } from '../embedders/local-embedder';
import { MemoryVectorStore } from '../adapters/memory';
import { RetrievalService } from './retrieval-service';
import { reciprocalRankFusion } from './reciprocal-rank-fusion';

/** Counts what reaches the embedder, to prove what is NOT re-embedded. */
class CountingEmbedder implements Embedder {
  readonly inner = new LocalEmbedder({ dimensions: 64 });
  readonly id = this.inner.id;
  readonly dimensions = 64;
  texts: string[] = [];
  embed(texts: readonly string[]): Promise<number[][]> {
    this.texts.push(...texts);
    return this.inner.embed(texts);
  }
}

const sections = (edits: Record<number, string> = {}, count = 6): string =>
  Array.from(
    { length: count },
    (_, i) => `## Section ${i}\n${edits[i] ?? `Section ${i} is about topic${i} and its details.`}`,
  ).join('\n\n');

function setup(cache?: EmbeddingCache) {
  const embedder = new CountingEmbedder();
  const store = new MemoryVectorStore({ dimensions: 64 });
  const service = new RetrievalService({
    embedder,
    store,
    chunkSize: 32,
    chunkOverlap: 0,
    ...(cache ? { embeddingCache: cache } : {}),
  });
  return { embedder, store, service };
}

describe('RetrievalService ingestion', () => {
  it('reports embedding progress batch by batch, and a cancelled ingestion stops and writes nothing', async () => {
    const embedder = new CountingEmbedder();
    const store = new MemoryVectorStore({ dimensions: 64 });
    const service = new RetrievalService({
      embedder,
      store,
      chunkSize: 32,
      chunkOverlap: 0,
      embedBatchSize: 2,
    });
    const progress: Array<{ embedded: number; total: number }> = [];
    const result = await service.ingestDocument(
      { tenantId: 't', documentId: 'd', text: sections() },
      { onProgress: (report) => void progress.push(report) },
    );
    expect(result.chunks.total).toBeGreaterThan(2);
    expect(progress.map((report) => report.embedded)).toEqual(
      Array.from({ length: Math.ceil(result.embedded / 2) }, (_, index) =>
        Math.min(result.embedded, 2 * (index + 1)),
      ),
    );
    expect(progress.every((report) => report.total === result.embedded)).toBe(true);

    const abort = new AbortController();
    await expect(
      service.ingestDocument(
        {
          tenantId: 't',
          documentId: 'cancelled',
          text: sections({ 0: 'A different first section entirely.' }, 8),
        },
        { signal: abort.signal, onProgress: () => abort.abort(new Error('cancelled by the test')) },
      ),
    ).rejects.toThrow('cancelled by the test');
    expect(await store.count('t')).toBe(result.chunks.total);
  });

  it('embeds nothing for an unchanged document, only changed chunks for an edit, and deletes removed ones', async () => {
    const { embedder, store, service } = setup();
    const first = await service.ingestDocument({
      tenantId: 't',
      documentId: 'd',
      text: sections(),
      contentType: 'markdown',
      metadata: { lang: 'en' },
    });
    expect(first.chunks).toEqual({ added: 6, kept: 0, removed: 0, total: 6 });
    expect(first.embedded).toBe(6);

    embedder.texts = [];
    const again = await service.ingestDocument({
      tenantId: 't',
      documentId: 'd',
      text: sections(),
      contentType: 'markdown',
      metadata: { lang: 'en' },
    });
    expect(again).toMatchObject({ chunks: { added: 0, kept: 6, removed: 0, total: 6 }, embedded: 0 });
    expect(embedder.texts).toEqual([]);

    const edited = await service.ingestDocument({
      tenantId: 't',
      documentId: 'd',
      text: sections({ 2: 'Section 2 now covers supersonic inlets.' }, 5),
      contentType: 'markdown',
      metadata: { lang: 'en' },
    });
    expect(edited).toMatchObject({ chunks: { added: 1, kept: 4, removed: 2, total: 5 }, embedded: 1 });
    expect(embedder.texts).toEqual(['## Section 2\nSection 2 now covers supersonic inlets.']);
    expect(await store.count('t')).toBe(5);
    const stored = await store.listByDocuments('t', ['d']);
    expect(stored.map((chunk) => chunk.ordinal).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(stored.find((chunk) => chunk.text.includes('supersonic'))?.metadata).toEqual({
      lang: 'en',
      headingPath: 'Section 2',
    });
  });

  it('rewrites moved chunks with their stored vectors, and metadata changes without embedding', async () => {
    const { embedder, store, service } = setup();
    await service.ingestDocument({
      tenantId: 't',
      documentId: 'd',
      text: sections(),
      contentType: 'markdown',
    });
    embedder.texts = [];
    const result = await service.ingestDocument({
      tenantId: 't',
      documentId: 'd',
      text: sections(),
      contentType: 'markdown',
      metadata: { year: 2024 },
    });
    expect(result.embedded).toBe(0);
    expect(embedder.texts).toEqual([]);
    expect((await store.listByDocuments('t', ['d'])).every((chunk) => chunk.metadata.year === 2024)).toBe(
      true,
    );
  });

  it('reuses the embedding cache across documents and tenants, keyed by model and content hash', async () => {
    const { embedder, service } = setup();
    await service.ingestDocument({
      tenantId: 't1',
      documentId: 'd1',
      text: 'Shared paragraph about nozzles.',
    });
    embedder.texts = [];
    const copy = await service.ingestDocument({
      tenantId: 't2',
      documentId: 'd2',
      text: 'Shared paragraph about nozzles.',
    });
    expect(copy).toMatchObject({ embedded: 0, cacheHits: 1 });
  });

  it('treats a failing cache as a miss', async () => {
    const broken: EmbeddingCache = {
      get: () => Promise.reject(new Error('redis down')),
      set: () => Promise.reject(new Error('redis down')),
    };
    const { service } = setup(broken);
    const result = await service.ingestDocument({ tenantId: 't', documentId: 'd', text: 'Still works.' });
    expect(result.embedded).toBe(1);
  });

  it('removes a document and rejects bad input before any side effect', async () => {
    const { store, service } = setup();
    await service.ingestDocument({
      tenantId: 't',
      documentId: 'd',
      text: sections(),
      contentType: 'markdown',
    });
    expect(await service.removeDocument({ tenantId: 't', documentId: 'd' })).toEqual({ removed: 6 });
    expect(await store.count('t')).toBe(0);
    await expect(service.ingestDocument({ tenantId: '', documentId: 'd', text: 'x' })).rejects.toMatchObject({
      code: 'INVALID_RETRIEVAL_REQUEST',
    });
    await expect(
      service.ingestDocument({ tenantId: 't', documentId: 'd', text: 'x', metadata: { headingPath: 'x' } }),
    ).rejects.toMatchObject({ code: 'INVALID_RETRIEVAL_REQUEST' });
    await expect(
      service.ingestDocument({
        tenantId: 't',
        documentId: 'd',
        text: 'x',
        metadata: { nested: {} as unknown as string },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_RETRIEVAL_REQUEST' });
  });
});

describe('RetrievalService search', () => {
  async function seeded() {
    const context = setup();
    const documents: Record<string, string> = {
      d1: 'Laminar boundary layer transition on swept wings.',
      d2: 'Turbulent heat transfer in supersonic nozzles.',
      d3: 'Boundary layer suction delays transition.',
    };
    for (const [documentId, text] of Object.entries(documents)) {
      await context.service.ingestDocument({
        tenantId: 't',
        documentId,
        text,
        metadata: { kind: documentId === 'd2' ? 'nozzle' : 'wing' },
      });
    }
    return context;
  }

  it('serves vector, keyword and hybrid modes with timings', async () => {
    const { service } = await seeded();
    for (const mode of ['vector', 'keyword', 'hybrid'] as const) {
      const response = await service.search({
        tenantId: 't',
        query: 'boundary layer transition',
        mode,
        topK: 2,
      });
      expect(response.mode).toBe(mode);
      expect(response.results.map((result) => result.documentId).sort()).toEqual(['d1', 'd3']);
      expect(response.timings.totalMs).toBeGreaterThanOrEqual(0);
      expect(response.results[0]?.metadata.headingPath).toBe('');
    }
  });

  it('applies filters and keeps tenants apart', async () => {
    const { service } = await seeded();
    const response = await service.search({
      tenantId: 't',
      query: 'transition',
      filter: { field: 'kind', op: 'eq', value: 'nozzle' },
    });
    expect(response.results.map((result) => result.documentId)).toEqual(['d2']);
    expect((await service.search({ tenantId: 'other', query: 'transition' })).results).toEqual([]);
    await expect(
      service.search({ tenantId: 't', query: 'x', filter: { field: 'kind', op: 'like' } as never }),
    ).rejects.toMatchObject({
      code: 'INVALID_FILTER',
    });
    await expect(service.search({ tenantId: 't', query: 'x', topK: 0 })).rejects.toMatchObject({
      code: 'INVALID_RETRIEVAL_REQUEST',
    });
  });
});

describe('RetrievalService hybrid feedback', () => {
  /** Records every query the service sends, to check what the feedback asked for. */
  class RecordingStore extends MemoryVectorStore {
    readonly queries: StoreQuery[] = [];
    override search(tenantId: string, query: StoreQuery): Promise<StoreHit[]> {
      this.queries.push(query);
      return super.search(tenantId, query);
    }
  }
  const documents: Record<string, string> = {
    a: 'Supersonic wing flutter of thin panels.',
    b: 'Wing panel flutter at supersonic speed.',
    c: 'Panel flutter boundaries measured in a wind tunnel.',
    d: 'Jet nozzle exhaust noise.',
  };
  async function seeded(feedback: boolean) {
    const store = new RecordingStore({ dimensions: 64 });
    const service = new RetrievalService({
      embedder: new LocalEmbedder({ dimensions: 64 }),
      store,
      ...(feedback ? { feedback: { keywordDocs: 2, keywordTerms: 10, vectorDocs: 2 } } : { feedback: false }),
    });
    for (const [documentId, text] of Object.entries(documents))
      await service.ingestDocument({ tenantId: 't', documentId, text });
    return { store, service };
  }

  it('expands the keyword leg with terms of the first-pass hits (RM3) and fuses it', async () => {
    const { store, service } = await seeded(true);
    const response = await service.search({
      tenantId: 't',
      query: 'supersonic wing',
      mode: 'hybrid',
      topK: 4,
    });
    const expanded = store.queries.find((query) => query.mode === 'keyword' && query.terms !== undefined);
    const terms = expanded?.mode === 'keyword' ? (expanded.terms ?? []).map(({ term }) => term) : [];
    // The top hits (a, b) bring `flutter` and `panel`, which the query does not contain.
    expect(terms).toEqual(expect.arrayContaining(['superson', 'wing', 'flutter', 'panel']));
    // c shares no word with the query: only the expanded query finds it by keyword, above d.
    const ranked = response.results.map((result) => result.documentId);
    expect(ranked.slice(0, 2).sort()).toEqual(['a', 'b']);
    expect(ranked.indexOf('c')).toBeLessThan(ranked.indexOf('d'));
    expect(response.results.every((result) => !('vector' in result))).toBe(true);
  });

  it('sends no expanded query when feedback is off, and ranks c only by its vector', async () => {
    const { store, service } = await seeded(false);
    await service.search({ tenantId: 't', query: 'supersonic wing', mode: 'hybrid', topK: 4 });
    expect(store.queries.some((query) => query.mode === 'keyword' && query.terms !== undefined)).toBe(false);
    const keyword = await service.search({
      tenantId: 't',
      query: 'supersonic wing',
      mode: 'keyword',
      topK: 4,
    });
    expect(keyword.results.map((result) => result.documentId).sort()).toEqual(['a', 'b']);
  });
});

describe('reciprocalRankFusion', () => {
  it('sums 1/(k+rank) over lists', () => {
    const fused = reciprocalRankFusion(
      [{ items: ['a', 'b', 'c'] }, { items: ['c', 'a'] }],
      (item) => item,
      60,
    );
    expect(fused.map((entry) => entry.item)).toEqual(['a', 'c', 'b']);
    expect(fused[0]?.score).toBeCloseTo(1 / 61 + 1 / 62);
  });
});

describe('RetrievalService configuration', () => {
  it('refuses an embedder and a store of different dimensions', () => {
    expect(
      () =>
        new RetrievalService({
          embedder: new LocalEmbedder({ dimensions: 32 }),
          store: new MemoryVectorStore({ dimensions: 64 }),
        }),
    ).toThrow(expect.objectContaining({ code: 'DIMENSION_MISMATCH' }));
  });
});
