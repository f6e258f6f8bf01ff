import { Module } from '@nestjs/common';
import { IndexMaintenanceScheduler } from './index-maintenance.scheduler';
import { OptimizeIndexProcessor } from './optimize-index.processor';

const providers = [IndexMaintenanceScheduler, OptimizeIndexProcessor];

/** Background upkeep of the vector store (debounced `retrieval.optimize` jobs). */
@Module({ providers, exports: providers })
export class MaintenanceModule {}
