import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VectorRecord } from '../../ports';
import { LocalEmbedder } from '../../embedders/local-embedder';
import { MemoryVectorStore } from '../memory';
import { LancedbVectorStore } from './lancedb-vector-store';
import { toSqlPredicate } from './lancedb-filter';

const words = [
  'wing',
  'shock',
  'flow',
  'heat',
  'plate',
  'cone',
  'nozzle',
  'jet',
  'boundary',
  'vortex',
  'panel',
  'flutter',
];
const sentence = (i: number): string =>
  Array.from({ length: 8 }, (_, j) => words[(i * 7 + j * 3 + (i % 5) * j) % words.length]).join(' ') +
  ` item${i}`;

describe('LancedbVectorStore (embedded, on disk)', () => {
  let directory: string;
  const embedder = new LocalEmbedder({ dimensions: 32 });
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'retrieval-lancedb-int-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  async function records(count: number, offset = 0): Promise<VectorRecord[]> {
    const texts = Array.from({ length: count }, (_, i) => sentence(i + offset));
    const vectors = await embedder.embed(texts);
    return texts.map((text, i) => ({
      id: `r${i + offset}`,
      documentId: `d${(i + offset) % 10}`,
      ordinal: i,
      contentHash: `h${i + offset}`,
      text,
      vector: vectors[i] as number[],
      metadata: { n: i + offset },
    }));
  }

  it.each([
    ['hnsw_sq', /hnsw/i],
    ['ivf_flat', /ivf_flat|IvfFlat/i],
  ] as const)(
    'persists across reopen, builds FTS + %s in optimize(), and still sees rows added after the build',
    async (index, pattern) => {
      const store = await LancedbVectorStore.open({
        uri: directory,
        dimensions: 32,
        metadataFields: { n: 'number' },
        ann: { threshold: 500, index, numPartitions: 4, nprobes: 4 },
      });
      await store.upsert('t', await records(600));
      expect(store.capabilities.exact).toBe(true);
      const report = await store.optimize();
      expect(report.indexes.join(' ')).toMatch(pattern);
      expect(report.indexes.join(' ')).toMatch(/fts|inverted/i);
      expect(store.capabilities.exact).toBe(false);
      await store.upsert('t', await records(5, 10_000));
      const [late] = await store.search('t', { mode: 'keyword', text: 'item10003', topK: 1 });
      expect(late?.id).toBe('r10003');
      const query = (await embedder.embed([sentence(10_004)]))[0] as number[];
      const [nearest] = await store.search('t', { mode: 'vector', vector: query, topK: 1 });
      expect(nearest?.id).toBe('r10004');
      const filtered = await store.search('t', {
        mode: 'vector',
        vector: query,
        topK: 5,
        filter: { field: 'n', op: 'range', lt: 3 },
      });
      expect(filtered.map((hit) => hit.id).sort()).toEqual(['r0', 'r1', 'r2']);
      await store.close();

      const reopened = await LancedbVectorStore.open({
        uri: directory,
        dimensions: 32,
        metadataFields: { n: 'number' },
      });
      expect(await reopened.count('t')).toBe(605);
      expect(reopened.capabilities.exact).toBe(false);
      await reopened.close();
      await expect(LancedbVectorStore.open({ uri: directory, dimensions: 64 })).rejects.toMatchObject({
        code: 'DIMENSION_MISMATCH',
      });
      await expect(
        LancedbVectorStore.open({ uri: directory, dimensions: 32, metadataFields: { other: 'string' } }),
      ).rejects.toMatchObject({
        code: 'VECTOR_STORE_UNAVAILABLE',
      });
    },
  );

  it('answers keyword and vector queries on an empty table', async () => {
    const store = await LancedbVectorStore.open({ uri: directory, dimensions: 32 });
    expect(await store.search('t', { mode: 'keyword', text: 'anything', topK: 3 })).toEqual([]);
    expect(await store.search('t', { mode: 'vector', vector: new Array(32).fill(0.1), topK: 3 })).toEqual([]);
    expect((await store.optimize()).rows).toBe(0);
    await store.close();
  });

  it('sees the writes of another connection (another process) when readConsistencyIntervalSeconds is 0', async () => {
    const writer = await LancedbVectorStore.open({ uri: directory, dimensions: 32 });
    const reader = await LancedbVectorStore.open({
      uri: directory,
      dimensions: 32,
      readConsistencyIntervalSeconds: 0,
    });
    expect(await reader.count('t')).toBe(0);
    await writer.upsert('t', await records(3));
    expect(await reader.count('t')).toBe(3);
    const hits = await reader.search('t', { mode: 'keyword', text: 'item1', topK: 3 });
    expect(hits.map((hit) => hit.id)).toContain('r1');
    await writer.close();
    await reader.close();
  });

  it('serves keyword queries from several connections that all find the full-text index missing at once', async () => {
    // What api replicas and workers do on their first keyword search of a shared table: each one
    // builds the index; LanceDB rejects every CreateIndex but the first as a commit conflict.
    const seed = await LancedbVectorStore.open({ uri: directory, dimensions: 32 });
    await seed.upsert('t', await records(20));
    const peers = await Promise.all(
      Array.from({ length: 4 }, () =>
        LancedbVectorStore.open({ uri: directory, dimensions: 32, readConsistencyIntervalSeconds: 0 }),
      ),
    );
    const results = await Promise.all(
      peers.map((peer) => peer.search('t', { mode: 'keyword', text: 'item7', topK: 3 })),
    );
    for (const hits of results) expect(hits.map((hit) => hit.id)).toContain('r7');
    await Promise.all([seed, ...peers].map((store) => store.close()));
  });

  it('ranks keyword queries with the memory store’s BM25: same terms, repeated words and weights counted', async () => {
    const lance = await LancedbVectorStore.open({ uri: directory, dimensions: 32 });
    const memory = new MemoryVectorStore({ dimensions: 32 });
    const texts = [
      'Heat transfer to a heated plate.',
      'Wings flutter in supersonic flow.',
      'The flutter of wing panels, and the heat of the flow.',
      'Nozzle jets.',
    ];
    const vectors = await embedder.embed(texts);
    const rows: VectorRecord[] = texts.map((text, i) => ({
      id: `k${i}`,
      documentId: `k${i}`,
      ordinal: 0,
      contentHash: `k${i}`,
      text,
      vector: vectors[i] as number[],
      metadata: {},
    }));
    await lance.upsert('t', rows);
    await memory.upsert('t', rows);
    expect(lance.capabilities.weightedTerms).toBe(true);
    const queries = [
      { mode: 'keyword' as const, text: 'wing heat heat', topK: 4 },
      { mode: 'keyword' as const, text: 'wing wing heat', topK: 4 },
      {
        mode: 'keyword' as const,
        text: 'ignored when terms are given',
        terms: [
          { term: 'flutter', weight: 0.2 },
          { term: 'nozzl', weight: 3 },
        ],
        topK: 4,
      },
    ];
    for (const query of queries) {
      const fromLance = await lance.search('t', query);
      const fromMemory = await memory.search('t', query);
      expect(fromLance.map((hit) => hit.id)).toEqual(fromMemory.map((hit) => hit.id));
      fromLance.forEach((hit, i) => expect(hit.score).toBeCloseTo(fromMemory[i]?.score as number, 3));
    }
    expect((await lance.search('t', queries[2] as (typeof queries)[2]))[0]?.id).toBe('k3');
    await expect(
      lance.search('t', { mode: 'keyword', text: 'x', terms: [{ term: 'x', weight: -1 }], topK: 1 }),
    ).rejects.toMatchObject({ code: 'INVALID_RETRIEVAL_REQUEST' });
    await lance.close();
  });

  it('refuses filters on undeclared fields', async () => {
    const store = await LancedbVectorStore.open({ uri: directory, dimensions: 32 });
    await expect(
      store.search('t', {
        mode: 'keyword',
        text: 'x',
        topK: 1,
        filter: { field: 'lang', op: 'eq', value: 'en' },
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_FILTER',
    });
    await store.close();
  });
});

describe('toSqlPredicate', () => {
  const fields = { lang: 'string', year: 'number', draft: 'boolean' } as const;
  it('quotes values and columns, never splicing raw input', () => {
    expect(toSqlPredicate({ field: 'lang', op: 'eq', value: "en' OR '1'='1" }, fields)).toBe(
      "(`m_lang` IS NOT NULL AND `m_lang` = 'en'' OR ''1''=''1')",
    );
    expect(toSqlPredicate({ field: 'year', op: 'range', gte: 2000, lt: 2010.5 }, fields)).toBe(
      '(`m_year` IS NOT NULL AND `m_year` >= 2000.0 AND `m_year` < 2010.5)',
    );
    expect(
      toSqlPredicate(
        {
          or: [
            { field: 'draft', op: 'eq', value: true },
            { field: 'documentId', op: 'in', values: ['a', 'b'] },
          ],
        },
        fields,
      ),
    ).toBe(
      "((`m_draft` IS NOT NULL AND `m_draft` = TRUE) OR (document_id IS NOT NULL AND document_id IN ('a', 'b')))",
    );
    expect(toSqlPredicate({ field: 'year', op: 'eq', value: '2020' }, fields)).toBe('FALSE');
  });
});
