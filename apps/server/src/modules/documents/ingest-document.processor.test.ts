import { randomUUID } from 'node:crypto';
import { type BlobStore, MemoryBlobStore, type OcrEngine } from '@ai-scale/documents';
import { S3BlobStore } from '@ai-scale/documents/s3';
import { makeTextImage } from '@ai-scale/documents/testing';
import { type JobContext, NonRetryableJobError } from '@ai-scale/queue';
import { startS3Server, type S3TestServer } from '@ai-scale/testkit';
import {
  LocalEmbedder,
  MemoryVectorStore,
  type Retrieval,
  RetrievalService,
  VectorStoreUnavailableError,
} from '@ai-scale/retrieval';
import { parseConfig } from '../../config';
import { type IndexMaintenanceScheduler } from '../maintenance/index-maintenance.scheduler';
import { type DocumentRecord, type DocumentStore, type NewDocument } from './document.store';
import { DocumentLimitsPolicy } from './document-limits';
import { IngestDocumentProcessor } from './ingest-document.processor';
import { blobKeyOf, type IngestDocumentJob } from './ingest-job';

const TENANT = 'tenant-a';

/** The processor against real retrieval (memory store, local embedder) and in-memory rows and blobs. */
function setup(
  options: { ocr?: OcrEngine; failIndexing?: (attempt: number) => Error | undefined; blobs?: BlobStore } = {},
) {
  const rows = new Map<string, DocumentRecord>();
  const documents: DocumentStore = {
    async create(input: NewDocument) {
      const now = new Date();
      const record: DocumentRecord = {
        ...input,
        id: input.id ?? randomUUID(),
        status: 'queued',
        chunkCount: 0,
        jobId: null,
        error: null,
        createdAt: now,
        updatedAt: now,
      };
      rows.set(record.id, record);
      return record;
    },
    get: async (tenantId, id) => (rows.get(id)?.tenantId === tenantId ? rows.get(id) : undefined),
    list: async () => [...rows.values()],
    async update(tenantId, id, patch) {
      const row = rows.get(id);
      if (!row || row.tenantId !== tenantId) return undefined;
      const updated = { ...row, ...patch, updatedAt: new Date() };
      rows.set(id, updated);
      return updated;
    },
    delete: async (_tenantId, id) => rows.delete(id),
    findByMetadata: async () => undefined,
  };
  const blobs = options.blobs ?? new MemoryBlobStore();
  const store = new MemoryVectorStore({ dimensions: 64 });
  const service = new RetrievalService({ embedder: new LocalEmbedder({ dimensions: 64 }), store });
  let attempt = 0;
  const hooks = { duringIndexing: async () => undefined as void };
  const retrieval: Retrieval = Object.assign(Object.create(service) as Retrieval, {
    async ingestDocument(input: Parameters<Retrieval['ingestDocument']>[0]) {
      const result = await service.ingestDocument(input);
      await hooks.duringIndexing();
      const failure = options.failIndexing?.(attempt);
      if (failure) throw failure;
      return result;
    },
  });
  const maintenance = { requestOptimize: jest.fn(async () => undefined) };
  const processor = new IngestDocumentProcessor(
    documents,
    blobs,
    retrieval,
    options.ocr,
    new DocumentLimitsPolicy(parseConfig({ DEMO_TENANT: 'false' })),
    maintenance as unknown as IndexMaintenanceScheduler,
  );

  async function submit(bytes: Uint8Array, filename: string) {
    const record = await documents.create({
      tenantId: TENANT,
      title: filename,
      contentType: null,
      sizeBytes: bytes.byteLength,
      metadata: {},
    });
    await blobs.put(blobKeyOf(TENANT, record.id), bytes);
    return record.id;
  }

  async function run(documentId: string, filename: string, jobAttempt = 1, maxAttempts = 3) {
    attempt = jobAttempt;
    const payload: IngestDocumentJob = {
      tenantId: TENANT,
      documentId,
      blobKey: blobKeyOf(TENANT, documentId),
      filename,
      metadata: {},
    };
    const job: JobContext<IngestDocumentJob> = {
      id: `job-${documentId}`,
      name: 'ingest-document',
      payload,
      tenantId: TENANT,
      attempt: jobAttempt,
      maxAttempts,
      signal: new AbortController().signal,
      updateProgress: async () => undefined,
    };
    return processor.process(job);
  }

  return { rows, documents, store, processor, maintenance, hooks, submit, run };
}

const text = (value: string) => new TextEncoder().encode(value);

describe('IngestDocumentProcessor', () => {
  it('indexes a file, marks it ready and asks for index maintenance', async () => {
    const { rows, store, maintenance, submit, run } = setup();
    const id = await submit(text('The osprey service keeps invoices.'), 'osprey.txt');
    await expect(run(id, 'osprey.txt')).resolves.toMatchObject({ documentId: id, kind: 'text' });
    expect(rows.get(id)).toMatchObject({ status: 'ready', error: null });
    expect(await store.count(TENANT)).toBeGreaterThan(0);
    expect(maintenance.requestOptimize).toHaveBeenCalledTimes(1);
  });

  it('passes its OCR engine to the parser: an image becomes the recognized text', async () => {
    const ocr: OcrEngine = {
      recognize: jest.fn(async () => ({ text: 'zebra crossing schedule', confidence: 91 })),
      close: async () => undefined,
    };
    const { rows, submit, run } = setup({ ocr });
    const id = await submit(makeTextImage(['anything']), 'photo.png');
    await expect(run(id, 'photo.png')).resolves.toMatchObject({ kind: 'image' });
    expect(ocr.recognize).toHaveBeenCalledTimes(1);
    expect(rows.get(id)?.status).toBe('ready');
  });

  it('removes the chunks it wrote when indexing fails for good (no partial index), with the code on the row', async () => {
    const { rows, store, submit, run } = setup({ failIndexing: () => new NonRetryableJobError('broken') });
    const id = await submit(text('Chunks written, then a failure.'), 'partial.txt');
    await expect(run(id, 'partial.txt')).rejects.toMatchObject({ code: 'JOB_NON_RETRYABLE' });
    expect(await store.count(TENANT)).toBe(0);
    expect(rows.get(id)).toMatchObject({ status: 'failed', error: 'JOB_NON_RETRYABLE: broken' });
  });

  it('keeps a retryable failure for the next attempt, and rolls back on the last one', async () => {
    const unavailable = () => new VectorStoreUnavailableError({ message: 'store down' });
    const { rows, store, submit, run } = setup({ failIndexing: unavailable });
    const id = await submit(text('Retried until the last attempt.'), 'retry.txt');
    await expect(run(id, 'retry.txt', 1, 3)).rejects.toMatchObject({ code: 'VECTOR_STORE_UNAVAILABLE' });
    expect(rows.get(id)?.status).toBe('processing');
    await expect(run(id, 'retry.txt', 3, 3)).rejects.toMatchObject({ code: 'VECTOR_STORE_UNAVAILABLE' });
    expect(rows.get(id)).toMatchObject({ status: 'failed' });
    expect(rows.get(id)?.error).toMatch(/^VECTOR_STORE_UNAVAILABLE: /);
    expect(await store.count(TENANT)).toBe(0);
  });

  it('lets a delete during indexing win: DOCUMENT_DELETED and nothing left in the index', async () => {
    const { documents, store, hooks, maintenance, submit, run } = setup();
    const id = await submit(text('Deleted while its chunks were being written.'), 'gone.txt');
    hooks.duringIndexing = async () => void (await documents.delete(TENANT, id));
    await expect(run(id, 'gone.txt')).rejects.toMatchObject({ code: 'DOCUMENT_DELETED' });
    expect(await store.count(TENANT)).toBe(0);
    expect(maintenance.requestOptimize).not.toHaveBeenCalled();
  });

  it('fails bad input at once with its typed code', async () => {
    const { rows, store, submit, run } = setup();
    const id = await submit(
      new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0x25]),
      'cut.pdf',
    );
    await expect(run(id, 'cut.pdf')).rejects.toMatchObject({ code: 'DOCUMENT_CORRUPT', isRetryable: false });
    expect(rows.get(id)?.error).toMatch(/^DOCUMENT_CORRUPT: /);
    expect(await store.count(TENANT)).toBe(0);
  });
});

describe('IngestDocumentProcessor on S3 blobs (s3rver on loopback, the official client)', () => {
  let server: S3TestServer;
  const stores: S3BlobStore[] = [];
  const s3 = (overrides: Partial<ConstructorParameters<typeof S3BlobStore>[0]> = {}): S3BlobStore => {
    const store = new S3BlobStore({
      ...server.clientConfig(),
      bucket: 'ingest-blobs',
      maxAttempts: 1,
      ...overrides,
    });
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    server = await startS3Server({ buckets: ['ingest-blobs'] });
  });
  afterAll(async () => {
    stores.forEach((store) => store.close());
    await server.stop();
  });

  it('indexes a document whose bytes are in the bucket', async () => {
    const { rows, submit, run } = setup({ blobs: s3() });
    const id = await submit(text('The osprey service keeps invoices in the bucket.'), 'osprey.txt');
    await run(id, 'osprey.txt');
    expect(rows.get(id)?.status).toBe('ready');
  });

  it('fails a job whose blob is gone with DOCUMENT_BLOB_MISSING, for good, leaving nothing indexed', async () => {
    const blobs = s3();
    const { rows, store, submit, run } = setup({ blobs });
    const id = await submit(text('Uploaded, then its object vanished from the bucket.'), 'gone.txt');
    await blobs.delete(blobKeyOf(TENANT, id));
    await expect(run(id, 'gone.txt')).rejects.toMatchObject({
      code: 'DOCUMENT_BLOB_MISSING',
      isRetryable: false,
    });
    expect(rows.get(id)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^DOCUMENT_BLOB_MISSING: /),
    });
    expect(await store.count(TENANT)).toBe(0);
  });

  it('fails a job on a wrong bucket with BLOB_STORE_BUCKET_MISSING at once (a configuration fault)', async () => {
    const { rows, submit, run } = setup({ blobs: s3({ bucket: 'no-such-bucket' }) });
    const id = await submit(text('never stored'), 'x.txt').catch(() => undefined);
    expect(id).toBeUndefined();
    const row = [...rows.values()][0];
    await expect(run(row?.id ?? '', 'x.txt')).rejects.toMatchObject({
      code: 'BLOB_STORE_BUCKET_MISSING',
      isRetryable: false,
    });
    expect(rows.get(row?.id ?? '')?.error).toMatch(/^BLOB_STORE_BUCKET_MISSING: /);
  });

  it('retries a job while the S3 server is down, and fails it with BLOB_STORE_UNAVAILABLE on the last attempt', async () => {
    const down = await startS3Server({ buckets: ['ingest-blobs'] });
    const blobs = s3({ endpoint: down.endpoint });
    const { rows, submit, run } = setup({ blobs });
    const id = await submit(text('Stored, then the server went away.'), 'down.txt');
    await down.stop();
    await expect(run(id, 'down.txt', 1, 3)).rejects.toMatchObject({
      code: 'BLOB_STORE_UNAVAILABLE',
      isRetryable: true,
    });
    expect(rows.get(id)?.status).toBe('processing');
    await expect(run(id, 'down.txt', 3, 3)).rejects.toMatchObject({ code: 'BLOB_STORE_UNAVAILABLE' });
    expect(rows.get(id)?.error).toMatch(/^BLOB_STORE_UNAVAILABLE: /);
  });
});
