import { chunkText, duplicateChunks, type Workload } from './retrieval-workload';

describe('retrieval workload', () => {
  const workload: Workload = {
    documents: [],
    queries: [],
    sentences: Array.from({ length: 100 }, (_, i) => `sentence number ${i} of the set`),
  };

  it('makes distinct chunk texts well past six windows per sentence', () => {
    // 6 consecutive-window blocks, then strided blocks: 2,000 chunks from 100 sentences.
    expect(duplicateChunks(workload, 2_000)).toBe(0);
  });

  it('starts strided windows at two sentences (one sentence repeats whatever the stride)', () => {
    expect(chunkText(workload, 0)).toBe('sentence number 0 of the set');
    expect(chunkText(workload, 600)).toBe('sentence number 0 of the set . sentence number 2 of the set');
    expect(chunkText(workload, 599).split(' . ')).toHaveLength(6);
  });
});
