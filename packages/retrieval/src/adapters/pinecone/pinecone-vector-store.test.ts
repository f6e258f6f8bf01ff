import {
  CONTRACT_DIMENSIONS,
  startFakePineconeServer,
  vectorStoreContract,
  type FakeHttpServer,
} from '../../testing';
import { PineconeVectorStore } from './pinecone-vector-store';

let server: FakeHttpServer | undefined;

describe('PineconeVectorStore: official client against a local fake Pinecone data plane', () => {
  vectorStoreContract(
    { describe, it, beforeEach, afterEach },
    expect,
    async () => {
      server = await startFakePineconeServer({ dimensions: CONTRACT_DIMENSIONS, apiKey: 'pc-test' });
      return new PineconeVectorStore({
        apiKey: 'pc-test',
        indexHost: server.url,
        dimensions: CONTRACT_DIMENSIONS,
        maxRetries: 0,
      });
    },
    { keyword: false },
    async () => {
      await server?.close();
    },
  );

  it('puts each tenant in its own namespace and sends the key', async () => {
    const fake = await startFakePineconeServer({ dimensions: 2 });
    try {
      const store = new PineconeVectorStore({ apiKey: 'k', indexHost: fake.url, dimensions: 2 });
      await store.upsert('acme', [
        { id: 'c1', documentId: 'd', ordinal: 0, contentHash: 'h', text: 't', vector: [1, 0], metadata: {} },
      ]);
      await store.search('acme', {
        mode: 'vector',
        vector: [1, 0],
        topK: 1,
        filter: { field: 'documentId', op: 'eq', value: 'd' },
      });
      const upsert = fake.requests.find((request) => request.path.startsWith('/vectors/upsert'));
      expect(upsert?.body).toMatchObject({ namespace: 'acme' });
      expect(upsert?.headers['api-key']).toBe('k');
      const query = fake.requests.find((request) => request.path === '/query');
      expect(query?.body).toMatchObject({ namespace: 'acme', filter: { __ais_document_id: { $eq: 'd' } } });
      await expect(
        store.search('acme', {
          mode: 'vector',
          vector: [1, 0],
          topK: 1,
          filter: { field: 'name', op: 'range', gte: 'a' },
        }),
      ).rejects.toMatchObject({ code: 'INVALID_FILTER' });
      await expect(
        new PineconeVectorStore({
          apiKey: 'k',
          indexHost: 'http://127.0.0.1:1',
          dimensions: 2,
          maxRetries: 0,
        }).count('acme'),
      ).rejects.toMatchObject({ code: 'VECTOR_STORE_UNAVAILABLE' });
    } finally {
      await fake.close();
    }
  });
});
