import { Module } from '@nestjs/common';
import { FeaturesModule } from './features.module';
import { AgentsController } from './modules/agents/agents.controller';
import { ChatController } from './modules/chat/chat.controller';
import { DocumentsController } from './modules/documents/documents.controller';
import { JobsController } from './modules/jobs/jobs.controller';
import { OpenAiController } from './modules/openai/openai.controller';
import { SearchController } from './modules/search/search.controller';
import { StatsController } from './modules/stats/stats.controller';
import { AdminController } from './modules/tenants/admin.controller';
import { UsageController } from './modules/usage/usage.controller';

/** ROLE=api|all: the HTTP controllers (thin: validate, authorize, call one use case). */
@Module({
  imports: [FeaturesModule],
  controllers: [
    AgentsController,
    AdminController,
    DocumentsController,
    SearchController,
    ChatController,
    OpenAiController,
    JobsController,
    UsageController,
    StatsController,
  ],
})
export class ApiModule {}
