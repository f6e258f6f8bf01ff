/**
 * Retrieval evaluation on a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv), through the
 * same pipeline the server uses: RetrievalService → RecursiveTokenChunker → LocalEmbedder → store.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  /** Evaluate only the first N queries (a smoke run). */
  readonly limitQueries?: number;
  readonly log: (line: string) => void;
}

interface Dataset {
  readonly documents: { id: string; text: string }[];
  readonly queries: { id: string; text: string }[];
  readonly qrels: Map<string, Map<string, number>>;
}

export function loadBeir(directory: string): Dataset {
  const lines = (file: string): string[] =>
    readFileSync(join(directory, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim().length > 0);
  const documents = lines('corpus.jsonl').map((line) => {
    const row = JSON.parse(line) as { _id: string; title?: string; text?: string };
    return {
      id: String(row._id),
      text: [row.title, row.text].filter((part) => part && part.trim()).join('\n\n'),
    };
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

export async function evaluateRetrieval(
  options: RetrievalEvalOptions,
): Promise<{ dataset: string; modes: Record<EvalMode, ModeFigures> }> {
  const directory = resolve(options.dataset);
  const dataset = loadBeir(directory);
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
        const response = await service.search({
          tenantId,
          query: query.text,
          topK: 100,
          mode: mode === 'hybrid+rerank' ? 'hybrid' : mode,
          rerank: mode === 'hybrid+rerank',
        });
        const ranking = documentRanking(response.results.map((result) => result.documentId));
        const judgements: Judgements = dataset.qrels.get(query.id) ?? new Map();
        sums['ndcg@10'] += ndcgAt(ranking, judgements, 10);
        sums['recall@10'] += recallAt(ranking, judgements, 10);
        sums['recall@100'] += recallAt(ranking, judgements, 100);
        sums['mrr@10'] += mrrAt(ranking, judgements, 10);
      }
      modes[mode] = {
        'ndcg@10': round(sums['ndcg@10'] / queries.length, 4),
        'recall@10': round(sums['recall@10'] / queries.length, 4),
        'recall@100': round(sums['recall@100'] / queries.length, 4),
        'mrr@10': round(sums['mrr@10'] / queries.length, 4),
      };
      options.log(
        `${mode}: ${queries.length} queries in ${round((performance.now() - modeStarted) / 1000)} s`,
      );
    }
    console.log(
      '\n' +
        formatTable(
          `Retrieval evaluation: ${basename(directory)}, ${queries.length} queries, store ${store.name}, embedder ${embedder.id}`,
          EVAL_MODES.map((mode) => ({ mode, ...modes[mode] })),
        ) +
        '\n',
    );
    return { dataset: basename(directory), modes };
  } finally {
    await store.close();
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}
