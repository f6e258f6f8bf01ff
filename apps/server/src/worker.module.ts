import { Module } from '@nestjs/common';
import { FeaturesModule } from './features.module';
import { AgentRunProcessor } from './modules/agents/agent-run.processor';
import { ChatAnswerProcessor } from './modules/chat/chat-answer.processor';
import { IngestDocumentProcessor } from './modules/documents/ingest-document.processor';
import { OptimizeIndexProcessor } from './modules/maintenance/optimize-index.processor';
import { type JobProcessor } from './worker/job-processor';
import { JOB_PROCESSORS, WorkerRunner } from './worker/worker-runner';

/** ROLE=worker|all: the job processors, run by one queue worker. */
@Module({
  imports: [FeaturesModule],
  providers: [
    {
      provide: JOB_PROCESSORS,
      inject: [IngestDocumentProcessor, ChatAnswerProcessor, AgentRunProcessor, OptimizeIndexProcessor],
      useFactory: (...processors: JobProcessor[]) => processors,
    },
    WorkerRunner,
  ],
})
export class WorkerModule {}
