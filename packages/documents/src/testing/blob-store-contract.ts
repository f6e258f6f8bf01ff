import type { BlobStore } from '../ports/blob-store';

interface TestFunctions {
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: () => Promise<void>) => void;
}

/** The contract every `BlobStore` adapter meets. */
export function blobStoreContract(
  test: TestFunctions,
  createStore: () => Promise<BlobStore> | BlobStore,
): void {
  const { describe, it } = test;
  describe('BlobStore contract', () => {
    it('returns what was put, byte for byte, and null for a missing key', async () => {
      const store = await createStore();
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      await store.put('tenant-a/doc-1/original', bytes);
      expect(await store.get('tenant-a/doc-1/original')).toEqual(bytes);
      expect(await store.get('tenant-a/doc-2/original')).toBeNull();
    });

    it('overwrites on put and forgets on delete (deleting twice is fine)', async () => {
      const store = await createStore();
      await store.put('k/1', new Uint8Array([1]));
      await store.put('k/1', new Uint8Array([2, 3]));
      expect(await store.get('k/1')).toEqual(new Uint8Array([2, 3]));
      await store.delete('k/1');
      await store.delete('k/1');
      expect(await store.get('k/1')).toBeNull();
    });

    it('keeps its own copy: mutating the caller buffer after put changes nothing', async () => {
      const store = await createStore();
      const bytes = new Uint8Array([7, 7, 7]);
      await store.put('copy/1', bytes);
      bytes.fill(0);
      expect(await store.get('copy/1')).toEqual(new Uint8Array([7, 7, 7]));
    });
  });
}
