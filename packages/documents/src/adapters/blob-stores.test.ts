import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemBlobStore, MemoryBlobStore } from '../index';
import { blobStoreContract } from '../testing';

describe('MemoryBlobStore', () => {
  blobStoreContract({ describe, it }, () => new MemoryBlobStore());
});

describe('FilesystemBlobStore', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ai-scale-blobs-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  // A file and a directory cannot share a name: declared here, once.
  blobStoreContract({ describe, it }, () => new FilesystemBlobStore(directory), { keyAlsoPrefix: false });

  it('refuses a key that escapes its directory', async () => {
    const store = new FilesystemBlobStore(directory);
    await expect(store.put('../outside', new Uint8Array([1]))).rejects.toThrow(/escapes/);
  });
});
