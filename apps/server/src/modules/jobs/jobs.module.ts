import { Module } from '@nestjs/common';
import { CancelJobUseCase } from './usecases/cancel-job.usecase';
import { GetJobUseCase } from './usecases/get-job.usecase';
import { StreamJobEventsUseCase } from './usecases/stream-job-events.usecase';

@Module({
  providers: [GetJobUseCase, CancelJobUseCase, StreamJobEventsUseCase],
  exports: [GetJobUseCase, CancelJobUseCase, StreamJobEventsUseCase],
})
export class JobsModule {}
