import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type JobQueue } from '@ai-scale/queue';
import {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN,
  type QueueModuleOptions,
} from './queue.module-definition';

export const JOB_QUEUE = Symbol('JOB_QUEUE');
export const InjectJobQueue = (): PropertyDecorator & ParameterDecorator => Inject(JOB_QUEUE);

/** The background job queue (memory embedded, BullMQ on Redis in production). Exports only JOB_QUEUE. */
@Global()
@Module({
  providers: [
    {
      provide: JOB_QUEUE,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: QueueModuleOptions) => options.queue,
    },
  ],
  exports: [JOB_QUEUE],
})
export class QueueModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(@Inject(JOB_QUEUE) private readonly queue: JobQueue) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
