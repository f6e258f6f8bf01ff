export {
  jobQueueContract,
  type ContractTestApi,
  type JobQueueCapabilities,
  type JobQueueContractFixture,
} from './job-queue-contract';
