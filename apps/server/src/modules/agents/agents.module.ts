import { Module } from '@nestjs/common';
import { UsageModule } from '../usage/usage.module';
import { AgentRunProcessor } from './agent-run.processor';
import { AgentRunsUseCase } from './agent-runs.usecase';

@Module({
  imports: [UsageModule],
  providers: [AgentRunsUseCase, AgentRunProcessor],
  exports: [AgentRunsUseCase, AgentRunProcessor],
})
export class AgentsModule {}
