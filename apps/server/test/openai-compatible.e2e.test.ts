import { waitFor } from '@ai-scale/testkit';
import { type FakeOpenAiServer, startFakeOpenAiServer } from '@ai-scale/llm-gateway/testing';
import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-openai-tests-00';

/**
 * LLM_PROVIDERS=openai-compatible and EMBEDDINGS=openai-compatible through the real HTTP clients,
 * against a local server that speaks the OpenAI protocol (no network): answers, pricing, and the
 * fallback to the extractive provider when the primary fails.
 */
describe('OpenAI-compatible provider and embeddings, against a local OpenAI-protocol server', () => {
  let fake: FakeOpenAiServer;
  let server: ServerUnderTest;
  let apiKey: string;

  beforeAll(async () => {
    fake = await startFakeOpenAiServer({ embeddingDimensions: 64 });
    server = await startServer({
      ADMIN_TOKEN,
      VECTOR_STORE: 'memory',
      LLM_PROVIDERS: 'openai-compatible:gpt-4o-mini,extractive',
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'sk-local-test',
      EMBEDDINGS: 'openai-compatible',
      EMBEDDINGS_BASE_URL: fake.url,
      EMBEDDINGS_MODEL: 'text-embedding-3-small',
      EMBEDDINGS_DIMENSIONS: '64',
    });
    apiKey = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'A' } }))
      .body.apiKey;
    const created = await server.request('POST', '/v1/documents', {
      token: apiKey,
      body: { text: 'Kestrel is the name of the search cluster in region eu-west.' },
    });
    await waitFor(async () => {
      const job = await server.request('GET', `/v1/jobs/${created.body.jobId}`, { token: apiKey });
      return job.body.state === 'completed';
    });
  });

  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  it('embeds through the embeddings endpoint and answers through chat completions, priced', async () => {
    expect(fake.stats.embeddings).toBeGreaterThan(0);
    const response = await server.request('POST', '/v1/chat', {
      token: apiKey,
      body: { message: 'What is Kestrel?' },
    });
    expect(response.status).toBe(200);
    expect(response.body.answer).toContain('gpt-4o-mini');
    expect(response.body.usage.promptTokens).toBeGreaterThan(0);
    expect(response.body.usage.costUsd).toBeGreaterThan(0);
    const sent = JSON.stringify(fake.lastChatRequest());
    expect(sent).toContain('Kestrel is the name of the search cluster');
  });

  it('stops serving a cached answer when a document it was given is deleted, though the model cited nothing', async () => {
    const created = await server.request('POST', '/v1/documents', {
      token: apiKey,
      body: {
        title: 'Plover',
        text: 'Plover is the billing service; it closes invoices on the first of the month.',
      },
    });
    await waitFor(async () => {
      const job = await server.request('GET', `/v1/jobs/${created.body.jobId}`, { token: apiKey });
      return job.body.state === 'completed';
    });
    const question = { message: 'When does Plover close invoices?' };
    const first = await server.request('POST', '/v1/chat', { token: apiKey, body: question });
    expect(first.body.citations).toEqual([]); // an OpenAI-style model reports no citations
    expect((await server.request('POST', '/v1/chat', { token: apiKey, body: question })).body.cache).toBe(
      'exact',
    );
    await server.request('DELETE', `/v1/documents/${created.body.documentId}`, { token: apiKey });
    const after = await server.request('POST', '/v1/chat', { token: apiKey, body: question });
    expect(after.body.cache).toBeNull();
    expect(JSON.stringify(fake.lastChatRequest())).not.toContain('closes invoices on the first');
  });

  it('falls back to the next provider when the primary keeps failing', async () => {
    fake.injectFaults(Array.from({ length: 10 }, () => 'server_error' as const));
    const response = await server.request('POST', '/v1/chat', {
      token: apiKey,
      body: { message: 'Where does Kestrel run?' },
    });
    expect(response.status).toBe(200);
    expect(response.body.answer).toContain('eu-west');
    expect(response.body.usage.costUsd).toBe(0);
  });
});
