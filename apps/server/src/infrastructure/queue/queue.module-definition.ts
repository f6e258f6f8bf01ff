import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type JobQueue } from '@ai-scale/queue';

export interface QueueModuleOptions {
  readonly queue: JobQueue;
  readonly ping: () => Promise<void>;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } =
  new ConfigurableModuleBuilder<QueueModuleOptions>().setClassMethodName('forRoot').build();
