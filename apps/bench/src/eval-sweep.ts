/**
 * `npm run eval -- sweep --dataset A --dataset B …`: where the pipeline loses against whole-document
 * BM25 (one row per cause, measured on every collection), what each hybrid component adds, and how
 * the hybrid defaults were chosen: a grid over the feedback and fusion parameters, the point with the
 * best worst-case margin over each collection's reference BM25, and leave-one-out (parameters chosen
 * on one collection, tested on the others). Written to bench/results/retrieval-sweep.json.
 *
 * Keyword and vector legs come from the package's own stores and functions (MemoryVectorStore, whose
 * BM25 the LanceDB adapter reproduces exactly; rm3Expansion; rocchioVector; reciprocalRankFusion), run
 * once per leg setting and fused offline, which is what `RetrievalService.search` does per query.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  analyze,
  Bm25Index,
  LocalEmbedder,
  LUCENE_STOP_WORDS,
  MemoryVectorStore,
  queryTermWeights,
  reciprocalRankFusion,
  RecursiveTokenChunker,
  rm3Expansion,
  rocchioVector,
  type StoreHit,
  type VectorRecord,
  type WeightedTerm,
} from '@ai-scale/retrieval';
import { ndcgAt, type Judgements } from './eval-metrics';
import { loadBeirWithTitles, type ReferenceBm25 } from './eval-retrieval';

export interface SweepCollection {
  readonly name: string;
  readonly reference: ReferenceBm25;
  readonly documents: { id: string; title: string; text: string }[];
  readonly queries: { id: string; text: string }[];
  readonly qrels: Map<string, Map<string, number>>;
}

type Ranking = readonly string[];
type Row = Record<string, string | number>;

const TENANT = 'sweep';
const DEPTH = 50;

function joined(document: { title: string; text: string }): string {
  return [document.title, document.text].filter((part) => part.trim()).join('\n\n');
}

/** Mean nDCG@10 of one ranking per query. */
function meanNdcg(collection: SweepCollection, rankings: readonly Ranking[]): number {
  let sum = 0;
  collection.queries.forEach((query, index) => {
    sum += ndcgAt(rankings[index] ?? [], collection.qrels.get(query.id) as Judgements, 10);
  });
  return Math.round((sum / collection.queries.length) * 10_000) / 10_000;
}

/** Chunk hits (`doc::n` ids) → documents at their best chunk. */
function byDocument(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.split('::')[0] as string))];
}

interface IndexSetting {
  readonly label: string;
  readonly chunkSize?: number;
  readonly chunkOverlap?: number;
  readonly titleInEveryChunk?: boolean;
  readonly k1: number;
  readonly b: number;
  readonly stopWords?: ReadonlySet<string>;
  readonly stem?: boolean;
  readonly queryWordsOnce?: boolean;
  readonly aggregate?: 'max' | 'sum';
}

/** BM25 over whole documents or chunks with one analysis/scoring setting. */
function bm25Run(collection: SweepCollection, setting: IndexSetting): number {
  const analyzer = {
    stem: setting.stem ?? true,
    ...(setting.stopWords ? { stopWords: setting.stopWords } : {}),
  };
  const index = new Bm25Index({ k1: setting.k1, b: setting.b, ...analyzer });
  const chunker = new RecursiveTokenChunker();
  for (const document of collection.documents) {
    const text = joined(document);
    if (!text) continue;
    const pieces =
      setting.chunkSize === undefined
        ? [text]
        : chunker
            .chunk(text, { chunkSize: setting.chunkSize, chunkOverlap: setting.chunkOverlap ?? 0 })
            .map((chunk, ordinal) =>
              setting.titleInEveryChunk && ordinal > 0 && document.title
                ? `${document.title}\n\n${chunk.text}`
                : chunk.text,
            );
    pieces.forEach((piece, ordinal) => index.add(`${document.id}::${ordinal}`, piece));
  }
  const rankings = collection.queries.map((query) => {
    const terms = queryTermWeights(query.text, analyzer).map(({ term, weight }) => ({
      term,
      weight: setting.queryWordsOnce ? 1 : weight,
    }));
    const hits = index.searchTerms(terms, 1000);
    if (setting.aggregate !== 'sum') return byDocument(hits.map((hit) => hit.id));
    const sums = new Map<string, number>();
    for (const hit of hits) {
      const id = hit.id.split('::')[0] as string;
      sums.set(id, (sums.get(id) ?? 0) + hit.score);
    }
    return [...sums].sort((left, right) => right[1] - left[1]).map(([id]) => id);
  });
  return meanNdcg(collection, rankings);
}

const SHIPPED = { k1: 1.2, b: 0.75 } as const;

/** One row per cause: the reference's analysis first, then each change on its own. */
function causes(collections: readonly SweepCollection[]): Row[] {
  const lucene = { k1: 0.9, b: 0.4, stopWords: LUCENE_STOP_WORDS };
  const settings: (IndexSetting & { cause: string })[] = [
    {
      cause: 'reference analysis reproduced',
      label: 'whole docs, Lucene 33 stop words, Porter, k1 0.9 b 0.4, query words counted',
      ...lucene,
    },
    {
      cause: 'query words',
      label: 'each query word counted once (what the pipeline did)',
      ...lucene,
      queryWordsOnce: true,
    },
    { cause: 'stemmer', label: 'no stemming', ...lucene, stem: false },
    { cause: 'stop list', label: 'package stop list (Lucene 33 + function words)', k1: 0.9, b: 0.4 },
    {
      cause: 'BM25 parameters',
      label: 'k1 1.2 b 0.75 (LanceDB’s fixed values), Lucene stop words',
      ...lucene,
      ...SHIPPED,
    },
    { cause: 'shipped analysis', label: 'k1 1.2 b 0.75 + package stop list, whole docs', ...SHIPPED },
    { cause: 'shipped analysis', label: 'same, query words counted once', ...SHIPPED, queryWordsOnce: true },
    {
      cause: 'chunking',
      label: 'chunks 512/64, doc = best chunk',
      ...SHIPPED,
      chunkSize: 512,
      chunkOverlap: 64,
    },
    {
      cause: 'chunking',
      label: 'chunks 256/32 (default), doc = best chunk',
      ...SHIPPED,
      chunkSize: 256,
      chunkOverlap: 32,
    },
    {
      cause: 'chunking',
      label: 'chunks 128/16, doc = best chunk',
      ...SHIPPED,
      chunkSize: 128,
      chunkOverlap: 16,
    },
    { cause: 'chunking', label: 'chunks 64/8, doc = best chunk', ...SHIPPED, chunkSize: 64, chunkOverlap: 8 },
    {
      cause: 'doc score from chunks',
      label: 'chunks 256/32, doc = sum of its chunks',
      ...SHIPPED,
      chunkSize: 256,
      chunkOverlap: 32,
      aggregate: 'sum',
    },
    {
      cause: 'doc score from chunks',
      label: 'chunks 64/8, doc = sum of its chunks',
      ...SHIPPED,
      chunkSize: 64,
      chunkOverlap: 8,
      aggregate: 'sum',
    },
    {
      cause: 'title in every chunk',
      label: 'chunks 128/16, title prefixed to every chunk',
      ...SHIPPED,
      chunkSize: 128,
      chunkOverlap: 16,
      titleInEveryChunk: true,
    },
    {
      cause: 'title in every chunk',
      label: 'chunks 64/8, title prefixed to every chunk',
      ...SHIPPED,
      chunkSize: 64,
      chunkOverlap: 8,
      titleInEveryChunk: true,
    },
  ];
  return settings.map((setting) => {
    const row: Row = { cause: setting.cause, setting: setting.label };
    for (const collection of collections) row[collection.name] = bm25Run(collection, setting);
    return row;
  });
}

/** LanceDB's full-text settings against the package's, on the default 256/32 chunks. */
async function lancedbFullText(collections: readonly SweepCollection[]): Promise<Row[]> {
  const lancedb = await import('@lancedb/lancedb');
  const chunker = new RecursiveTokenChunker();
  const rows: Row[] = [
    { setting: 'tantivy English analyzer on text, MatchQuery (before: each query word once)' },
    { setting: 'tantivy English analyzer on text, one boosted clause per query word (query words counted)' },
    { setting: 'package analyzer in fts_terms, one boosted clause per term (shipped)' },
  ];
  for (const collection of collections) {
    const directory = mkdtempSync(join(tmpdir(), 'ai-scale-sweep-'));
    try {
      const connection = await lancedb.connect(directory);
      const data = collection.documents.flatMap((document) => {
        const text = joined(document);
        if (!text) return [];
        return chunker.chunk(text, { chunkSize: 256, chunkOverlap: 32 }).map((chunk, ordinal) => ({
          id: `${document.id}::${ordinal}`,
          text: chunk.text,
          fts_terms: analyze(chunk.text)
            .map(({ term }) => term)
            .join(' '),
        }));
      });
      const table = await connection.createTable('chunks', data);
      await table.createIndex('text', {
        config: lancedb.Index.fts({
          baseTokenizer: 'simple',
          language: 'English',
          stem: true,
          removeStopWords: true,
          lowercase: true,
          asciiFolding: true,
        }),
      });
      await table.createIndex('fts_terms', {
        config: lancedb.Index.fts({
          baseTokenizer: 'whitespace',
          lowercase: false,
          stem: false,
          removeStopWords: false,
          asciiFolding: false,
          withPosition: false,
        }),
      });
      const search = async (
        query: InstanceType<typeof lancedb.MatchQuery> | InstanceType<typeof lancedb.BooleanQuery>,
      ): Promise<string[]> =>
        byDocument(
          (
            (await table.query().fullTextSearch(query).select(['id', '_score']).limit(100).toArray()) as {
              id: string;
            }[]
          ).map((row) => row.id),
        );
      const boosted = (terms: readonly WeightedTerm[], column: string) =>
        new lancedb.BooleanQuery(
          terms.map(({ term, weight }) => [
            lancedb.Occur.Should,
            new lancedb.MatchQuery(term, column, { boost: weight }),
          ]),
        );
      const words = (text: string): WeightedTerm[] =>
        queryTermWeights(text, { stem: false, removeStopWords: false });
      const runs: Ranking[][] = [[], [], []];
      for (const query of collection.queries) {
        (runs[0] as Ranking[]).push(await search(new lancedb.MatchQuery(query.text, 'text')));
        (runs[1] as Ranking[]).push(await search(boosted(words(query.text), 'text')));
        (runs[2] as Ranking[]).push(await search(boosted(queryTermWeights(query.text), 'fts_terms')));
      }
      runs.forEach(
        (rankings, index) => ((rows[index] as Row)[collection.name] = meanNdcg(collection, rankings)),
      );
      connection.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }
  return rows;
}

/** The legs of every query at every leg setting of the grid, from a memory store of 256/32 chunks. */
interface Legs {
  readonly keyword: StoreHit[];
  readonly vector: StoreHit[];
  readonly rm3: Map<string, StoreHit[]>;
  readonly rocchio: Map<string, StoreHit[]>;
}

const RM3_GRID = { docs: [3, 5, 10], terms: [10, 20, 40], originalWeight: [0.5, 0.7] };
const ROCCHIO_GRID = { docs: [3, 5, 10], beta: [0.5, 1, 2] };
const FUSION_GRID = { k: [20, 60], vectorWeight: [0, 0.3, 0.5], firstPassWeight: [0, 0.5, 1] };

async function legsOf(
  collection: SweepCollection,
  dimensions: number,
  log: (line: string) => void,
  vectorOnly = false,
): Promise<Legs[]> {
  const embedder = new LocalEmbedder({ dimensions });
  const store = new MemoryVectorStore({ dimensions: embedder.dimensions });
  const chunker = new RecursiveTokenChunker();
  const records: VectorRecord[] = [];
  for (const document of collection.documents) {
    const text = joined(document);
    if (!text) continue;
    const chunks = chunker.chunk(text, { chunkSize: 256, chunkOverlap: 32 });
    const vectors = await embedder.embed(chunks.map((chunk) => chunk.text));
    chunks.forEach((chunk, ordinal) =>
      records.push({
        id: `${document.id}::${ordinal}`,
        documentId: document.id,
        ordinal,
        contentHash: chunk.contentHash,
        text: chunk.text,
        vector: vectors[ordinal] as number[],
        metadata: {},
      }),
    );
  }
  await store.upsert(TENANT, records);
  log(
    `${collection.name}: ${records.length} chunks; computing legs for ${collection.queries.length} queries`,
  );
  const legs: Legs[] = [];
  for (const query of collection.queries) {
    const queryVector = (await embedder.embed([query.text]))[0] as number[];
    const keyword = await store.search(TENANT, {
      mode: 'keyword',
      text: query.text,
      topK: DEPTH,
      includeVectors: true,
    });
    const vector = await store.search(TENANT, { mode: 'vector', vector: queryVector, topK: DEPTH });
    const rm3 = new Map<string, StoreHit[]>();
    for (const docs of vectorOnly ? [] : RM3_GRID.docs)
      for (const terms of RM3_GRID.terms)
        for (const originalWeight of RM3_GRID.originalWeight) {
          const expanded = rm3Expansion(
            queryTermWeights(query.text),
            keyword
              .slice(0, docs)
              .map((hit) => ({ terms: analyze(hit.text).map(({ term }) => term), score: hit.score })),
            { feedbackTerms: terms, originalQueryWeight: originalWeight },
          );
          rm3.set(
            `${docs}/${terms}/${originalWeight}`,
            expanded.length === 0
              ? []
              : await store.search(TENANT, {
                  mode: 'keyword',
                  text: query.text,
                  terms: expanded,
                  topK: DEPTH,
                }),
          );
        }
    const rocchio = new Map<string, StoreHit[]>();
    for (const docs of ROCCHIO_GRID.docs)
      for (const beta of ROCCHIO_GRID.beta) {
        const moved = rocchioVector(
          queryVector,
          keyword.slice(0, docs).map((hit) => hit.vector as number[]),
          beta,
        );
        rocchio.set(
          `${docs}/${beta}`,
          await store.search(TENANT, { mode: 'vector', vector: moved, topK: DEPTH }),
        );
      }
    legs.push({ keyword, vector, rm3, rocchio });
  }
  await store.close();
  return legs;
}

interface HybridSetting {
  readonly rm3?: string;
  readonly rocchio?: string;
  readonly k: number;
  readonly vectorWeight: number;
  readonly firstPassWeight: number;
}

function settingLabel(setting: HybridSetting): string {
  return [
    setting.rm3 ? `rm3 ${setting.rm3}` : 'no rm3',
    setting.rocchio ? `rocchio ${setting.rocchio}` : 'plain vector',
    `k ${setting.k}`,
    `vector ${setting.vectorWeight}`,
    `first pass ${setting.firstPassWeight}`,
  ].join(', ');
}

/** Fuses the legs as `RetrievalService` does (keyword leg weight 1). */
function fused(legs: Legs, setting: HybridSetting): string[] {
  const keywordLeg = setting.rm3 ? (legs.rm3.get(setting.rm3) as StoreHit[]) : legs.keyword;
  const vectorLeg = setting.rocchio ? (legs.rocchio.get(setting.rocchio) as StoreHit[]) : legs.vector;
  const lists = [
    { items: keywordLeg, weight: 1 },
    ...(setting.rm3 && setting.firstPassWeight > 0
      ? [{ items: legs.keyword, weight: setting.firstPassWeight }]
      : []),
    ...(setting.vectorWeight > 0 ? [{ items: vectorLeg, weight: setting.vectorWeight }] : []),
  ];
  return byDocument(reciprocalRankFusion(lists, (hit) => hit.id, setting.k).map(({ item }) => item.id));
}

/** The service's defaults (RetrievalService: feedback 3/20/0.7 and 10/0.5, fusion k 20, vector 0.3, first pass 1). */
export const SHIPPED_HYBRID: HybridSetting = {
  rm3: '3/20/0.7',
  rocchio: '10/0.5',
  k: 20,
  vectorWeight: 0.3,
  firstPassWeight: 1,
};

function grid(): HybridSetting[] {
  const settings: HybridSetting[] = [];
  const rm3Keys = [
    undefined,
    ...RM3_GRID.docs.flatMap((docs) =>
      RM3_GRID.terms.flatMap((terms) =>
        RM3_GRID.originalWeight.map((weight) => `${docs}/${terms}/${weight}`),
      ),
    ),
  ];
  const rocchioKeys = [
    undefined,
    ...ROCCHIO_GRID.docs.flatMap((docs) => ROCCHIO_GRID.beta.map((beta) => `${docs}/${beta}`)),
  ];
  for (const rm3 of rm3Keys)
    for (const rocchio of rocchioKeys)
      for (const k of FUSION_GRID.k)
        for (const vectorWeight of FUSION_GRID.vectorWeight)
          for (const firstPassWeight of rm3 ? FUSION_GRID.firstPassWeight : [0]) {
            if (vectorWeight === 0 && rocchio !== undefined) continue;
            settings.push({
              ...(rm3 ? { rm3 } : {}),
              ...(rocchio ? { rocchio } : {}),
              k,
              vectorWeight,
              firstPassWeight,
            });
          }
  return settings;
}

/** The local embedder's vector leg alone at several sizes, plain and moved by Rocchio feedback. */
async function embedderRows(
  collections: readonly SweepCollection[],
  log: (line: string) => void,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const dimensions of [256, 384, 1024]) {
    const plain: Row = { setting: `local embedder ${dimensions}-d, vector alone` };
    const moved: Row = {
      setting: `local embedder ${dimensions}-d, vector moved by Rocchio (10 keyword hits, beta 0.5)`,
    };
    for (const collection of collections) {
      const legs = await legsOf(collection, dimensions, log, true);
      plain[collection.name] = meanNdcg(
        collection,
        legs.map((query) => byDocument(query.vector.map((hit) => hit.id))),
      );
      moved[collection.name] = meanNdcg(
        collection,
        legs.map((query) => byDocument((query.rocchio.get('10/0.5') as StoreHit[]).map((hit) => hit.id))),
      );
    }
    rows.push(plain, moved);
  }
  return rows;
}

export async function sweep(
  collections: readonly SweepCollection[],
  dimensions: number,
  log: (line: string) => void,
): Promise<Record<string, unknown>> {
  log('causes (memory BM25)…');
  const causeRows = causes(collections);
  log('LanceDB full-text settings…');
  const lancedbRows = await lancedbFullText(collections);
  const legs = new Map<string, Legs[]>();
  for (const collection of collections) legs.set(collection.name, await legsOf(collection, dimensions, log));
  const score = (collection: SweepCollection, setting: HybridSetting): number =>
    meanNdcg(
      collection,
      (legs.get(collection.name) as Legs[]).map((query) => fused(query, setting)),
    );
  const margin = (collection: SweepCollection, value: number): number =>
    Math.round((value - collection.reference['ndcg@10']) * 10_000) / 10_000;

  const component = (label: string, setting: HybridSetting | 'keyword' | 'vector' | 'rocchio'): Row => {
    const row: Row = { setting: label };
    for (const collection of collections) {
      const queries = legs.get(collection.name) as Legs[];
      row[collection.name] =
        setting === 'keyword'
          ? meanNdcg(
              collection,
              queries.map((query) => byDocument(query.keyword.map((hit) => hit.id))),
            )
          : setting === 'vector'
            ? meanNdcg(
                collection,
                queries.map((query) => byDocument(query.vector.map((hit) => hit.id))),
              )
            : setting === 'rocchio'
              ? meanNdcg(
                  collection,
                  queries.map((query) =>
                    byDocument((query.rocchio.get('10/0.5') as StoreHit[]).map((hit) => hit.id)),
                  ),
                )
              : score(collection, setting);
    }
    return row;
  };
  const components = [
    component('keyword (BM25, query words counted)', 'keyword'),
    component('vector (local embedder) alone', 'vector'),
    component('vector leg moved by Rocchio (10 hits, beta 0.5) alone', 'rocchio'),
    component('hybrid before: keyword + vector, RRF k 20, vector 0.3', {
      k: 20,
      vectorWeight: 0.3,
      firstPassWeight: 0,
    }),
    component('keyword RM3 (3 docs, 20 terms, original 0.7) alone', {
      rm3: '3/20/0.7',
      k: 20,
      vectorWeight: 0,
      firstPassWeight: 0,
    }),
    component('RM3 + first pass 1', { rm3: '3/20/0.7', k: 20, vectorWeight: 0, firstPassWeight: 1 }),
    component('keyword + Rocchio vector 0.3', {
      rocchio: '10/0.5',
      k: 20,
      vectorWeight: 0.3,
      firstPassWeight: 0,
    }),
    component('RM3 + first pass 1 + plain vector 0.3', {
      rm3: '3/20/0.7',
      k: 20,
      vectorWeight: 0.3,
      firstPassWeight: 1,
    }),
    component('shipped: RM3 + first pass 1 + Rocchio vector 0.3, k 20', SHIPPED_HYBRID),
  ];

  log('grid…');
  const settings = grid();
  const table = settings.map((setting) => ({
    setting,
    scores: Object.fromEntries(
      collections.map((collection) => [collection.name, score(collection, setting)]),
    ),
  }));
  const worst = (entry: (typeof table)[number]): number =>
    Math.min(...collections.map((collection) => margin(collection, entry.scores[collection.name] as number)));
  const average = (entry: (typeof table)[number]): number =>
    collections.reduce((sum, collection) => sum + (entry.scores[collection.name] as number), 0) /
    collections.length;
  const best = (key: (entry: (typeof table)[number]) => number) =>
    table.reduce((top, entry) => (key(entry) > key(top) ? entry : top));
  const describe = (entry: (typeof table)[number]) => ({
    setting: settingLabel(entry.setting),
    ndcg: entry.scores,
    marginOverReference: Object.fromEntries(
      collections.map((collection) => [
        collection.name,
        margin(collection, entry.scores[collection.name] as number),
      ]),
    ),
  });
  const leaveOneOut = collections.map((tuning) => {
    const chosen = best((entry) => entry.scores[tuning.name] as number);
    return { tunedOn: tuning.name, ...describe(chosen) };
  });
  const shipped = table.find((entry) => settingLabel(entry.setting) === settingLabel(SHIPPED_HYBRID));
  return {
    references: Object.fromEntries(collections.map((collection) => [collection.name, collection.reference])),
    causes: causeRows,
    lancedbFullText: lancedbRows,
    dimensions,
    hybridComponents: components,
    embedder: await embedderRows(collections, log),
    grid: {
      size: table.length,
      parameters: { rm3: RM3_GRID, rocchio: ROCCHIO_GRID, fusion: FUSION_GRID },
      bestWorstCaseMargin: describe(best(worst)),
      bestAverage: describe(best(average)),
      leaveOneOut,
      shipped: shipped ? describe(shipped) : undefined,
      top10ByWorstCaseMargin: [...table]
        .sort((left, right) => worst(right) - worst(left))
        .slice(0, 10)
        .map(describe),
    },
  };
}

export { loadBeirWithTitles };
