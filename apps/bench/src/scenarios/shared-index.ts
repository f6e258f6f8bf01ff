/**
 * `shared-index`: what sharing the LanceDB index costs in search latency, per topology, measured
 * side by side in one run on the same rows and the same queries:
 * - `one_node`: API and worker in one process, the index on local disk (reads never check for
 *   other writers' versions);
 * - `split_local`: API and worker as separate processes on one disk or a shared volume
 *   (readConsistencyInterval 0: every read checks for the latest version);
 * - `split_s3`: API and worker on different machines, the index on S3 (the testkit's s3rver in its
 *   own process on loopback: the protocol's cost without a network's; a real bucket adds its round
 *   trips, and MinIO or S3 answer faster than s3rver's JavaScript).
 * Reported: p50/p99 per topology and each one's ratio to `one_node`, for vector and keyword search,
 * and the bulk upsert rate on S3 against local disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEmbedder, type VectorRecord, type VectorStore } from '@ai-scale/retrieval';
import { LancedbVectorStore } from '@ai-scale/retrieval/lancedb';
import { spawn, type ChildProcess } from 'node:child_process';
import { S3RVER_CREDENTIALS } from '@ai-scale/testkit';
import { quantile, round } from '../report';
import type { Scenario, ScenarioContext } from '../scenario';

const DIMENSIONS = 256;
const TENANT = 'bench';
const WORDS = [
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
  'mach',
  'drag',
  'lift',
  'layer',
  'pressure',
  'transition',
  'laminar',
  'turbulent',
];

function sentence(index: number): string {
  return (
    Array.from(
      { length: 12 },
      (_, position) => WORDS[(index * 7 + position * 3 + (index % 11) * position) % WORDS.length],
    ).join(' ') + ` item${index}`
  );
}

async function makeRecords(count: number, embedder: LocalEmbedder): Promise<VectorRecord[]> {
  const texts = Array.from({ length: count }, (_, index) => sentence(index));
  const vectors = await embedder.embed(texts);
  return texts.map((text, index) => ({
    id: `r${index}`,
    documentId: `d${index % 500}`,
    ordinal: index,
    contentHash: `h${index}`,
    text,
    vector: vectors[index] as number[],
    metadata: {},
  }));
}

async function timedUpsert(store: VectorStore, records: readonly VectorRecord[]): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < records.length; start += 1_000)
    await store.upsert(TENANT, records.slice(start, start + 1_000));
  return records.length / ((performance.now() - started) / 1000);
}

type Topology = 'one_node' | 'split_local' | 'split_s3';

/** The testkit's S3 server in a process of its own, so it does not share this event loop. */
async function startS3Process(bucket: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const code =
    `require(${JSON.stringify(require.resolve('@ai-scale/testkit'))})` +
    `.startS3Server({ buckets: [${JSON.stringify(bucket)}] })` +
    '.then((server) => { process.send(server.endpoint); process.on("disconnect", () => server.stop().then(() => process.exit(0))); })';
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve(String(message)));
    child.once('exit', (code) => reject(new Error(`s3 server process exited (${code})`)));
  });
  return { endpoint, child };
}

async function run(context: ScenarioContext): Promise<Record<string, number>> {
  const rows = context.quick ? 5_000 : 20_000;
  const queries = context.quick ? 60 : 300;
  const embedder = new LocalEmbedder({ dimensions: DIMENSIONS });
  const directory = mkdtempSync(join(tmpdir(), 'bench-shared-index-'));
  const s3 = await startS3Process('bench-index');
  const s3Location = {
    uri: 's3://bench-index/lancedb',
    storageOptions: {
      endpoint: s3.endpoint,
      region: 'us-east-1',
      allow_http: 'true',
      aws_access_key_id: S3RVER_CREDENTIALS.accessKeyId,
      aws_secret_access_key: S3RVER_CREDENTIALS.secretAccessKey,
      virtual_hosted_style_request: 'false',
    },
  };
  const opened: VectorStore[] = [];
  const open = async (
    options: Parameters<typeof LancedbVectorStore.open>[0],
  ): Promise<LancedbVectorStore> => {
    const store = await LancedbVectorStore.open(options);
    opened.push(store);
    return store;
  };
  try {
    context.log(`${rows} rows of ${DIMENSIONS}-d, ${queries} queries per topology and mode`);
    const records = await makeRecords(rows, embedder);
    const localWriter = await open({ uri: directory, dimensions: DIMENSIONS });
    const s3Writer = await open({ ...s3Location, dimensions: DIMENSIONS });
    const localRate = await timedUpsert(localWriter, records);
    const s3Rate = await timedUpsert(s3Writer, records);
    context.log(
      `upserts: local ${Math.round(localRate)} rows/s, s3 ${Math.round(s3Rate)} rows/s; building the full-text indexes`,
    );
    await localWriter.optimize();
    await s3Writer.optimize();

    // Readers are their own connections, as an API process's would be.
    const readers: Record<Topology, VectorStore> = {
      one_node: await open({ uri: directory, dimensions: DIMENSIONS }),
      split_local: await open({ uri: directory, dimensions: DIMENSIONS, readConsistencyIntervalSeconds: 0 }),
      split_s3: await open({ ...s3Location, dimensions: DIMENSIONS, readConsistencyIntervalSeconds: 0 }),
    };
    const topologies = Object.keys(readers) as Topology[];
    const questions = Array.from({ length: queries }, (_, index) =>
      sentence(rows * 3 + index * 13)
        .split(' ')
        .slice(0, 5)
        .join(' '),
    );
    const questionVectors = await embedder.embed(questions);
    const samples: Record<string, number[]> = {};
    for (const mode of ['vector', 'keyword'] as const) {
      for (const topology of topologies) samples[`${mode}:${topology}`] = [];
      // Warm every reader once, then interleave them query by query, rotating who goes first.
      for (const topology of topologies) {
        await readers[topology].search(TENANT, {
          mode: 'vector',
          vector: questionVectors[0] as number[],
          topK: 10,
        });
      }
      for (let index = 0; index < queries; index += 1) {
        for (let turn = 0; turn < topologies.length; turn += 1) {
          const topology = topologies[(index + turn) % topologies.length] as Topology;
          const started = performance.now();
          const hits =
            mode === 'vector'
              ? await readers[topology].search(TENANT, {
                  mode,
                  vector: questionVectors[index] as number[],
                  topK: 10,
                })
              : await readers[topology].search(TENANT, { mode, text: questions[index] as string, topK: 10 });
          samples[`${mode}:${topology}`]?.push(performance.now() - started);
          if (hits.length === 0) throw new Error(`${topology} ${mode} search found nothing`);
        }
      }
    }

    const metrics: Record<string, number> = {
      rows,
      queries,
      upsert_rows_per_s_local: round(localRate, 0),
      upsert_rows_per_s_s3: round(s3Rate, 0),
      upsert_s3_to_local_ratio: round(s3Rate / localRate, 3),
    };
    const table: Record<string, string | number>[] = [];
    for (const mode of ['vector', 'keyword'] as const) {
      const base = samples[`${mode}:one_node`] ?? [];
      const baseP50 = quantile(base, 0.5);
      const baseP99 = quantile(base, 0.99);
      for (const topology of topologies) {
        const values = samples[`${mode}:${topology}`] ?? [];
        const p50 = quantile(values, 0.5);
        const p99 = quantile(values, 0.99);
        metrics[`${mode}_${topology}_p50_ms`] = round(p50, 2);
        metrics[`${mode}_${topology}_p99_ms`] = round(p99, 2);
        metrics[`${mode}_${topology}_p50_ratio`] = round(p50 / baseP50, 2);
        metrics[`${mode}_${topology}_p99_ratio`] = round(p99 / baseP99, 2);
        table.push({
          mode,
          topology,
          'p50 ms': round(p50, 2),
          'p99 ms': round(p99, 2),
          'p50 × one_node': round(p50 / baseP50, 2),
          'p99 × one_node': round(p99 / baseP99, 2),
        });
      }
    }
    context.table(`Search latency by topology (${rows} rows, ${queries} queries each, interleaved)`, table);
    return metrics;
  } finally {
    for (const store of opened) await store.close().catch(() => undefined);
    s3.child.disconnect();
    await new Promise((resolve) => s3.child.once('exit', resolve));
    rmSync(directory, { recursive: true, force: true });
  }
}

const scenario: Scenario = {
  name: 'shared-index',
  description:
    'search latency of the LanceDB index on local disk (one node, split) and on S3 (split), side by side',
  run,
};
export default scenario;
