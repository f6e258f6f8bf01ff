import assert from 'node:assert/strict';
import { AiScaleError } from '@ai-scale/errors';
import type { VectorIndex } from '../index';
import { eventually } from './deferred';
import type { ContractTestFunctions } from './key-value-cache-contract';
import { seededRandom } from './random';

/** Optional parts of the contract an adapter opts into, declared once. */
export interface VectorIndexContractOptions {
  /**
   * A second index over the same data, as another replica (process) would open it. The suite then
   * checks that upserts, deletes and prefix deletes of one reach the other (eventually, within 5 s).
   */
  readonly createSibling?: (index: VectorIndex, dimensions: number) => Promise<VectorIndex>;
}

/**
 * The contract of `VectorIndex`: partitions are isolated (the tenant boundary of the semantic cache),
 * results are sorted by cosine similarity and bounded by `topK`, upsert replaces, deletes work, and
 * a vector of the wrong length is refused. `create(dimensions)` returns a fresh, empty index. With
 * `options.createSibling`, the same holds across two instances sharing their data (replicas).
 */
export function vectorIndexContract(
  t: ContractTestFunctions,
  create: (dimensions: number) => Promise<VectorIndex>,
  options: VectorIndexContractOptions = {},
): void {
  const { describe, it } = t;
  const opened: VectorIndex[] = [];
  const open = async (dimensions = 3): Promise<VectorIndex> => {
    const index = await create(dimensions);
    opened.push(index);
    return index;
  };
  t.afterEach(async () => {
    await Promise.all(opened.splice(0).map((index) => index.close()));
  });
  const sibling = async (index: VectorIndex, dimensions = 3): Promise<VectorIndex> => {
    const other = await (options.createSibling as NonNullable<typeof options.createSibling>)(
      index,
      dimensions,
    );
    opened.push(other);
    return other;
  };
  const ids = async (index: VectorIndex, partition: string, vector: number[]): Promise<string[]> =>
    (await index.query(partition, vector, 10)).map((match) => match.id).sort();

  describe('VectorIndex contract', () => {
    it('returns the nearest items by cosine similarity, best first, at most topK, with payloads', async () => {
      const index = await open();
      await index.upsert('p', [
        { id: 'x', vector: [1, 0, 0], payload: { name: 'x' } },
        { id: 'xy', vector: [2, 2, 0], payload: { name: 'xy' } },
        { id: 'z', vector: [0, 0, 5], payload: { name: 'z' } },
      ]);
      const matches = await index.query('p', [1, 0.2, 0], 2);
      assert.deepEqual(
        matches.map((match) => match.id),
        ['x', 'xy'],
      );
      assert.deepEqual(matches[0]?.payload, { name: 'x' });
      assert.ok(Math.abs((matches[0]?.similarity ?? 0) - 1 / Math.sqrt(1.04)) < 1e-3);
      assert.ok((matches[0]?.similarity ?? 0) >= (matches[1]?.similarity ?? 0));
      assert.deepEqual(await index.query('empty', [1, 0, 0], 3), []);
    });

    it('never returns an item of another partition, even an identical one', async () => {
      const index = await open();
      await index.upsert('tenant-a/p', [{ id: 'same', vector: [1, 0, 0], payload: 'A' }]);
      await index.upsert('tenant-b/p', [{ id: 'same', vector: [1, 0, 0], payload: 'B' }]);
      await index.upsert('tenant-a/p2', [{ id: 'other', vector: [1, 0, 0], payload: 'A2' }]);
      assert.deepEqual(
        (await index.query('tenant-b/p', [1, 0, 0], 10)).map((match) => match.payload),
        ['B'],
      );
      assert.deepEqual(
        (await index.query('tenant-a/p', [1, 0, 0], 10)).map((match) => match.payload),
        ['A'],
      );
    });

    it('replaces on upsert of an existing id and deletes by id', async () => {
      const index = await open();
      await index.upsert('p', [
        { id: 'a', vector: [1, 0, 0], payload: 'old' },
        { id: 'b', vector: [0, 1, 0], payload: 'b' },
      ]);
      await index.upsert('p', [{ id: 'a', vector: [0, 0, 1], payload: 'new' }]);
      const matches = await index.query('p', [0, 0, 1], 10);
      assert.equal(matches.length, 2);
      assert.deepEqual(matches[0], { id: 'a', similarity: matches[0]?.similarity, payload: 'new' });
      await index.delete('p', ['a', 'unknown']);
      assert.deepEqual(
        (await index.query('p', [0, 0, 1], 10)).map((match) => match.id),
        ['b'],
      );
    });

    it('deletes every partition under a prefix, and only those', async () => {
      const index = await open();
      await index.upsert('t:a/1', [{ id: '1', vector: [1, 0, 0], payload: 1 }]);
      await index.upsert('t:a/2', [
        { id: '1', vector: [1, 0, 0], payload: 1 },
        { id: '2', vector: [0, 1, 0], payload: 2 },
      ]);
      await index.upsert('t:ab/1', [{ id: '1', vector: [1, 0, 0], payload: 'kept' }]);
      assert.equal(await index.deletePartitionsByPrefix('t:a/'), 3);
      assert.deepEqual(await index.query('t:a/2', [1, 0, 0], 5), []);
      assert.equal((await index.query('t:ab/1', [1, 0, 0], 5)).length, 1);
    });

    it('refuses vectors of the wrong dimension with EmbeddingDimensionMismatchError', async () => {
      const index = await open();
      const isMismatch = (error: unknown): boolean =>
        AiScaleError.isInstance(error) && error.code === 'CACHE_EMBEDDING_DIMENSION_MISMATCH';
      await assert.rejects(index.upsert('p', [{ id: 'a', vector: [1, 0], payload: null }]), isMismatch);
      await assert.rejects(index.query('p', [1, 0, 0, 0], 1), isMismatch);
    });

    it('keeps look-alike partitions apart (randomized names and identical vectors)', async () => {
      const index = await open();
      const random = seededRandom(20261202);
      const names = ['a', 'A', 'a ', ' a', 'a/b', 'a:b', 'a|b', 'a%2Fb', 'ä', '*', 'a*', 'a?', '{a}'];
      const expected = new Map<string, Set<string>>();
      for (let round = 0; round < 60; round++) {
        const partition = names[Math.floor(random() * names.length)] as string;
        const id = `id-${Math.floor(random() * 5)}`;
        await index.upsert(partition, [{ id, vector: [1, 0, 0], payload: partition }]);
        expected.set(partition, (expected.get(partition) ?? new Set()).add(id));
      }
      for (const partition of names) {
        const matches = await index.query(partition, [1, 0, 0], 10);
        assert.deepEqual(
          matches.map((match) => match.id).sort(),
          [...(expected.get(partition) ?? [])].sort(),
          `partition ${JSON.stringify(partition)}`,
        );
        assert.ok(matches.every((match) => match.payload === partition));
      }
    });

    if (options.createSibling !== undefined) {
      it('shares upserts, deletes and prefix deletes with another instance (replica)', async () => {
        const first = await open();
        const second = await sibling(first);
        await first.upsert('t:a/1', [
          { id: 'x', vector: [1, 0, 0], payload: 'x' },
          { id: 'y', vector: [0, 1, 0], payload: 'y' },
        ]);
        assert.deepEqual(await ids(second, 't:a/1', [1, 0, 0]), ['x', 'y']);
        // Now mirrored by the second: later changes must reach it without a reload.
        await first.upsert('t:a/1', [{ id: 'z', vector: [0, 0, 1], payload: 'z' }]);
        await eventually(async () => (await ids(second, 't:a/1', [0, 0, 1])).length === 3);
        await second.delete('t:a/1', ['x']);
        await eventually(async () => (await ids(first, 't:a/1', [1, 0, 0])).join() === 'y,z');
        await second.upsert('t:ab/1', [{ id: 'kept', vector: [1, 0, 0], payload: 'kept' }]);
        assert.equal(await first.deletePartitionsByPrefix('t:a/'), 2);
        await eventually(async () => (await ids(second, 't:a/1', [1, 0, 0])).length === 0);
        assert.deepEqual(await ids(first, 't:ab/1', [1, 0, 0]), ['kept']);
        assert.deepEqual(await ids(second, 't:ab/1', [1, 0, 0]), ['kept']);
      });
    }
  });
}
