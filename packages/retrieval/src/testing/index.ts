export {
  vectorStoreContract,
  CONTRACT_DIMENSIONS,
  CONTRACT_METADATA_FIELDS,
  CONTRACT_RECORDS,
  type ContractTestApi,
  type VectorStoreContractCapabilities,
} from './vector-store-contract';
