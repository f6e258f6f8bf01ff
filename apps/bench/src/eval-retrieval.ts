/**
 * Retrieval evaluation on a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv), through the
 * same pipeline the server uses: RetrievalService → RecursiveTokenChunker → LocalEmbedder → store.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  LocalEmbedder,
  MemoryVectorStore,
  MmrReranker,
  RetrievalService,
  isMaintainableVectorStore,
  type VectorStore,
} from '@ai-scale/retrieval';
import { documentRanking, mrrAt, ndcgAt, recallAt, type Judgements } from './eval-metrics';
import { formatTable, round } from './report';

export const EVAL_MODES = ['vector', 'keyword', 'hybrid', 'hybrid+rerank'] as const;
export type EvalMode = (typeof EVAL_MODES)[number];
export type ModeFigures = { 'ndcg@10': number; 'recall@10': number; 'recall@100': number; 'mrr@10': number };

export interface RetrievalEvalOptions {
  readonly dataset: string;
  readonly store: 'memory' | 'lancedb';
  readonly dimensions: number;
  readonly chunkSize: number;
  readonly chunkOverlap: number;
  /** Pseudo-relevance feedback in hybrid search (the service's default: on). */
  readonly feedback: boolean;
  /** Evaluate only the first N queries (a smoke run). */
  readonly limitQueries?: number;
  readonly log: (line: string) => void;
}

interface Dataset {
  readonly documents: { id: string; text: string }[];
  readonly queries: { id: string; text: string }[];
  readonly qrels: Map<string, Map<string, number>>;
}

/** The reference BM25 a dataset's README states: the table row whose nDCG@10 is in bold. */
export interface ReferenceBm25 {
  readonly setting: string;
  readonly 'ndcg@10': number;
  readonly 'recall@100'?: number;
  readonly 'mrr@10'?: number;
}

/**
 * Reads the reference from a README table with a header naming `nDCG@10` (and optionally
 * `recall@100`, `MRR@10`): the first row whose nDCG@10 cell is bold (`**0.4662**`).
 */
export function parseReferenceBm25(readme: string): ReferenceBm25 | undefined {
  let header: string[] | undefined;
  for (const line of readme.split('\n')) {
    if (!line.trim().startsWith('|')) {
      header = undefined;
      continue;
    }
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => cell.trim());
    if (header === undefined) {
      header = cells.map((cell) => cell.toLowerCase());
      continue;
    }
    const column = (name: string): number => (header as string[]).indexOf(name);
    const ndcg = column('ndcg@10');
    if (ndcg < 0) continue;
    const bold = /^\*\*([0-9.]+)\*\*$/.exec(cells[ndcg] ?? '');
    if (!bold) continue;
    const number = (name: string): number | undefined => {
      const value = Number((cells[column(name)] ?? '').replace(/\*/g, ''));
      return column(name) >= 0 && Number.isFinite(value) ? value : undefined;
    };
    const recall = number('recall@100');
    const mrr = number('mrr@10');
    return {
      setting: cells[0] ?? '',
      'ndcg@10': Number(bold[1]),
      ...(recall === undefined ? {} : { 'recall@100': recall }),
      ...(mrr === undefined ? {} : { 'mrr@10': mrr }),
    };
  }
  return undefined;
}

/** A BEIR folder with each document's title and text kept apart (the sweep's title-in-every-chunk row). */
export function loadBeirWithTitles(directory: string): {
  documents: { id: string; title: string; text: string }[];
  queries: { id: string; text: string }[];
  qrels: Map<string, Map<string, number>>;
} {
  const lines = (file: string): string[] =>
    readFileSync(join(directory, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim().length > 0);
  const documents = lines('corpus.jsonl').map((line) => {
    const row = JSON.parse(line) as { _id: string; title?: string; text?: string };
    return { id: String(row._id), title: row.title ?? '', text: row.text ?? '' };
  });
  const qrels = new Map<string, Map<string, number>>();
  for (const line of lines(join('qrels', 'test.tsv')).slice(1)) {
    const [queryId, documentId, score] = line.split('\t');
    if (queryId === undefined || documentId === undefined) continue;
    const judgements = qrels.get(queryId) ?? new Map<string, number>();
    judgements.set(documentId, Number(score));
    qrels.set(queryId, judgements);
  }
  const queries = lines('queries.jsonl')
    .map((line) => JSON.parse(line) as { _id: string; text: string })
    .map((row) => ({ id: String(row._id), text: row.text }))
    .filter((query) => qrels.has(query.id));
  return { documents, queries, qrels };
}

/** Documents are indexed as title + text, as the reference BM25 indexes them. */
export function loadBeir(directory: string): Dataset {
  const { documents, queries, qrels } = loadBeirWithTitles(directory);
  return {
    documents: documents.map((document) => ({
      id: document.id,
      text: [document.title, document.text].filter((part) => part && part.trim()).join('\n\n'),
    })),
    queries,
    qrels,
  };
}

/** The reference BM25 of a dataset folder's README, if it states one. */
export function readReferenceBm25(directory: string): ReferenceBm25 | undefined {
  const readme = join(directory, 'README.md');
  return existsSync(readme) ? parseReferenceBm25(readFileSync(readme, 'utf8')) : undefined;
}

export async function evaluateRetrieval(options: RetrievalEvalOptions): Promise<{
  dataset: string;
  store: string;
  embedder: string;
  queries: number;
  chunks: number;
  feedback: boolean;
  reference?: ReferenceBm25;
  modes: Record<EvalMode, ModeFigures>;
}> {
  const directory = resolve(options.dataset);
  const dataset = loadBeir(directory);
  const reference = readReferenceBm25(directory);
  const embedder = new LocalEmbedder({ dimensions: options.dimensions });
  let temporary: string | undefined;
  let store: VectorStore;
  if (options.store === 'lancedb') {
    temporary = mkdtempSync(join(tmpdir(), 'ai-scale-eval-'));
    // Loaded lazily so that LANCE_CPU_THREADS is set before the native module starts its pool.
    const { LancedbVectorStore } = await import('@ai-scale/retrieval/lancedb');
    store = await LancedbVectorStore.open({ uri: temporary, dimensions: embedder.dimensions });
  } else {
    store = new MemoryVectorStore({ dimensions: embedder.dimensions });
  }
  const service = new RetrievalService({
    embedder,
    store,
    chunkSize: options.chunkSize,
    chunkOverlap: options.chunkOverlap,
    reranker: new MmrReranker({ lambda: 0.9 }),
    ...(options.feedback ? {} : { feedback: false as const }),
  });
  try {
    const tenantId = 'eval';
    const started = performance.now();
    const batch = 200;
    let chunks = 0;
    for (let start = 0; start < dataset.documents.length; start += batch) {
      const results = await service.ingestDocuments(
        dataset.documents
          .slice(start, start + batch)
          .map((document) => ({ tenantId, documentId: document.id, text: document.text })),
      );
      chunks += results.reduce((sum, result) => sum + result.chunks.total, 0);
    }
    options.log(
      `ingested ${dataset.documents.length} documents as ${chunks} chunks in ${round((performance.now() - started) / 1000)} s (${store.name})`,
    );
    if (isMaintainableVectorStore(store)) {
      const report = await store.optimize();
      options.log(`optimize: ${report.indexes.join(', ')} in ${round(report.durationMs / 1000)} s`);
    }
    const queries = dataset.queries.slice(0, options.limitQueries ?? dataset.queries.length);
    const modes = {} as Record<EvalMode, ModeFigures>;
    for (const mode of EVAL_MODES) {
      const sums = { 'ndcg@10': 0, 'recall@10': 0, 'recall@100': 0, 'mrr@10': 0 };
      const modeStarted = performance.now();
      for (const query of queries) {
        const request = {
          tenantId,
          query: query.text,
          mode: mode === 'hybrid+rerank' ? ('hybrid' as const) : mode,
          rerank: mode === 'hybrid+rerank',
        };
        const ranked = async (topK: number): Promise<string[]> =>
          documentRanking(
            (await service.search({ ...request, topK })).results.map((result) => result.documentId),
          );
        // The @10 figures come from a topK 10 request, as a user makes it: hybrid fuses 50 candidates
        // per leg then, against 100 for the topK 100 request that recall@100 needs.
        const top100 = await ranked(100);
        const top10 = mode === 'vector' || mode === 'keyword' ? top100.slice(0, 10) : await ranked(10);
        const judgements: Judgements = dataset.qrels.get(query.id) ?? new Map();
        sums['ndcg@10'] += ndcgAt(top10, judgements, 10);
        sums['recall@10'] += recallAt(top10, judgements, 10);
        sums['recall@100'] += recallAt(top100, judgements, 100);
        sums['mrr@10'] += mrrAt(top10, judgements, 10);
      }
      modes[mode] = {
        'ndcg@10': round(sums['ndcg@10'] / queries.length, 4),
        'recall@10': round(sums['recall@10'] / queries.length, 4),
        'recall@100': round(sums['recall@100'] / queries.length, 4),
        'mrr@10': round(sums['mrr@10'] / queries.length, 4),
      };
      options.log(
        `${mode}: ${queries.length} queries in ${round((performance.now() - modeStarted) / 1000)} s (nDCG@10 ${modes[mode]['ndcg@10']})`,
      );
    }
    // Four decimals: the targets are stated to 0.01 and the table is read at that precision.
    const figure = (value: number): string => value.toFixed(4);
    const rows: Record<string, string | number>[] = EVAL_MODES.map((mode) => ({
      mode,
      'ndcg@10': figure(modes[mode]['ndcg@10']),
      'recall@10': figure(modes[mode]['recall@10']),
      'recall@100': figure(modes[mode]['recall@100']),
      'mrr@10': figure(modes[mode]['mrr@10']),
      vs_reference: reference ? figure(modes[mode]['ndcg@10'] - reference['ndcg@10']) : '',
    }));
    if (reference) {
      rows.push({
        mode: `reference BM25 (README: ${reference.setting})`,
        'ndcg@10': figure(reference['ndcg@10']),
        'recall@10': '',
        'recall@100': reference['recall@100'] === undefined ? '' : figure(reference['recall@100']),
        'mrr@10': reference['mrr@10'] === undefined ? '' : figure(reference['mrr@10']),
        vs_reference: '',
      });
    }
    console.log(
      '\n' +
        formatTable(
          `Retrieval evaluation: ${basename(directory)}, ${queries.length} queries, ${chunks} chunks, store ${store.name}, embedder ${embedder.id}, feedback ${options.feedback ? 'on' : 'off'}`,
          rows,
        ) +
        '\n',
    );
    return {
      dataset: basename(directory),
      store: store.name,
      embedder: embedder.id,
      queries: queries.length,
      chunks,
      feedback: options.feedback,
      ...(reference ? { reference } : {}),
      modes,
    };
  } finally {
    await store.close();
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}
