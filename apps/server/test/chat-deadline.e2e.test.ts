import { waitFor } from '@ai-scale/testkit';
import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-deadline-tests';

/** `mode: sync` past CHAT_SYNC_DEADLINE_MS: 202 {jobId} at once, and the answer arrives in the job. */
describe('chat sync past its deadline', () => {
  let server: ServerUnderTest;
  let apiKey: string;

  beforeAll(async () => {
    server = await startServer({ ADMIN_TOKEN, VECTOR_STORE: 'memory', CHAT_SYNC_DEADLINE_MS: '0' });
    apiKey = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'A' } }))
      .body.apiKey;
  });

  afterAll(async () => {
    await server.close();
  });

  it('returns 202 {jobId}; the job result is the answer object', async () => {
    const response = await server.request('POST', '/v1/chat', {
      token: apiKey,
      body: { message: 'Anything there?' },
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ jobId: expect.any(String) });
    let job: { state: string; result: unknown } | undefined;
    await waitFor(async () => {
      job = (await server.request('GET', `/v1/jobs/${response.body.jobId}`, { token: apiKey })).body;
      return job?.state === 'completed';
    });
    expect(job?.result).toEqual({
      answer: expect.any(String),
      citations: [],
      usage: { promptTokens: expect.any(Number), completionTokens: expect.any(Number), costUsd: 0 },
      cache: null,
      conversationId: expect.any(String),
    });
  });

  it('an unknown model is a 400 naming it, not a 500', async () => {
    const response = await server.request('POST', '/v1/chat', {
      token: apiKey,
      body: { message: 'hi', model: 'no-such-model', mode: 'stream' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('no-such-model');
  });
});
