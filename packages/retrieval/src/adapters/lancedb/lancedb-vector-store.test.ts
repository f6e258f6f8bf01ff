import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LancedbVectorStore } from './lancedb-vector-store';
import { CONTRACT_DIMENSIONS, CONTRACT_METADATA_FIELDS, vectorStoreContract } from '../../testing';

let directory: string | undefined;

vectorStoreContract(
  { describe, it, beforeEach, afterEach },
  expect,
  async () => {
    directory = mkdtempSync(join(tmpdir(), 'retrieval-lancedb-'));
    return LancedbVectorStore.open({
      uri: directory,
      dimensions: CONTRACT_DIMENSIONS,
      metadataFields: CONTRACT_METADATA_FIELDS,
    });
  },
  { keyword: true, weightedTerms: true },
  async () => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  },
);
