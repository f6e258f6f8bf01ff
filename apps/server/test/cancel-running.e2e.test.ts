import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { describeWithRedisAndPostgres, waitFor } from '@ai-scale/testkit';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { type ApiAndWorker, startApiAndWorker } from './support/api-and-worker';
import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-cancel-running-runs';

/**
 * An OpenAI-protocol model that never answers: a run reaching its answer step stays there, in
 * flight, until cancelled. It records when each chat request arrives and when its connection is
 * closed by the caller (the abort reaching the HTTP client, in whichever process runs the run).
 */
interface HangingModel {
  readonly url: string;
  readonly opened: number;
  readonly closed: number;
  close(): Promise<void>;
}

async function startHangingModel(): Promise<HangingModel> {
  let opened = 0;
  let closed = 0;
  const server: Server = createServer((request, response) => {
    if (!request.url?.endsWith('/chat/completions')) {
      response.writeHead(404).end();
      return;
    }
    opened += 1;
    request.resume();
    response.on('close', () => (closed += 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get opened() {
      return opened;
    },
    get closed() {
      return closed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const modelEnvironment = (model: HangingModel): Record<string, string> => ({
  ADMIN_TOKEN,
  LLM_PROVIDERS: 'openai-compatible:gpt-4o-mini',
  OPENAI_BASE_URL: model.url,
  OPENAI_API_KEY: 'sk-local-test',
  RATE_LIMIT_PER_MINUTE: '1000',
});

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

/** Ingests a document, starts a research run and waits until its answer call hangs at the model. */
async function runStuckAtTheModel(server: ServerUnderTest, token: string, model: HangingModel) {
  const created = await server.request('POST', '/v1/documents', {
    token,
    body: {
      title: 'Plover',
      text: '# Plover\n\nPlover is the code name of the payments ledger. It settles nightly.',
    },
  });
  expect(created.status).toBe(202);
  await waitFor(
    async () =>
      (await server.request('GET', `/v1/jobs/${created.body.jobId}`, { token })).body.state === 'completed',
    { message: 'ingestion', timeoutMs: 30_000 },
  );
  const before = model.opened;
  const started = await server.request('POST', '/v1/agents/runs', {
    token,
    body: { agent: 'research', input: { question: 'What is Plover?' } },
  });
  expect(started.status).toBe(202);
  await waitFor(() => model.opened > before, {
    message: 'the answer call to reach the model',
    timeoutMs: 30_000,
  });
  return started.body.runId as string;
}

async function expectCancelledMidRun(
  server: ServerUnderTest,
  keyA: string,
  keyB: string,
  model: HangingModel,
) {
  const runId = await runStuckAtTheModel(server, keyA, model);
  const running = await server.request('GET', `/v1/agents/runs/${runId}`, { token: keyA });
  expect(running.body).toMatchObject({ status: 'running', stepCount: 2 });
  const closedBefore = model.closed;

  expect((await server.request('POST', `/v1/agents/runs/${runId}/cancel`, { token: keyB })).status).toBe(404);
  const cancelled = await server.request('POST', `/v1/agents/runs/${runId}/cancel`, { token: keyA });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body).toMatchObject({ status: 'cancelled', stopReason: 'cancelled', stepCount: 2 });
  // The in-flight model call is aborted: its connection to the model closes.
  await waitFor(() => model.closed > closedBefore, {
    message: 'the model call to be aborted',
    timeoutMs: 20_000,
  });
  const again = await server.request('POST', `/v1/agents/runs/${runId}/cancel`, { token: keyA });
  expect(again.status).toBe(200);
  expect(again.body.status).toBe('cancelled');

  // Final and consistent: it stays cancelled, with its two checkpointed steps, and never resumes.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = await server.request('GET', `/v1/agents/runs/${runId}`, { token: keyA });
  expect(after.body).toMatchObject({ status: 'cancelled', stepCount: 2 });
  expect(after.body.steps).toHaveLength(2);
  expect(
    (await server.request('POST', `/v1/agents/runs/${runId}/resume`, { token: keyA, body: { input: 'x' } }))
      .status,
  ).toBe(409);
  const events = await readEvents(server.baseUrl, `/v1/agents/runs/${runId}/events`, keyA);
  expect(events.at(-1)).toMatchObject({ event: 'end' });
  expect(JSON.parse(events.at(-1)!.data).status).toBe('cancelled');
}

describe('cancelling a running agent run (embedded configuration)', () => {
  let model: HangingModel;
  let server: ServerUnderTest;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    model = await startHangingModel();
    server = await startServer({ ...modelEnvironment(model), VECTOR_STORE: 'memory' });
    keyA = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'A' } }))
      .body.apiKey;
    keyB = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'B' } }))
      .body.apiKey;
  });
  afterAll(async () => {
    await server?.close();
    await model?.close();
  });

  it('aborts the in-flight model call and ends the run cancelled, idempotently, tenant-scoped', async () => {
    await expectCancelledMidRun(server, keyA, keyB, model);
  });
});

describeWithRedisAndPostgres(
  'cancelling and following runs on BullMQ + PostgreSQL with a separate worker process',
  () => {
    let model: HangingModel;
    let pair: ApiAndWorker;
    let secondApi: ServerUnderTest;
    let keyA: string;
    let keyB: string;

    beforeAll(async () => {
      model = await startHangingModel();
      pair = await startApiAndWorker('cancelrun', modelEnvironment(model));
      secondApi = await startServer({ ...pair.environment, ROLE: 'api' });
      const server = pair.server;
      keyA = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'A' } }))
        .body.apiKey;
      keyB = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'B' } }))
        .body.apiKey;
    }, 120_000);
    afterAll(async () => {
      await secondApi?.close();
      await pair?.stop();
      await model?.close();
    });

    it('aborts the model call in the worker process and ends the run cancelled', async () => {
      await expectCancelledMidRun(pair.server, keyA, keyB, model);
    });

    it('resumes a run stream on another api replica after Last-Event-ID, without duplicates', async () => {
      const runId = await runStuckAtTheModel(pair.server, keyA, model);
      const first = await readEvents(pair.server.baseUrl, `/v1/agents/runs/${runId}/events`, keyA, {
        until: (event) => event.event === 'step' && event.id === '1',
      });
      expect(first.filter((event) => event.event === 'step').map((event) => event.id)).toEqual(['1']);
      // The other replica serves the rest from the shared store: step 2, then (after the cancel) the end.
      const rest = readEvents(secondApi.baseUrl, `/v1/agents/runs/${runId}/events`, keyA, {
        lastEventId: '1',
      });
      await waitFor(
        async () =>
          (await secondApi.request('GET', `/v1/agents/runs/${runId}`, { token: keyA })).body.stepCount === 2,
        { message: 'step 2' },
      );
      expect(
        (await secondApi.request('POST', `/v1/agents/runs/${runId}/cancel`, { token: keyA })).status,
      ).toBe(200);
      const events = await rest;
      expect(events.filter((event) => event.event === 'step').map((event) => event.id)).toEqual(['2']);
      expect(events.at(-1)?.event).toBe('end');
      expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ runId, status: 'cancelled' });
    });
  },
);
