import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  makeDocx,
  makeEncryptedPdf,
  makeHtmlPage,
  makeScannedPdf,
  makeTextImage,
  makeTextPdf,
  makeTruncatedPdf,
  makeZipBombDocx,
} from '@ai-scale/documents/testing';
import { type MaintainableVectorStore } from '@ai-scale/retrieval';
import {
  createThrowawayPostgresDatabase,
  describeWithRedisAndPostgres,
  redisUrl,
  type ThrowawayDatabase,
  uniqueName,
  waitFor,
} from '@ai-scale/testkit';
import { VECTOR_STORE } from '../src/infrastructure/retrieval/retrieval.module';
import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-document-tests';
const builtMain = path.join(__dirname, '..', 'dist', 'main.js');
const MAX_UPLOAD_BYTES = 512 * 1024;
/** Shared by both configurations: small limits so the page limit is cheap to reach. */
const DOCUMENT_ENVIRONMENT = {
  MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
  DOCUMENT_MAX_PAGES: '5',
  OCR_CONCURRENCY: '1',
  WORKER_CONCURRENCY: '2',
  VECTOR_STORE: 'lancedb',
  ADMIN_TOKEN,
};

interface Upload {
  readonly name: string;
  readonly bytes: Uint8Array | string;
  readonly mime: string;
}

interface Fixture extends Upload {
  /** A word only this document contains: a keyword search for it must find the document. */
  readonly word: string;
}

/** One file of each kind, each with a word of its own (made in memory, nothing binary committed). */
async function goodFixtures(): Promise<Fixture[]> {
  return [
    {
      name: 'notes.txt',
      mime: 'text/plain',
      word: 'quokka',
      bytes: 'The quokka team owns the billing exports.',
    },
    {
      name: 'guide.md',
      mime: 'text/markdown',
      word: 'narwhal',
      bytes: '# Narwhal\n\nThe narwhal service rotates keys every night.\n',
    },
    // The page's main content (nav, footer and scripts are dropped by the parser).
    { name: 'limits.html', mime: 'text/html', word: 'exceeding', bytes: makeHtmlPage() },
    {
      name: 'report.pdf',
      mime: 'application/pdf',
      word: 'albatross',
      bytes: await makeTextPdf(['The albatross project ships in March.']),
    },
    {
      name: 'memo.docx',
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      word: 'wombat',
      bytes: await makeDocx([
        { text: 'Wombat release notes', heading: 1 },
        { text: 'The wombat API is stable.' },
      ]),
    },
    {
      name: 'whiteboard.png',
      mime: 'image/png',
      word: 'flamingo',
      bytes: makeTextImage(['The flamingo cluster', 'moves to Frankfurt']),
    },
    {
      name: 'scan.pdf',
      mime: 'application/pdf',
      word: 'pelican',
      bytes: await makeScannedPdf([['The pelican contract', 'renews in April']]),
    },
  ];
}

/** Inputs that are only known to be bad once parsed: each fails its job with this typed code. */
async function badFixtures(): Promise<Array<Upload & { readonly code: string }>> {
  return [
    {
      name: 'broken.pdf',
      mime: 'application/pdf',
      code: 'DOCUMENT_CORRUPT',
      bytes: await makeTruncatedPdf(),
    },
    {
      name: 'locked.pdf',
      mime: 'application/pdf',
      code: 'DOCUMENT_ENCRYPTED',
      bytes: await makeEncryptedPdf(),
    },
    {
      name: 'bomb.docx',
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      code: 'DOCUMENT_ARCHIVE_BOMB',
      bytes: await makeZipBombDocx(),
    },
    {
      name: 'long.pdf',
      mime: 'application/pdf',
      code: 'DOCUMENT_PAGE_LIMIT_EXCEEDED',
      bytes: await makeTextPdf(['one', 'two', 'three', 'four', 'five', 'six']),
    },
  ];
}

function form(upload: Upload): FormData {
  const body = new FormData();
  const bytes = typeof upload.bytes === 'string' ? upload.bytes : Buffer.from(upload.bytes);
  body.append('file', new Blob([bytes], { type: upload.mime }), upload.name);
  return body;
}

/**
 * The document scenarios, run against a server whose workers are the real ones (in process for the
 * embedded configuration, a separate process for the production one).
 */
function documentScenarios(
  context: () => { server: ServerUnderTest; key: string; workerAlive: () => boolean },
) {
  const upload = async (file: Upload) => {
    const { server, key } = context();
    return server.request('POST', '/v1/documents', { token: key, rawBody: form(file) });
  };

  async function finalJob(jobId: string) {
    const { server, key } = context();
    let body: { state: string; error: { code: string } | null } | undefined;
    await waitFor(
      async () => {
        body = (await server.request('GET', `/v1/jobs/${jobId}`, { token: key })).body;
        // `failed` with its error: the BullMQ adapter reads a job's hash and its state in two
        // parallel calls, so one read may see the state before the failure reason (reported).
        return body?.state === 'completed' || (body?.state === 'failed' && body.error !== null);
      },
      { timeoutMs: 90_000, message: `job ${jobId}` },
    );
    return body!;
  }

  async function documentIdsFound(query: string): Promise<string[]> {
    const { server, key } = context();
    const found = await server.request('POST', '/v1/search', {
      token: key,
      body: { query, topK: 20, mode: 'keyword' },
    });
    expect(found.status).toBe(200);
    return found.body.results.map((result: { documentId: string }) => result.documentId);
  }

  it('makes each kind of file searchable through the real workers (txt, md, html, pdf, docx, png and scanned pdf by OCR)', async () => {
    const fixtures = await goodFixtures();
    const created = await Promise.all(fixtures.map(upload));
    for (const response of created) expect(response.status).toBe(202);
    const jobs = await Promise.all(created.map((response) => finalJob(response.body.jobId)));
    expect(jobs.map((job) => [job.state, job.error?.code ?? null])).toEqual(
      fixtures.map(() => ['completed', null]),
    );
    for (const [index, fixture] of fixtures.entries()) {
      const { documentId } = created[index]!.body;
      const document = await context().server.request('GET', `/v1/documents/${documentId}`, {
        token: context().key,
      });
      expect(document.body).toMatchObject({ status: 'ready', errorCode: null });
      expect(document.body.chunkCount).toBeGreaterThan(0);
      expect({ file: fixture.name, found: await documentIdsFound(fixture.word) }).toEqual({
        file: fixture.name,
        found: expect.arrayContaining([documentId]),
      });
    }
  }, 180_000);

  it('refuses at upload what is known then: empty 400, unsupported type 415 (by the bytes, not the name), too large 413', async () => {
    const empty = await upload({ name: 'empty.txt', mime: 'text/plain', bytes: '' });
    expect(empty.status).toBe(400);
    const gzip = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 1, 2, 3, 4, 5, 6, 7, 8]);
    const unsupported = await upload({ name: 'notes.txt', mime: 'text/plain', bytes: gzip });
    expect(unsupported.status).toBe(415);
    expect(unsupported.body.error.code).toBe('DOCUMENT_TYPE_UNSUPPORTED');
    const tooLarge = await upload({
      name: 'big.txt',
      mime: 'text/plain',
      bytes: 'x'.repeat(MAX_UPLOAD_BYTES + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const listed = await context().server.request('GET', '/v1/documents?limit=100', { token: context().key });
    expect(listed.body.documents.map((document: { title: string }) => document.title)).not.toEqual(
      expect.arrayContaining(['empty.txt']),
    );
  });

  it('fails each bad file on its job with the typed code, indexes nothing of it, and the worker goes on', async () => {
    const bad = await badFixtures();
    const created = await Promise.all(bad.map(upload));
    for (const response of created) expect(response.status).toBe(202);
    const jobs = await Promise.all(created.map((response) => finalJob(response.body.jobId)));
    expect(jobs.map((job) => [job.state, job.error?.code])).toEqual(bad.map((file) => ['failed', file.code]));
    const failedIds = created.map((response) => response.body.documentId as string);
    for (const [index, documentId] of failedIds.entries()) {
      const document = await context().server.request('GET', `/v1/documents/${documentId}`, {
        token: context().key,
      });
      expect(document.body).toMatchObject({ status: 'failed', errorCode: bad[index]!.code, chunkCount: 0 });
    }
    // No partial index: nothing of the failed files is searchable (the page-limit PDF had a text layer).
    for (const query of ['secret', 'nothing to see here', 'three four five six']) {
      const found = await documentIdsFound(query);
      expect(found.filter((documentId) => failedIds.includes(documentId))).toEqual([]);
    }
    // Never a crashed worker: a good document uploaded afterwards still completes.
    expect(context().workerAlive()).toBe(true);
    const after = await upload({
      name: 'after.txt',
      mime: 'text/plain',
      bytes: 'The heron rollout resumed.',
    });
    expect((await finalJob(after.body.jobId)).state).toBe('completed');
    expect(await documentIdsFound('heron')).toContain(after.body.documentId);
  }, 120_000);

  it('lets a delete win over a running ingestion: nothing of the document stays searchable', async () => {
    const { server, key } = context();
    const created = await upload({
      name: 'gone.pdf',
      mime: 'application/pdf',
      bytes: await makeScannedPdf([['The ibis budget', 'is confidential']]),
    });
    expect(created.status).toBe(202);
    expect(
      (await server.request('DELETE', `/v1/documents/${created.body.documentId}`, { token: key })).status,
    ).toBe(200);
    const job = await finalJob(created.body.jobId);
    if (job.state === 'failed') expect(job.error?.code).toBe('DOCUMENT_DELETED');
    expect(
      (await server.request('GET', `/v1/documents/${created.body.documentId}`, { token: key })).status,
    ).toBe(404);
    expect(await documentIdsFound('ibis budget confidential')).not.toContain(created.body.documentId);
  }, 120_000);
}

describe('documents over HTTP, embedded configuration (memory queue, SQLite, LanceDB, workers in process)', () => {
  let server: ServerUnderTest;
  let key: string;
  let optimize: jest.SpyInstance;

  beforeAll(async () => {
    server = await startServer({ ...DOCUMENT_ENVIRONMENT, INDEX_OPTIMIZE_WINDOW_MS: '300' });
    const store = server.app.get<MaintainableVectorStore>(VECTOR_STORE);
    optimize = jest.spyOn(store, 'optimize');
    key = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'docs' } }))
      .body.apiKey;
  }, 30_000);

  afterAll(async () => {
    await server?.close();
  }, 30_000);

  documentScenarios(() => ({ server, key, workerAlive: () => true }));

  it('optimizes the LanceDB index in a debounced background job after ingestion, never on the request path', async () => {
    // The scenarios above ingested many documents: their optimize requests became few jobs.
    await waitFor(() => optimize.mock.calls.length > 0, { timeoutMs: 30_000, message: 'retrieval.optimize' });
    const runs = optimize.mock.calls.length;
    const created = await server.request('POST', '/v1/documents', {
      token: key,
      body: { text: 'The kestrel index is rebuilt in the background.' },
    });
    expect(created.status).toBe(202);
    await waitFor(() => optimize.mock.calls.length > runs, {
      timeoutMs: 30_000,
      message: 'a later optimize',
    });
    const report = await optimize.mock.results.at(-1)!.value;
    expect(report.rows).toBeGreaterThan(0);
    const search = await server.request('POST', '/v1/search', {
      token: key,
      body: { query: 'kestrel', mode: 'hybrid', topK: 3 },
    });
    expect(search.body.results[0].documentId).toBe(created.body.documentId);
  }, 60_000);
});

describeWithRedisAndPostgres(
  'documents over HTTP, production configuration: api here, worker in another process (BullMQ, Redis, PostgreSQL)',
  () => {
    let database: ThrowawayDatabase;
    let dataDir: string;
    let worker: ChildProcess;
    let server: ServerUnderTest;
    let key: string;
    let workerOutput = '';

    beforeAll(async () => {
      if (!existsSync(builtMain))
        throw new Error('build the server first: npm run build -w @ai-scale/server');
      database = await createThrowawayPostgresDatabase('server_docs');
      dataDir = mkdtempSync(path.join(tmpdir(), 'ai-scale-docs-'));
      const environment = {
        ...DOCUMENT_ENVIRONMENT,
        QUEUE_DRIVER: 'bullmq',
        CACHE_DRIVER: 'redis',
        REDIS_URL: redisUrl(),
        DATABASE_URL: database.url,
        QUEUE_PREFIX: uniqueName('srvdocq'),
        CACHE_PREFIX: uniqueName('srvdocc'),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        LANCE_CPU_THREADS: '2',
      };
      server = await startServer({ ...environment, ROLE: 'api' });
      worker = spawn(process.execPath, [builtMain], {
        env: {
          PATH: process.env.PATH,
          ...environment,
          ROLE: 'worker',
          PORT: '0',
          HOST: '127.0.0.1',
          SCARF_ANALYTICS: 'false',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      worker.stdout?.on('data', (chunk) => (workerOutput += String(chunk)));
      worker.stderr?.on('data', (chunk) => (workerOutput += String(chunk)));
      await waitFor(() => workerOutput.includes('listening'), {
        timeoutMs: 20_000,
        message: 'the worker process to start',
      });
      key = (
        await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'docs' } })
      ).body.apiKey;
    }, 60_000);

    afterAll(async () => {
      if (worker && worker.exitCode === null && worker.signalCode === null) {
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.kill('SIGTERM');
        await exited;
      }
      await server?.close();
      await database?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }, 30_000);

    documentScenarios(() => ({
      server,
      key,
      workerAlive: () => worker.exitCode === null && worker.signalCode === null,
    }));
  },
);
