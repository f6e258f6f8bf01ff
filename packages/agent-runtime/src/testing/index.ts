export {
  checkpointStoreContract,
  makeSampleRun,
  type ContractTestApi,
  type CheckpointStoreCapabilities,
} from './checkpoint-store-contract';
export { scriptedModel, type ScriptedTurn } from './scripted-model';
