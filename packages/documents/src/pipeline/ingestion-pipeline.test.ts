import { MemoryJobQueue, type JobWorker } from '@ai-scale/queue';
import { LocalEmbedder, MemoryVectorStore, RetrievalService } from '@ai-scale/retrieval';
import { waitFor } from '@ai-scale/testkit';
import { MemoryBlobStore } from '../adapters/memory/memory-blob-store';
import { TesseractOcrEngine } from '../adapters/tesseract';
import { DocumentTooLargeError, EmptyDocumentError, UnsupportedDocumentTypeError } from '../errors';
import type { OcrEngine } from '../ports/ocr-engine';
import {
  makeDocx,
  makeHtmlPage,
  makeScannedPdf,
  makeTextImage,
  makeTextPdf,
  makeZipBombDocx,
} from '../testing';
import { IngestionPipeline, type IngestionStageEvent } from './ingestion-pipeline';

const utf8 = (text: string) => new TextEncoder().encode(text);

function setup(options: { ocr?: OcrEngine; concurrency?: number; maxFileBytes?: number } = {}) {
  const queue = new MemoryJobQueue({ name: 'documents-test' });
  const retrieval = new RetrievalService({
    embedder: new LocalEmbedder(),
    store: new MemoryVectorStore({ dimensions: 384 }),
  });
  const stages: IngestionStageEvent[] = [];
  const pipeline = new IngestionPipeline({
    queue,
    blobs: new MemoryBlobStore(),
    retrieval,
    ...(options.ocr ? { ocr: options.ocr } : {}),
    limitsFor: () => (options.maxFileBytes ? { maxFileBytes: options.maxFileBytes } : {}),
    onStage: (event) => {
      stages.push(event);
    },
    attempts: 2,
    backoffBaseMs: 5,
  });
  const worker: JobWorker = queue.createWorker(pipeline.handlers(), {
    concurrency: options.concurrency ?? 2,
  });
  const settle = async (jobId: string) => {
    await waitFor(
      async () => ['completed', 'failed'].includes((await pipeline.getStatus(jobId))?.state ?? ''),
      {
        timeoutMs: 20_000,
        message: `job ${jobId} to settle`,
      },
    );
    return (await pipeline.getStatus(jobId))!;
  };
  return { queue, retrieval, pipeline, worker, stages, settle };
}

describe('IngestionPipeline (memory queue, memory vector store, local embedder)', () => {
  let ocr: TesseractOcrEngine;
  beforeAll(() => {
    ocr = new TesseractOcrEngine({ concurrency: 1 });
  });
  afterAll(() => ocr.close());

  it('turns every fixture kind into searchable chunks through the workers', async () => {
    const { queue, retrieval, pipeline, worker, settle } = setup({ ocr });
    await worker.start();
    const fixtures: Array<[string, Uint8Array, string, string]> = [
      [
        'txt',
        utf8('Helium balloons rise because helium is lighter than air.'),
        'notes.txt',
        'helium balloons',
      ],
      [
        'md',
        utf8('# Setup\n\nInstall the turbine governor.\n\n## Checks\n\nInspect blades.'),
        'guide.md',
        'turbine governor',
      ],
      ['html', utf8(makeHtmlPage()), 'limits.html', 'requests per minute'],
      ['pdf', await makeTextPdf(['Supersonic inlets need shock control.']), 'inlet.pdf', 'supersonic inlets'],
      [
        'docx',
        await makeDocx([{ text: 'Refunds', heading: 1 }, { text: 'Refunds take five business days.' }]),
        'refunds.docx',
        'refunds business days',
      ],
      ['png', makeTextImage(['Warranty covers corrosion damage']), 'scan.png', 'warranty corrosion'],
      [
        'scanned pdf',
        await makeScannedPdf([['Propeller noise rises with tip speed']]),
        'scan.pdf',
        'propeller noise',
      ],
    ];
    for (const [label, bytes, filename, query] of fixtures) {
      const documentId = `doc-${label.replace(' ', '-')}`;
      const { jobId } = await pipeline.submit({ tenantId: 'tenant-a', documentId, bytes, filename });
      const status = await settle(jobId);
      expect({ label, state: status.state, error: status.error }).toEqual({
        label,
        state: 'completed',
        error: undefined,
      });
      expect(status.result?.chunks.total).toBeGreaterThan(0);
      const { results } = await retrieval.search({ tenantId: 'tenant-a', query, topK: 3, mode: 'hybrid' });
      expect({ label, top: results[0]?.documentId }).toEqual({ label, top: documentId });
    }
    await worker.close();
    await queue.close();
  });

  it('refuses at upload what can be known then: empty, unsupported, too large', async () => {
    const { pipeline, queue } = setup({ maxFileBytes: 1000 });
    const submit = (bytes: Uint8Array, filename?: string) =>
      pipeline.submit({ tenantId: 't', documentId: 'd', bytes, ...(filename ? { filename } : {}) });
    await expect(submit(new Uint8Array())).rejects.toBeInstanceOf(EmptyDocumentError);
    await expect(
      submit(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), 'x.pdf'),
    ).rejects.toBeInstanceOf(UnsupportedDocumentTypeError);
    await expect(submit(utf8('x'.repeat(2000)))).rejects.toBeInstanceOf(DocumentTooLargeError);
    expect((await queue.counts()).queued).toBe(0);
    await queue.close();
  });

  it('fails a bad file on its job with a typed error at once, leaves nothing indexed, and the worker lives on', async () => {
    const { pipeline, worker, retrieval, stages, settle, queue } = setup();
    await worker.start();
    const { jobId } = await pipeline.submit({
      tenantId: 't',
      documentId: 'bomb',
      bytes: await makeZipBombDocx(),
    });
    const failed = await settle(jobId);
    expect(failed).toMatchObject({ state: 'failed', stage: 'failed', attempts: 1 });
    expect(failed.error?.code).toBe('DOCUMENT_ARCHIVE_BOMB');
    expect(stages.filter((event) => event.documentId === 'bomb').map((event) => event.stage)).toEqual([
      'queued',
      'parsing',
      'failed',
    ]);
    const { results } = await retrieval.search({ tenantId: 't', query: 'nothing to see', mode: 'keyword' });
    expect(results).toHaveLength(0);
    // The same worker still processes the next document.
    const ok = await pipeline.submit({
      tenantId: 't',
      documentId: 'fine',
      bytes: utf8('Still alive and indexing.'),
    });
    expect((await settle(ok.jobId)).state).toBe('completed');
    await worker.close();
    await queue.close();
  });

  it('removes a partly indexed document when indexing fails for good', async () => {
    const { queue, retrieval, pipeline, worker, settle, stages } = setup();
    const ingest = jest.spyOn(retrieval, 'ingestDocument').mockImplementation(async (input) => {
      // Index the document for real, then fail as if the store died half-way.
      await RetrievalService.prototype.ingestDocument.call(retrieval, input);
      throw new Error('vector store connection reset');
    });
    await worker.start();
    const { jobId } = await pipeline.submit({
      tenantId: 't',
      documentId: 'half',
      bytes: utf8('Ailerons control roll.'),
    });
    const status = await settle(jobId);
    expect(status).toMatchObject({ state: 'failed', attempts: 3 }); // 1 parse + 2 index attempts
    expect(ingest).toHaveBeenCalledTimes(2);
    expect(
      (await retrieval.search({ tenantId: 't', query: 'ailerons roll', mode: 'keyword' })).results,
    ).toHaveLength(0);
    expect(stages.at(-1)).toMatchObject({ documentId: 'half', stage: 'failed' });
    await worker.close();
    await queue.close();
  });

  it("re-submitting the same bytes returns the same job; a slow scan does not hold back another tenant's small file", async () => {
    let releaseOcr: () => void = () => undefined;
    const slowOcr: OcrEngine = {
      recognize: () =>
        new Promise((resolve) => {
          releaseOcr = () => resolve({ text: 'slow scanned text about gliders', confidence: 90 });
        }),
      close: async () => undefined,
    };
    const { queue, pipeline, worker, settle } = setup({ ocr: slowOcr, concurrency: 2 });
    await worker.start();
    const scan = await pipeline.submit({ tenantId: 'big', documentId: 'scan', bytes: makeTextImage(['x']) });
    const again = await pipeline.submit({ tenantId: 'big', documentId: 'scan', bytes: makeTextImage(['x']) });
    expect(again.jobId).toBe(scan.jobId);
    await waitFor(async () => (await pipeline.getStatus(scan.jobId))?.state === 'active');
    const small = await pipeline.submit({
      tenantId: 'small',
      documentId: 'note',
      bytes: utf8('A small note.'),
    });
    expect((await settle(small.jobId)).state).toBe('completed');
    expect((await pipeline.getStatus(scan.jobId))?.state).toBe('active');
    releaseOcr();
    expect((await settle(scan.jobId)).state).toBe('completed');
    await worker.close();
    await queue.close();
  });
});
