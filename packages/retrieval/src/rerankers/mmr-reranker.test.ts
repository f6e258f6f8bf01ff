import { MmrReranker } from './mmr-reranker';

describe('MmrReranker', () => {
  it('demotes near-duplicates of what is already picked', async () => {
    const candidates = [
      { text: 'a', score: 3, vector: [1, 0, 0] },
      { text: 'a copy', score: 2, vector: [0.99, 0.14, 0] },
      { text: 'b', score: 1, vector: [0.6, 0, 0.8] },
    ];
    const diverse = await new MmrReranker({ lambda: 0.5 }).rerank({
      query: 'q',
      queryVector: [1, 0, 0],
      candidates,
      topK: 3,
    });
    expect(diverse.map((item) => item.index)).toEqual([0, 2, 1]);
    const relevant = await new MmrReranker({ lambda: 1 }).rerank({
      query: 'q',
      queryVector: [1, 0, 0],
      candidates,
      topK: 2,
    });
    expect(relevant.map((item) => item.index)).toEqual([0, 1]);
  });

  it('needs vectors', async () => {
    await expect(
      new MmrReranker().rerank({ query: 'q', candidates: [{ text: 'a', score: 1 }], topK: 1 }),
    ).rejects.toMatchObject({
      code: 'INVALID_RETRIEVAL_REQUEST',
    });
  });
});
