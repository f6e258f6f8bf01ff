/**
 * `npm run bench -- retrieval [--quick] [--dataset DIR]`: ingestion throughput through the
 * RetrievalService (chunk → local embedder → LanceDB), search latency per mode on LanceDB at two
 * table sizes, and ANN (IVF_FLAT) recall@10 against exact search on embeddings of real text.
 * Baselines measured in the same run: embedding alone (ingest), exact brute-force search in JS.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalEmbedder, RetrievalService, type SearchMode, type VectorRecord } from '@ai-scale/retrieval';
import type { Scenario, ScenarioContext } from '../scenario';
import { quantile, round } from '../report';
import { chunkText, duplicateChunks, loadWorkload, type Workload } from './retrieval-workload';

const TENANT = 'bench';
const DIMENSIONS = 384;
/** HNSW_SQ query settings whose recall the scenario reports; the first is the store's default. */
const HNSW_SETTINGS = [
  { ef: 100, refineFactor: 5 },
  { ef: 40, refineFactor: 1 },
  { ef: 100, refineFactor: 1 },
] as const;

/** Exact top-k by brute-force dot product (vectors are L2-normalized, so dot = cosine). */
class ExactIndex {
  private readonly vectors: Float32Array[] = [];
  add(vectors: readonly number[][]): void {
    for (const vector of vectors) this.vectors.push(Float32Array.from(vector));
  }
  search(query: readonly number[], k: number): number[] {
    const q = Float32Array.from(query);
    const top: { index: number; score: number }[] = [];
    for (let index = 0; index < this.vectors.length; index++) {
      const vector = this.vectors[index] as Float32Array;
      let score = 0;
      for (let i = 0; i < q.length; i++) score += (q[i] as number) * (vector[i] as number);
      if (top.length < k || score > (top[top.length - 1] as { score: number }).score) {
        top.push({ index, score });
        top.sort((a, b) => b.score - a.score);
        if (top.length > k) top.pop();
      }
    }
    return top.map((entry) => entry.index);
  }
}

function sizeLabel(rows: number): string {
  return rows % 1000 === 0 ? `${rows / 1000}k` : String(rows);
}

async function measureIngest(
  context: ScenarioContext,
  workload: Workload,
  documents: number,
): Promise<Record<string, number>> {
  const { LancedbVectorStore } = await import('@ai-scale/retrieval/lancedb');
  const directory = mkdtempSync(join(tmpdir(), 'bench-retrieval-ingest-'));
  const embedder = new LocalEmbedder({ dimensions: DIMENSIONS });
  const store = await LancedbVectorStore.open({ uri: directory, dimensions: DIMENSIONS });
  try {
    // chunkSize 64 turns a Cranfield abstract into ~2–4 chunks.
    const service = new RetrievalService({ embedder, store, chunkSize: 64, chunkOverlap: 8 });
    const inputs = workload.documents
      .slice(0, documents)
      .map((document) => ({ tenantId: TENANT, documentId: document.id, text: document.text }));
    const started = performance.now();
    let chunks = 0;
    for (let start = 0; start < inputs.length; start += 200) {
      const results = await service.ingestDocuments(inputs.slice(start, start + 200));
      chunks += results.reduce((sum, result) => sum + result.chunks.total, 0);
    }
    const seconds = (performance.now() - started) / 1000;
    // Re-ingesting the same documents: everything is kept, nothing embedded.
    const again = performance.now();
    const repeat = await service.ingestDocuments(inputs.slice(0, 200));
    const reingestSeconds = (performance.now() - again) / 1000;
    // Baseline: the embedder alone on the same chunk texts.
    const sample = (
      await store.listByDocuments(
        TENANT,
        inputs.map((input) => input.documentId),
      )
    ).map((chunk) => chunk.text);
    const embedStarted = performance.now();
    await embedder.embed(sample);
    const embedPerSecond = sample.length / ((performance.now() - embedStarted) / 1000);
    context.table('Ingestion (RetrievalService → LocalEmbedder → LanceDB)', [
      {
        what: 'ingest (chunk + embed + upsert)',
        documents: inputs.length,
        chunks,
        seconds: round(seconds),
        chunks_per_s: round(chunks / seconds, 0),
      },
      {
        what: 're-ingest unchanged (200 docs)',
        documents: 200,
        chunks: repeat.reduce((sum, result) => sum + result.chunks.kept, 0),
        seconds: round(reingestSeconds),
        chunks_per_s: 0,
      },
      {
        what: 'baseline: embed only',
        documents: 0,
        chunks: sample.length,
        seconds: round(sample.length / embedPerSecond),
        chunks_per_s: round(embedPerSecond, 0),
      },
    ]);
    if ((repeat[0]?.embedded ?? -1) !== 0)
      throw new Error('re-ingesting unchanged documents embedded something');
    return {
      ingest_chunks_per_s: round(chunks / seconds, 0),
      embed_only_chunks_per_s: round(embedPerSecond, 0),
    };
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function measureSearch(
  context: ScenarioContext,
  workload: Workload,
  sizes: readonly number[],
  queriesPerMode: number,
): Promise<Record<string, number>> {
  const { LancedbVectorStore } = await import('@ai-scale/retrieval/lancedb');
  const directory = mkdtempSync(join(tmpdir(), 'bench-retrieval-search-'));
  const embedder = new LocalEmbedder({ dimensions: DIMENSIONS });
  const largest = Math.max(...sizes);
  // The ANN index is built once the table reaches the largest size (below it: exact scans).
  const store = await LancedbVectorStore.open({
    uri: directory,
    dimensions: DIMENSIONS,
    ann: { threshold: largest },
  });
  const exact = new ExactIndex();
  const metrics: Record<string, number> = {};
  const rows: Record<string, string | number>[] = [];
  try {
    const service = new RetrievalService({ embedder, store });
    // The same fusion without pseudo-relevance feedback: what feedback costs in latency.
    const plainService = new RetrievalService({ embedder, store, feedback: false });
    const queryVectors = await embedder.embed(workload.queries);
    let loaded = 0;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      const loadStarted = performance.now();
      for (let start = loaded; start < size; start += 5000) {
        const end = Math.min(size, start + 5000);
        const texts = Array.from({ length: end - start }, (_, i) => chunkText(workload, start + i));
        const vectors = await embedder.embed(texts);
        const records: VectorRecord[] = texts.map((text, i) => ({
          id: `c${start + i}`,
          documentId: `d${Math.floor((start + i) / 10)}`,
          ordinal: (start + i) % 10,
          contentHash: `h${start + i}`,
          text,
          vector: vectors[i] as number[],
          metadata: {},
        }));
        await store.upsert(TENANT, records);
        exact.add(vectors);
      }
      loaded = size;
      const optimizeReport = await store.optimize();
      context.log(
        `${sizeLabel(size)} rows loaded in ${round((performance.now() - loadStarted) / 1000)} s; optimize ${round(optimizeReport.durationMs / 1000)} s: ${optimizeReport.indexes.join(', ')}`,
      );
      const label = sizeLabel(size);
      const runs: { name: string; mode: SearchMode; via: RetrievalService }[] = [
        { name: 'vector', mode: 'vector', via: service },
        { name: 'keyword', mode: 'keyword', via: service },
        { name: 'hybrid', mode: 'hybrid', via: service },
        { name: 'hybrid_no_feedback', mode: 'hybrid', via: plainService },
      ];
      for (const { name, mode, via } of runs) {
        for (let i = 0; i < 10; i++)
          await via.search({ tenantId: TENANT, query: workload.queries[i] as string, mode });
        const latencies: number[] = [];
        for (let i = 0; i < queriesPerMode; i++) {
          const started = performance.now();
          await via.search({
            tenantId: TENANT,
            query: workload.queries[i % workload.queries.length] as string,
            mode,
            topK: 10,
          });
          latencies.push(performance.now() - started);
        }
        metrics[`${name}_p50_ms_${label}`] = round(quantile(latencies, 0.5), 2);
        metrics[`${name}_p99_ms_${label}`] = round(quantile(latencies, 0.99), 2);
        rows.push({
          rows: label,
          mode: name,
          index: store.capabilities.exact ? 'exact scan' : 'HNSW_SQ ef=100 refine=5',
          p50_ms: metrics[`${name}_p50_ms_${label}`] as number,
          p99_ms: metrics[`${name}_p99_ms_${label}`] as number,
        });
      }
      // Baseline: exact brute-force cosine in JS over the same vectors.
      const baseline: number[] = [];
      for (let i = 0; i < Math.min(queriesPerMode, 100); i++) {
        const started = performance.now();
        exact.search(queryVectors[i % queryVectors.length] as number[], 10);
        baseline.push(performance.now() - started);
      }
      metrics[`exact_js_p50_ms_${label}`] = round(quantile(baseline, 0.5), 2);
      rows.push({
        rows: label,
        mode: 'baseline: exact JS scan',
        index: 'none',
        p50_ms: metrics[`exact_js_p50_ms_${label}`] as number,
        p99_ms: round(quantile(baseline, 0.99), 2),
      });
    }
    context.table(
      'Search latency through RetrievalService on LanceDB (topK 10, one tenant, query embedding included)',
      rows,
    );

    // ANN recall@10: HNSW_SQ at several settings against the exact top 10 of the same vectors.
    const probes = Math.min(context.quick ? 100 : 200, queryVectors.length);
    const truth = queryVectors
      .slice(0, probes)
      .map((vector) => new Set(exact.search(vector, 10).map((index) => `c${index}`)));
    const recallRows: Record<string, string | number>[] = [];
    for (const [position, setting] of HNSW_SETTINGS.entries()) {
      const probeStore = await LancedbVectorStore.open({
        uri: directory,
        dimensions: DIMENSIONS,
        ann: setting,
      });
      try {
        let overlap = 0;
        const latencies: number[] = [];
        for (let i = 0; i < probes; i++) {
          const started = performance.now();
          const hits = await probeStore.search(TENANT, {
            mode: 'vector',
            vector: queryVectors[i] as number[],
            topK: 10,
          });
          latencies.push(performance.now() - started);
          const expected = truth[i] as Set<string>;
          overlap += hits.filter((hit) => expected.has(hit.id)).length / Math.max(1, expected.size);
        }
        const recall = round(overlap / probes, 4);
        if (position === 0) metrics.ann_recall_at_10 = recall;
        else metrics[`ann_recall_at_10_ef_${setting.ef}_refine_${setting.refineFactor}`] = recall;
        recallRows.push({
          rows: sizeLabel(largest),
          index: probeStore.capabilities.exact ? 'none (exact)' : 'HNSW_SQ (m 20, ef_construction 300)',
          ef: setting.ef,
          refine: setting.refineFactor,
          queries: probes,
          recall_at_10: recall,
          store_p50_ms: round(quantile(latencies, 0.5), 2),
        });
      } finally {
        await probeStore.close();
      }
    }
    context.table('ANN recall@10 vs exact search (real-text embeddings, 384-d, cosine)', recallRows);
    return metrics;
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

const scenario: Scenario = {
  name: 'retrieval',
  description: 'Ingest throughput, search latency per mode on LanceDB at two sizes, ANN recall@10 vs exact',
  async run(context) {
    process.env.LANCE_CPU_THREADS ??= '2';
    process.env.LANCEDB_LOG ??= 'error';
    const workload = loadWorkload(
      typeof context.flags.dataset === 'string' ? context.flags.dataset : undefined,
    );
    context.log(
      `${workload.documents.length} documents, ${workload.sentences.length} sentences, ${workload.queries.length} queries`,
    );
    // --quick must finish within a minute on two shared cores: the ANN (HNSW_SQ) build bounds the size.
    const sizes = context.quick ? [5_000, 10_000] : [10_000, 100_000];
    const duplicates = duplicateChunks(workload, Math.max(...sizes));
    if (duplicates > 0)
      throw new Error(`the ${Math.max(...sizes)}-chunk workload repeats ${duplicates} texts`);
    // The machine is shared: the load average, sampled every 5 s, says how loaded it was.
    const loads: number[] = [loadavg()[0] as number];
    const sampler = setInterval(() => loads.push(loadavg()[0] as number), 5_000);
    try {
      const ingest = await measureIngest(context, workload, context.quick ? 400 : workload.documents.length);
      const search = await measureSearch(context, workload, sizes, context.quick ? 60 : 300);
      loads.push(loadavg()[0] as number);
      const metrics = {
        ...ingest,
        ...search,
        duplicate_chunks: duplicates,
        load_average_1m_min: round(Math.min(...loads), 2),
        load_average_1m_median: round(quantile(loads, 0.5), 2),
        load_average_1m_max: round(Math.max(...loads), 2),
      };
      // bench.ts writes retrieval.json for either run; keep each kind under its own name too.
      const resultsDir = resolve(__dirname, '../../../../bench/results');
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(
        join(resultsDir, `retrieval-${context.quick ? 'quick' : 'full'}.json`),
        JSON.stringify(
          { scenario: 'retrieval', quick: context.quick, measured: new Date().toISOString(), metrics },
          null,
          2,
        ) + '\n',
      );
      return metrics;
    } finally {
      clearInterval(sampler);
    }
  },
};

export default scenario;
