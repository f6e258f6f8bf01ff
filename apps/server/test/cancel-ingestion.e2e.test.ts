import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { describeWithRedisAndPostgres, waitFor } from '@ai-scale/testkit';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { type ApiAndWorker, startApiAndWorker } from './support/api-and-worker';
import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-cancel-ingestion-000';

/** An OpenAI-protocol embeddings endpoint that holds every request until `release()` drops them. */
async function startHangingEmbeddings() {
  let received = 0;
  let released = false;
  const server: Server = createServer((request, response) => {
    received += 1;
    request.resume();
    // After release, requests (the client's retries) are refused at once, non-retryably.
    if (released)
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"no"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    received: () => received,
    /** Holds requests again (after a release). */
    hold: () => {
      released = false;
    },
    /** Drops the held connections: the embedding call fails, so the handler reaches its end. */
    release: () => {
      released = true;
      server.closeAllConnections();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
type HangingEmbeddings = Awaited<ReturnType<typeof startHangingEmbeddings>>;

const environment = (embeddings: HangingEmbeddings): Record<string, string> => ({
  ADMIN_TOKEN,
  RATE_LIMIT_PER_MINUTE: '1000',
  EMBEDDINGS: 'openai-compatible',
  EMBEDDINGS_BASE_URL: embeddings.url,
  EMBEDDINGS_MODEL: 'text-embedding-3-small',
  EMBEDDINGS_DIMENSIONS: '64',
  OPENAI_API_KEY: 'sk-local-test',
});

async function expectIngestionCancelledMidWay(server: ServerUnderTest, embeddings: HangingEmbeddings) {
  const tenant = await server.request('POST', '/v1/admin/tenants', {
    token: ADMIN_TOKEN,
    body: { name: 'A' },
  });
  const other = await server.request('POST', '/v1/admin/tenants', {
    token: ADMIN_TOKEN,
    body: { name: 'B' },
  });
  const token: string = tenant.body.apiKey;
  const before = embeddings.received();
  const created = await server.request('POST', '/v1/documents', {
    token,
    body: { title: 'Petrel', text: '# Petrel\n\nPetrel is the storage tier. It replicates thrice.' },
  });
  expect(created.status).toBe(202);
  const jobId: string = created.body.jobId;
  await waitFor(() => embeddings.received() > before, { message: 'the embedding call', timeoutMs: 30_000 });
  const running = await server.request('GET', `/v1/jobs/${jobId}`, { token });
  expect(running.body).toMatchObject({ state: 'active', progress: { stage: 'embedding', percent: 50 } });

  expect(
    (await server.request('POST', `/v1/jobs/${jobId}/cancel`, { token: other.body.apiKey })).status,
  ).toBe(404);
  const cancelled = await server.request('POST', `/v1/jobs/${jobId}/cancel`, { token });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.state).toBe('cancelled');
  const again = await server.request('POST', `/v1/jobs/${jobId}/cancel`, { token });
  expect(again.status).toBe(200);
  expect(again.body.state).toBe('cancelled');

  // The handler (still waiting on the embedder) ends when the call fails: the document is failed for
  // good with the cancellation's code, nothing indexed, and the job is never retried.
  embeddings.release();
  await waitFor(
    async () =>
      (await server.request('GET', `/v1/documents/${created.body.documentId}`, { token })).body.status ===
      'failed',
    { message: 'the document to be failed', timeoutMs: 30_000 },
  );
  const document = await server.request('GET', `/v1/documents/${created.body.documentId}`, { token });
  expect(document.body).toMatchObject({ status: 'failed', chunkCount: 0 });
  expect(document.body.error).toContain('JOB_CANCELLED');
  expect((await server.request('GET', `/v1/jobs/${jobId}`, { token })).body).toMatchObject({
    state: 'cancelled',
    attempts: expect.any(Number),
  });
}

describe('cancelling a running ingestion (embedded configuration)', () => {
  let embeddings: HangingEmbeddings;
  let server: ServerUnderTest;
  beforeAll(async () => {
    embeddings = await startHangingEmbeddings();
    server = await startServer({ ...environment(embeddings), VECTOR_STORE: 'memory' });
  });
  afterAll(async () => {
    await server?.close();
    await embeddings?.close();
  });

  it('cancels it while it embeds: job cancelled, document failed with JOB_CANCELLED, nothing indexed', async () => {
    await expectIngestionCancelledMidWay(server, embeddings);
  }, 90_000);
});

/** Reads an SSE stream until `until` says stop (or the server ends it). */
async function readEvents(
  baseUrl: string,
  path: string,
  token: string,
  options: { lastEventId?: string; until?: (event: EventSourceMessage) => boolean } = {},
): Promise<EventSourceMessage[]> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}${path}`, {
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
    },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  const events: EventSourceMessage[] = [];
  let done = false;
  const parser = createParser({
    onEvent: (event) => {
      if (done) return;
      events.push(event);
      if (options.until?.(event)) done = true;
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (done) break;
    }
  } finally {
    controller.abort();
  }
  return events;
}

describeWithRedisAndPostgres(
  'cancelling a running ingestion on BullMQ with a separate worker process',
  () => {
    let embeddings: HangingEmbeddings;
    let pair: ApiAndWorker;
    let secondApi: ServerUnderTest;
    beforeAll(async () => {
      embeddings = await startHangingEmbeddings();
      pair = await startApiAndWorker('cancelingest', environment(embeddings));
      secondApi = await startServer({ ...pair.environment, ROLE: 'api' });
    }, 120_000);
    afterAll(async () => {
      await secondApi?.close();
      await pair?.stop();
      await embeddings?.close();
    });

    it('cancels it in the worker process while it embeds', async () => {
      await expectIngestionCancelledMidWay(pair.server, embeddings);
    }, 90_000);

    it('follows ingestion progress on one api replica and resumes on another with Last-Event-ID, without duplicates', async () => {
      const tenant = await pair.server.request('POST', '/v1/admin/tenants', {
        token: ADMIN_TOKEN,
        body: { name: 'C' },
      });
      const token: string = tenant.body.apiKey;
      embeddings.hold();
      const created = await pair.server.request('POST', '/v1/documents', {
        token,
        body: { title: 'Shearwater', text: '# Shearwater\n\nShearwater is the CDN. It caches for an hour.' },
      });
      const path = `/v1/jobs/${created.body.jobId}/events`;
      const atEmbedding = (event: EventSourceMessage): boolean =>
        (event.event === 'progress' && event.id === '2') ||
        (event.event === 'snapshot' && JSON.parse(event.data).progress?.seq === 2);
      // Replica 1: up to the `embedding` report (seq 2); the job then waits at the embedder.
      const first = await readEvents(pair.server.baseUrl, path, token, { until: atEmbedding });
      expect(first.filter((event) => event.id).every((event) => Number(event.id) <= 2)).toBe(true);
      // Replica 2, resumed after seq 2: the rest (cancelled, then the final snapshot), no progress <= 2 again.
      const rest = readEvents(secondApi.baseUrl, path, token, { lastEventId: '2' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const cancel = await secondApi.request('POST', `/v1/jobs/${created.body.jobId}/cancel`, { token });
      expect(cancel.status).toBe(200);
      const events = await rest;
      expect(events.filter((event) => event.event === 'progress' && Number(event.id) <= 2)).toEqual([]);
      expect(events.map((event) => event.event)).toContain('cancelled');
      expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ state: 'cancelled' });
      embeddings.release();
    }, 90_000);
  },
);
