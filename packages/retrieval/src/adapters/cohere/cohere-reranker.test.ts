import { startFakeRerankServer, type FakeHttpServer } from '../../testing';
import { CohereReranker } from './cohere-reranker';

describe('CohereReranker over real HTTP against a local fake Cohere rerank server', () => {
  let server: FakeHttpServer;
  beforeAll(async () => {
    server = await startFakeRerankServer();
  });
  afterAll(() => server.close());

  it('sends the query and documents and maps results back to candidate indexes', async () => {
    const reranker = new CohereReranker({
      baseUrl: server.url,
      model: 'rerank-v3.5',
      apiKey: 'key',
      initialBackoffMs: 1,
    });
    const items = await reranker.rerank({
      query: 'shock wave',
      candidates: [
        { text: 'laminar flow', score: 3 },
        { text: 'a shock wave hits a plate', score: 2 },
        { text: 'wave drag', score: 1 },
      ],
      topK: 2,
    });
    expect(items.map((item) => item.index)).toEqual([1, 2]);
    expect(server.requests.at(-1)?.body).toMatchObject({
      model: 'rerank-v3.5',
      query: 'shock wave',
      top_n: 2,
      return_documents: false,
    });
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer key');
  });

  it('retries a 429 and rejects invalid indexes with a typed error', async () => {
    const reranker = new CohereReranker({
      baseUrl: server.url,
      model: 'm',
      initialBackoffMs: 1,
      random: () => 0,
    });
    server.failNext({ status: 429, headers: { 'retry-after': '0' } });
    expect(
      await reranker.rerank({ query: 'a', candidates: [{ text: 'a', score: 1 }], topK: 1 }),
    ).toHaveLength(1);
    server.failNext({ status: 200, body: { results: [{ index: 7, relevance_score: 1 }] } });
    await expect(
      reranker.rerank({ query: 'a', candidates: [{ text: 'a', score: 1 }], topK: 1 }),
    ).rejects.toMatchObject({
      code: 'RERANKER_PROVIDER_FAILED',
    });
  });
});
