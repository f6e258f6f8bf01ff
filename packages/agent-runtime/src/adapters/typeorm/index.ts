export { TypeormCheckpointStore, type TypeormCheckpointStoreOptions } from './typeorm-checkpoint-store';
