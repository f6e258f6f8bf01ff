import { vectorIndexContract } from '../../testing';
import { MemoryVectorIndex } from './memory-vector-index';

vectorIndexContract({ describe, it, afterEach }, async (dimensions) => new MemoryVectorIndex({ dimensions }));

describe('MemoryVectorIndex bound', () => {
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
});
