import { Module } from '@nestjs/common';
import { AgentRunProcessor } from './agent-run.processor';
import { AgentRunsUseCase } from './agent-runs.usecase';

@Module({ providers: [AgentRunsUseCase, AgentRunProcessor], exports: [AgentRunsUseCase, AgentRunProcessor] })
export class AgentsModule {}
