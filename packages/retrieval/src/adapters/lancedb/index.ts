export {
  LancedbVectorStore,
  type LancedbVectorStoreOptions,
  type LancedbAnnOptions,
} from './lancedb-vector-store';
export { toSqlPredicate, sqlString, type MetadataFieldType } from './lancedb-filter';
