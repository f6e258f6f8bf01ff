import { Module } from '@nestjs/common';
import { GetJobUseCase } from './usecases/get-job.usecase';
import { StreamJobEventsUseCase } from './usecases/stream-job-events.usecase';

@Module({
  providers: [GetJobUseCase, StreamJobEventsUseCase],
  exports: [GetJobUseCase, StreamJobEventsUseCase],
})
export class JobsModule {}
