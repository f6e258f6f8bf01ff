import { seededRandom } from '../../testing';
import { MirrorPartition } from './mirror-partition';

const DIMENSIONS = 32;

function unit(values: number[]): Float32Array {
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
  return Float32Array.from(values, (value) => value / norm);
}

/** Clustered data (as questions are): 40 centres, points scattered around them. */
function dataset(count: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: 40 }, () => Array.from({ length: DIMENSIONS }, gaussian));
  return Array.from({ length: count }, (_, index) =>
    unit((centres[index % centres.length] as number[]).map((value) => value + 0.35 * gaussian())),
  );
}

function open(options: Partial<ConstructorParameters<typeof MirrorPartition>[1]> = {}): MirrorPartition {
  return new MirrorPartition(DIMENSIONS, { exactScanBelow: 50, maxItems: 100_000, seed: 7, ...options });
}

describe('MirrorPartition (HNSW mirror of a RedisVectorIndex partition)', () => {
  const far = Number.MAX_SAFE_INTEGER;

  it('finds what the exact scan finds on clustered data (recall@1 ≥ 0.95 with the default beam)', () => {
    const vectors = dataset(3000, 1);
    const mirror = open();
    vectors.forEach((vector, index) => mirror.upsert(`v${index}`, vector, index, far));
    const random = seededRandom(2);
    let agree = 0;
    const queries = 300;
    for (let query = 0; query < queries; query++) {
      const base = vectors[Math.floor(random() * vectors.length)] as Float32Array;
      const probe = unit(Array.from(base, (value) => value + 0.05 * (random() - 0.5)));
      const approximate = mirror.query(probe, 4, 0);
      const exact = mirror.query(probe, 4, 0, true);
      expect(exact).toHaveLength(4);
      if (approximate[0]?.id === exact[0]?.id) agree++;
      // Best first, and never better than the exact best.
      expect(approximate.map((match) => match.similarity)).toEqual(
        [...approximate.map((match) => match.similarity)].sort((a, b) => b - a),
      );
      expect(approximate[0]?.similarity ?? 0).toBeLessThanOrEqual((exact[0]?.similarity ?? 0) + 1e-6);
    }
    expect(agree / queries).toBeGreaterThanOrEqual(0.95);
  });

  it('reaches a small new topic inserted after a large one (every exact duplicate is found)', () => {
    const mirror = open({ m: 8 });
    dataset(4000, 8).forEach((vector, index) => mirror.upsert(`old${index}`, vector, index, far));
    // A new, tight topic: 40 near-identical questions around a centre none of the others is near.
    const random = seededRandom(9);
    const centre = Array.from({ length: DIMENSIONS }, () => random() - 0.5);
    const topic = Array.from({ length: 40 }, () =>
      unit(centre.map((value) => value + 0.02 * (random() - 0.5))),
    );
    topic.forEach((vector, index) => mirror.upsert(`new${index}`, vector, index, far));
    const found = topic.filter((vector, index) => mirror.query(vector, 4, 0)[0]?.id === `new${index}`);
    expect(found).toHaveLength(topic.length);
  });

  it('never returns a deleted, replaced or expired item, and rebuilds when tombstones outnumber live items', () => {
    const vectors = dataset(3000, 3);
    const mirror = open();
    vectors.forEach((vector, index) => mirror.upsert(`v${index}`, vector, index, index < 100 ? 10 : far));
    for (let index = 0; index < 2000; index++) mirror.remove(`v${index}`);
    expect(mirror.size).toBe(1000);
    // Replacing moves the item: its old position must not answer any more.
    mirror.upsert('v2500', vectors[5] as Float32Array, 'moved', far);
    for (let query = 0; query < 100; query++) {
      const probe = vectors[query * 7] as Float32Array;
      for (const match of mirror.query(probe, 10, 20)) {
        expect(Number(match.id.slice(1))).toBeGreaterThanOrEqual(2000);
      }
    }
    expect(mirror.query(vectors[5] as Float32Array, 1, 20)[0]).toMatchObject({
      id: 'v2500',
      payload: 'moved',
    });
    expect(mirror.sweep(20)).toBe(0); // the expired ones were among the deleted
  });

  it('drops items past their deadline from results and on sweep', () => {
    const mirror = open();
    dataset(100, 4).forEach((vector, index) =>
      mirror.upsert(`v${index}`, vector, index, index < 60 ? 1000 : 2000),
    );
    expect(
      mirror
        .query(unit(new Array(DIMENSIONS).fill(1)), 100, 1500)
        .every((match) => Number(match.id.slice(1)) >= 60),
    ).toBe(true);
    expect(mirror.sweep(1500)).toBe(60);
    expect(mirror.size).toBe(40);
  });

  it('keeps at most maxItems, dropping the earliest deadlines', () => {
    const mirror = open({ maxItems: 10 });
    dataset(30, 5).forEach((vector, index) => mirror.upsert(`v${index}`, vector, index, 1000 + index));
    expect(mirror.size).toBe(10);
    expect(mirror.has('v19')).toBe(false);
    expect(mirror.has('v20')).toBe(true);
  });

  it('answers a bulk load exactly until it is linked, then through the graph', () => {
    const vectors = dataset(600, 6);
    const mirror = open();
    vectors.forEach((vector, index) => mirror.upsert(`v${index}`, vector, index, far, true));
    expect(mirror.unlinked).toBe(600);
    const probe = vectors[123] as Float32Array;
    expect(mirror.query(probe, 3, 0)).toEqual(mirror.query(probe, 3, 0, true));
    mirror.upsert('late', vectors[200] as Float32Array, 'late', far);
    expect(mirror.unlinked).toBe(601);
    while (mirror.unlinked > 0) mirror.linkPending(50);
    expect(mirror.query(probe, 1, 0)[0]?.id).toBe('v123');
    expect(
      mirror
        .query(vectors[200] as Float32Array, 2, 0)
        .map((match) => match.id)
        .sort(),
    ).toEqual(['late', 'v200']);
  });
});
