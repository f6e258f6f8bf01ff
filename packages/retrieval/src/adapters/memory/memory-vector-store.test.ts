import { MemoryVectorStore } from './memory-vector-store';
import { CONTRACT_DIMENSIONS, vectorStoreContract } from '../../testing';

vectorStoreContract(
  { describe, it, beforeEach, afterEach },
  expect,
  async () => new MemoryVectorStore({ dimensions: CONTRACT_DIMENSIONS }),
  {
    keyword: true,
    weightedTerms: true,
  },
);
