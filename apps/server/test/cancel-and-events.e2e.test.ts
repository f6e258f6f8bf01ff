import { waitFor } from '@ai-scale/testkit';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-cancel-events';

/** Reads an SSE response to its end (the server closes run and job streams after their last event). */
async function readEvents(
  server: ServerUnderTest,
  path: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<EventSourceMessage[]> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers },
  });
  expect(response.status).toBe(200);
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
  }
  return events;
}

describe('cancellation and progress on the embedded configuration', () => {
  let server: ServerUnderTest;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    server = await startServer({ ADMIN_TOKEN, VECTOR_STORE: 'memory', RATE_LIMIT_PER_MINUTE: '1000' });
    const a = await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'A' } });
    const b = await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'B' } });
    keyA = a.body.apiKey;
    keyB = b.body.apiKey;
  });
  afterAll(async () => {
    await server.close();
  });

  it('reports ingestion stages with numbered progress, and a finished job cannot be cancelled (409, tenant-scoped)', async () => {
    const created = await server.request('POST', '/v1/documents', {
      token: keyA,
      body: { title: 'Osprey', text: '# Osprey\n\nOsprey is the search rewrite. It ships in March.' },
    });
    expect(created.status).toBe(202);
    const jobId: string = created.body.jobId;
    await waitFor(
      async () =>
        (await server.request('GET', `/v1/jobs/${jobId}`, { token: keyA })).body.state === 'completed',
      { message: 'ingestion' },
    );
    const job = (await server.request('GET', `/v1/jobs/${jobId}`, { token: keyA })).body;
    // parsing, embedding started, embedding chunk n of n (one batch), indexing
    expect(job.progress).toMatchObject({ stage: 'indexing', percent: 90, seq: 4 });

    expect((await server.request('POST', `/v1/jobs/${jobId}/cancel`, { token: keyB })).status).toBe(404);
    const finished = await server.request('POST', `/v1/jobs/${jobId}/cancel`, { token: keyA });
    expect(finished.status).toBe(409);
    expect(finished.body.error).toMatchObject({ code: 'JOB_ALREADY_FINISHED', message: expect.any(String) });
    expect((await server.request('POST', '/v1/jobs/nope/cancel', { token: keyA })).status).toBe(404);
  });

  it('streams an agent run step by step from the store, resumes after Last-Event-ID without duplicates, and refuses to cancel a finished run', async () => {
    const started = await server.request('POST', '/v1/agents/runs', {
      token: keyA,
      body: { agent: 'research', input: { question: 'What is Osprey?' } },
    });
    expect(started.status).toBe(202);
    const runId: string = started.body.runId;
    const all = await readEvents(server, `/v1/agents/runs/${runId}/events`, keyA);
    const steps = all.filter((event) => event.event === 'step');
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps.map((event) => event.id)).toEqual(steps.map((_event, index) => String(index + 1)));
    expect(JSON.parse(steps[0]!.data).summary).toMatchObject({ usage: expect.any(Object) });
    const end = all.at(-1)!;
    expect(end.event).toBe('end');
    expect(JSON.parse(end.data)).toMatchObject({ runId, status: 'succeeded' });

    const resumed = await readEvents(server, `/v1/agents/runs/${runId}/events`, keyA, {
      'last-event-id': '1',
    });
    expect(resumed.filter((event) => event.event === 'step').map((event) => event.id)).toEqual(
      steps.slice(1).map((event) => event.id),
    );

    expect((await server.request('GET', `/v1/agents/runs/${runId}/events`, { token: keyB })).status).toBe(
      404,
    );
    expect((await server.request('POST', `/v1/agents/runs/${runId}/cancel`, { token: keyB })).status).toBe(
      404,
    );
    const finished = await server.request('POST', `/v1/agents/runs/${runId}/cancel`, { token: keyA });
    expect(finished.status).toBe(409);
    expect(finished.body.error.code).toBe('RUN_ALREADY_FINISHED');
  });
});
