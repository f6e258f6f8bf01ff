import type { BlobStore } from '../ports/blob-store';

interface TestFunctions {
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: () => Promise<void>) => void;
}

export interface BlobStoreContractOptions {
  /**
   * Size of the blob of the "large blob" case (default 1 MiB). An adapter that switches strategy
   * above some size (S3's multipart upload) sets it above that size so the switch is exercised.
   */
  readonly largeBlobBytes?: number;
  /**
   * Whether a key may also be the prefix "directory" of another (`a/b` and `a/b/c`), as in S3 and
   * a Map (default true). A filesystem cannot have a file and a directory of one name; the pipeline
   * never needs it (its keys are `<tenant>/<document>/<hash>/original` and `…/parsed.json`).
   */
  readonly keyAlsoPrefix?: boolean;
}

/**
 * The contract every `BlobStore` adapter meets: byte-exact round trips (empty and large blobs
 * included), `null` for a missing key, overwrite on `put`, idempotent `delete`, keys with `/` and
 * non-ASCII characters, independence from the caller's buffer, and concurrent writers of different
 * keys not disturbing each other. `createStore` returns a store over a fresh, empty namespace.
 */
export function blobStoreContract(
  test: TestFunctions,
  createStore: () => Promise<BlobStore> | BlobStore,
  options: BlobStoreContractOptions = {},
): void {
  const { describe, it } = test;
  const largeBlobBytes = options.largeBlobBytes ?? 2 ** 20;
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

    it('deletes a key that never existed without error', async () => {
      const store = await createStore();
      await store.delete('never/was');
      expect(await store.get('never/was')).toBeNull();
    });

    it('keeps its own copy: mutating the caller buffer after put changes nothing', async () => {
      const store = await createStore();
      const bytes = new Uint8Array([7, 7, 7]);
      await store.put('copy/1', bytes);
      bytes.fill(0);
      expect(await store.get('copy/1')).toEqual(new Uint8Array([7, 7, 7]));
    });

    it('stores an empty blob as empty, not as missing', async () => {
      const store = await createStore();
      await store.put('empty/1', new Uint8Array(0));
      expect(await store.get('empty/1')).toEqual(new Uint8Array(0));
    });

    it('keeps deep and non-ASCII keys apart, and a key prefix is not a key', async () => {
      const store = await createStore();
      await store.put('t/d/h/original', new Uint8Array([1]));
      await store.put('t/d/h/parsed.json', new Uint8Array([2]));
      await store.put('t/dé jà/vu', new Uint8Array([3]));
      expect(await store.get('t/d/h/original')).toEqual(new Uint8Array([1]));
      expect(await store.get('t/d/h/parsed.json')).toEqual(new Uint8Array([2]));
      expect(await store.get('t/dé jà/vu')).toEqual(new Uint8Array([3]));
      expect(await store.get('t/d')).toBeNull();
    });

    if (options.keyAlsoPrefix ?? true) {
      it('lets a key also be the prefix of another key', async () => {
        const store = await createStore();
        await store.put('t/d/parsed', new Uint8Array([1]));
        await store.put('t/d/parsed/extra', new Uint8Array([2]));
        expect(await store.get('t/d/parsed')).toEqual(new Uint8Array([1]));
        expect(await store.get('t/d/parsed/extra')).toEqual(new Uint8Array([2]));
      });
    }

    it(`round-trips a large blob (${largeBlobBytes} bytes) byte for byte`, async () => {
      const store = await createStore();
      const bytes = new Uint8Array(largeBlobBytes);
      // A pattern that differs at every part boundary, so a reordered or dropped part shows.
      for (let index = 0; index < bytes.length; index += 1)
        bytes[index] = (index * 31 + (index >>> 16)) & 0xff;
      await store.put('large/1', bytes);
      const back = await store.get('large/1');
      expect(back?.byteLength).toBe(largeBlobBytes);
      expect(Buffer.compare(Buffer.from(back ?? []), Buffer.from(bytes))).toBe(0);
    });

    it('lets concurrent writers of different keys each keep their own bytes', async () => {
      const store = await createStore();
      const keys = Array.from({ length: 16 }, (_, index) => `concurrent/${index}`);
      await Promise.all(keys.map((key, index) => store.put(key, new Uint8Array([index, index + 1]))));
      const back = await Promise.all(keys.map((key) => store.get(key)));
      back.forEach((bytes, index) => expect(bytes).toEqual(new Uint8Array([index, index + 1])));
    });
  });
}
