import { Module } from '@nestjs/common';
import { AgentsModule } from './modules/agents/agents.module';
import { ChatModule } from './modules/chat/chat.module';
import { DocumentsModule } from './modules/documents/documents.module';
import { JobsModule } from './modules/jobs/jobs.module';
import { OpenAiModule } from './modules/openai/openai.module';
import { SearchModule } from './modules/search/search.module';
import { StatsModule } from './modules/stats/stats.module';
import { TenantsModule } from './modules/tenants/tenants.module';
import { UsageModule } from './modules/usage/usage.module';

const features = [
  TenantsModule,
  AgentsModule,
  DocumentsModule,
  SearchModule,
  ChatModule,
  OpenAiModule,
  JobsModule,
  UsageModule,
  StatsModule,
];

/** The use cases of every role: API and worker share this provider list. */
@Module({ imports: features, exports: features })
export class FeaturesModule {}
