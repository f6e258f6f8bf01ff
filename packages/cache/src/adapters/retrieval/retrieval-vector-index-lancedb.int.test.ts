// LanceDB's thread pool must be set before the native module loads (see /work/shared/MEASURED.md).
process.env.LANCE_CPU_THREADS = '2';

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LancedbVectorStore } from '@ai-scale/retrieval/lancedb';
import { vectorIndexContract } from '../../testing';
import { RetrievalVectorIndex } from './retrieval-vector-index';

// The same VectorIndex contract over the real embedded engine: LanceDB on disk, one directory per test.
describe('RetrievalVectorIndex over LancedbVectorStore', () => {
  const directories: string[] = [];
  const stores: LancedbVectorStore[] = [];

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  vectorIndexContract({ describe, it, afterEach }, async (dimensions) => {
    const directory = mkdtempSync(join(tmpdir(), 'cache-lancedb-'));
    directories.push(directory);
    const store = await LancedbVectorStore.open({ uri: directory, dimensions });
    stores.push(store);
    return new RetrievalVectorIndex(store);
  });
});
