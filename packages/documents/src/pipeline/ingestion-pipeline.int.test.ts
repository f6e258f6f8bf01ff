process.env.LANCE_CPU_THREADS ??= '2';
process.env.LANCEDB_LOG ??= 'error';

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BullmqJobQueue } from '@ai-scale/queue/bullmq';
import { LocalEmbedder, RetrievalService } from '@ai-scale/retrieval';
import { LancedbVectorStore } from '@ai-scale/retrieval/lancedb';
import { describeWithRedis, redisUrl, uniqueName, waitFor } from '@ai-scale/testkit';
import { FilesystemBlobStore } from '../adapters/filesystem/filesystem-blob-store';
import { TesseractOcrEngine } from '../adapters/tesseract';
import {
  makeDocx,
  makeEncryptedPdf,
  makeHtmlPage,
  makeScannedPdf,
  makeTextImage,
  makeTextPdf,
} from '../testing';
import { IngestionPipeline } from './ingestion-pipeline';

const utf8 = (text: string) => new TextEncoder().encode(text);

describeWithRedis('IngestionPipeline on BullMQ (real Redis) with LanceDB on disk', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ai-scale-docs-int-'));
  let queue: BullmqJobQueue;
  let store: LancedbVectorStore;
  let ocr: TesseractOcrEngine;
  let pipeline: IngestionPipeline;
  let retrieval: RetrievalService;

  beforeAll(async () => {
    queue = new BullmqJobQueue({
      name: uniqueName('documents'),
      redisUrl: redisUrl(),
      prefix: uniqueName('docs'),
    });
    store = await LancedbVectorStore.open({ uri: join(directory, 'lance'), dimensions: 384 });
    retrieval = new RetrievalService({ embedder: new LocalEmbedder(), store });
    ocr = new TesseractOcrEngine({ concurrency: 1 });
    pipeline = new IngestionPipeline({
      queue,
      blobs: new FilesystemBlobStore(join(directory, 'blobs')),
      retrieval,
      ocr,
      attempts: 2,
      backoffBaseMs: 10,
    });
    await queue.createWorker(pipeline.handlers(), { concurrency: 2 }).start();
  });

  afterAll(async () => {
    await queue?.close();
    await ocr?.close();
    await store?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const settle = async (jobId: string) => {
    await waitFor(
      async () => ['completed', 'failed'].includes((await pipeline.getStatus(jobId))?.state ?? ''),
      {
        timeoutMs: 30_000,
        message: `job ${jobId}`,
      },
    );
    return (await pipeline.getStatus(jobId))!;
  };

  it('makes every fixture kind searchable through BullMQ workers', async () => {
    const fixtures: Array<[string, Uint8Array, string]> = [
      [
        'md',
        utf8('# Hangar\n\nThe hangar doors open eastward.\n\n## Safety\n\nWear helmets.'),
        'hangar doors',
      ],
      ['html', utf8(makeHtmlPage()), 'requests per minute'],
      ['pdf', await makeTextPdf(['Flutter appears at high dynamic pressure.']), 'flutter dynamic pressure'],
      [
        'docx',
        await makeDocx([{ text: 'Payroll', heading: 1 }, { text: 'Payroll closes on the 25th.' }]),
        'payroll closes',
      ],
      ['png', makeTextImage(['Battery recall notice for model Z9']), 'battery recall'],
      ['scan', await makeScannedPdf([['Icing degrades wing performance']]), 'icing wing'],
    ];
    const submitted = await Promise.all(
      fixtures.map(async ([label, bytes]) => ({
        label,
        ...(await pipeline.submit({ tenantId: 'tenant-int', documentId: `doc-${label}`, bytes })),
      })),
    );
    for (const { label, jobId } of submitted) {
      const status = await settle(jobId);
      expect({ label, state: status.state, error: status.error }).toEqual({
        label,
        state: 'completed',
        error: undefined,
      });
    }
    for (const [label, , query] of fixtures) {
      const { results } = await retrieval.search({ tenantId: 'tenant-int', query, topK: 3, mode: 'hybrid' });
      expect({ label, top: results[0]?.documentId }).toEqual({ label, top: `doc-${label}` });
    }
    // Tenant isolation holds through the pipeline: another tenant finds nothing.
    const other = await retrieval.search({ tenantId: 'tenant-other', query: 'hangar doors', mode: 'hybrid' });
    expect(other.results).toHaveLength(0);
  });

  it('dead-letters an encrypted PDF at its first attempt with a typed error', async () => {
    const { jobId } = await pipeline.submit({
      tenantId: 'tenant-int',
      documentId: 'locked',
      bytes: await makeEncryptedPdf(),
    });
    const status = await settle(jobId);
    expect(status).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'DOCUMENT_ENCRYPTED' } });
    const dead = await queue.listDeadLetters();
    expect(dead.map((job) => job.id)).toContain(jobId);
  });
});
