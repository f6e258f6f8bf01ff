import { LocalEmbedder } from '../../embedders/local-embedder';
import { FakeHttpServer, startFakeEmbeddingsServer } from '../../testing';
import { OpenAiCompatibleEmbedder } from './openai-compatible-embedder';

describe('OpenAiCompatibleEmbedder over real HTTP against a local fake OpenAI embeddings server', () => {
  let server: FakeHttpServer;
  beforeAll(async () => {
    server = await startFakeEmbeddingsServer({ dimensions: 16 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
  });
  const make = (overrides: Partial<ConstructorParameters<typeof OpenAiCompatibleEmbedder>[0]> = {}) =>
    new OpenAiCompatibleEmbedder({
      baseUrl: `${server.url}/v1/`,
      model: 'fake-embed',
      dimensions: 16,
      apiKey: 'sk-test',
      batchSize: 3,
      initialBackoffMs: 1,
      random: () => 0,
      ...overrides,
    });

  it('batches, keeps input order and sends the model, key and float format', async () => {
    const texts = ['one', 'two', 'three', 'four', 'five', 'six', 'seven'];
    const vectors = await make().embed(texts);
    expect(vectors).toEqual(await new LocalEmbedder({ dimensions: 16 }).embed(texts));
    expect(server.requests.map((request) => (request.body as { input: string[] }).input.length)).toEqual([
      3, 3, 1,
    ]);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test');
    expect(server.requests[0]?.body).toMatchObject({ model: 'fake-embed', encoding_format: 'float' });
    expect(await make().embed([])).toEqual([]);
  });

  it('retries 429 and 5xx, honouring Retry-After', async () => {
    server.failNext(
      { status: 429, headers: { 'retry-after': '0' }, body: { error: 'slow down' } },
      { status: 503, body: {} },
    );
    const vectors = await make().embed(['retry me']);
    expect(vectors).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
  });

  it('fails fast on 4xx and after the retry budget, with typed errors', async () => {
    server.failNext({ status: 401, body: { error: 'bad key' } });
    await expect(make().embed(['x'])).rejects.toMatchObject({
      code: 'EMBEDDING_PROVIDER_FAILED',
      isRetryable: false,
      details: { status: 401 },
    });
    expect(server.requests).toHaveLength(1);
    server.failNext({ status: 500 }, { status: 500 }, { status: 500 });
    await expect(make({ maxRetries: 2 }).embed(['x'])).rejects.toMatchObject({
      code: 'EMBEDDING_PROVIDER_FAILED',
      isRetryable: true,
    });
  });

  it('rejects responses of the wrong shape, size or count', async () => {
    server.failNext({ status: 200, body: { data: [{ index: 0, embedding: [1, 2] }] } });
    await expect(make().embed(['x'])).rejects.toMatchObject({
      code: 'EMBEDDING_PROVIDER_FAILED',
      details: { expected: 16, actual: 2 },
    });
    server.failNext({ status: 200, body: { data: [] } });
    await expect(make().embed(['x'])).rejects.toMatchObject({ code: 'EMBEDDING_PROVIDER_FAILED' });
    server.failNext({ status: 200, body: { nope: true } });
    await expect(make().embed(['x'])).rejects.toMatchObject({ code: 'EMBEDDING_PROVIDER_FAILED' });
  });

  it('limits concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = await FakeHttpServer.start(async (request) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      const input = (request.body as { input: string[] }).input;
      return {
        status: 200,
        body: { data: input.map((_, index) => ({ index, embedding: new Array(16).fill(0.25) })) },
      };
    });
    try {
      await make({ baseUrl: slow.url, batchSize: 1, concurrency: 2 }).embed(
        Array.from({ length: 8 }, (_, i) => `t${i}`),
      );
      expect(peak).toBe(2);
    } finally {
      await slow.close();
    }
  });
});
