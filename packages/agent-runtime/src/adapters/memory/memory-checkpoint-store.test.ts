import { checkpointStoreContract } from '../../testing';
import { MemoryCheckpointStore } from './memory-checkpoint-store';

checkpointStoreContract({ describe, it }, () => new MemoryCheckpointStore());
