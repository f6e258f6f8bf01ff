export { embeddingCacheContract, type EmbeddingCacheContractOptions } from './embedding-cache-contract';
export {
  vectorStoreContract,
  CONTRACT_DIMENSIONS,
  CONTRACT_METADATA_FIELDS,
  CONTRACT_RECORDS,
  type ContractTestApi,
  type VectorStoreContractCapabilities,
} from './vector-store-contract';
export { FakeHttpServer, type FakeResponse, type RecordedRequest } from './fake-http-server';
export { startFakeEmbeddingsServer, startFakeRerankServer } from './fake-ai-servers';
export { startFakePineconeServer } from './fake-pinecone-server';
