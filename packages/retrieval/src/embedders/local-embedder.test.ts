import { LocalEmbedder } from './local-embedder';

const cosine = (a: number[], b: number[]): number =>
  a.reduce((sum, value, i) => sum + value * (b[i] as number), 0);

describe('LocalEmbedder', () => {
  const embedder = new LocalEmbedder();

  it('is deterministic, L2-normalized and of the declared size', async () => {
    const [first, second] = await embedder.embed([
      'Heat transfer in laminar flow',
      'Heat transfer in laminar flow',
    ]);
    expect(first).toEqual(second);
    expect(first).toHaveLength(384);
    expect(Math.abs(cosine(first as number[], first as number[]) - 1)).toBeLessThan(1e-9);
    expect(await embedder.embed([])).toEqual([]);
  });

  it('ranks lexical overlap (stems, word fragments) above unrelated text', async () => {
    const [query, related, inflected, unrelated] = await embedder.embed([
      'boundary layer transition',
      'transition of the boundary layer on a cone',
      'boundary layers transitioning',
      'stock market prices fell',
    ]);
    expect(cosine(query as number[], related as number[])).toBeGreaterThan(0.5);
    expect(cosine(query as number[], inflected as number[])).toBeGreaterThan(0.5);
    expect(Math.abs(cosine(query as number[], unrelated as number[]))).toBeLessThan(0.2);
  });

  it('knows no synonyms (documented limitation)', async () => {
    const [car, automobile] = await embedder.embed(['car', 'automobile']);
    expect(Math.abs(cosine(car as number[], automobile as number[]))).toBeLessThan(0.3);
  });

  it('names its settings in its id so caches never mix vector spaces', () => {
    expect(new LocalEmbedder({ dimensions: 256 }).id).not.toBe(embedder.id);
  });
});
