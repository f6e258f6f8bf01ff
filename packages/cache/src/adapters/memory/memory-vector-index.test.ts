import { MemoryVectorIndex } from './memory-vector-index';

describe('MemoryVectorIndex', () => {
  it('returns the nearest items of the queried partition only, best first', async () => {
    const index = new MemoryVectorIndex({ dimensions: 2 });
    await index.upsert('a', [
      { id: 'x', vector: [1, 0], payload: 'x' },
      { id: 'y', vector: [0.7, 0.7], payload: 'y' },
      { id: 'z', vector: [0, 1], payload: 'z' },
    ]);
    await index.upsert('b', [{ id: 'x', vector: [1, 0], payload: 'other partition' }]);
    const matches = await index.query('a', [1, 0.1], 2);
    expect(matches.map((match) => match.payload)).toEqual(['x', 'y']);
    expect(matches[0]!.similarity).toBeCloseTo(0.995, 3);
    expect(await index.query('c', [1, 0], 5)).toEqual([]);
  });

  it('replaces on upsert, deletes, and evicts the oldest items beyond its bound', async () => {
    const index = new MemoryVectorIndex({ dimensions: 2, maxItemsPerPartition: 3 });
    for (const id of ['1', '2', '3']) await index.upsert('p', [{ id, vector: [1, Number(id)], payload: id }]);
    await index.upsert('p', [{ id: '1', vector: [1, 1], payload: 'one again' }]);
    await index.delete('p', ['2']);
    await index.upsert('p', [{ id: '4', vector: [1, 4], payload: '4' }]);
    await index.upsert('p', [{ id: '5', vector: [1, 5], payload: '5' }]);
    const ids = (await index.query('p', [1, 1], 10)).map((match) => match.id).sort();
    expect(ids).toEqual(['3', '4', '5']);
    expect(await index.deletePartitionsByPrefix('p')).toBe(3);
  });

  it('rejects vectors of the wrong dimension', async () => {
    const index = new MemoryVectorIndex({ dimensions: 3 });
    await expect(index.upsert('p', [{ id: 'a', vector: [1, 0], payload: null }])).rejects.toMatchObject({
      code: 'CACHE_EMBEDDING_DIMENSION_MISMATCH',
    });
    await expect(index.query('p', [1], 1)).rejects.toMatchObject({
      code: 'CACHE_EMBEDDING_DIMENSION_MISMATCH',
    });
  });
});
