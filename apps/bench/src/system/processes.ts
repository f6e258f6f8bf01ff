/** The bench's child processes are the testkit's: one process-group helper for tests and benchmarks. */
export {
  freePort,
  killAllChildren,
  sleep,
  spawnChild,
  stopChild,
  waitUntil,
  type ChildHandle,
} from '@ai-scale/testkit';
