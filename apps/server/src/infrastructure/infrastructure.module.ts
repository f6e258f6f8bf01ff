import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { CacheModule } from './cache/cache.module';
import { createCache } from './cache/create-cache';
import { createLlm } from './llm/create-llm';
import { LlmModule } from './llm/llm.module';
import { createDatabase } from './database/create-database';
import { DATA_SOURCE, DatabaseModule } from './database/database.module';
import { type DataSource } from 'typeorm';
import { createQueue } from './queue/create-queue';
import { QueueModule } from './queue/queue.module';
import { ReadinessRegistry } from './readiness/readiness.registry';
import { createRetrieval } from './retrieval/create-retrieval';
import { EMBEDDER, RetrievalModule } from './retrieval/retrieval.module';
import { type Embedder } from '@ai-scale/retrieval';

/**
 * THE place where adapters are chosen from the configuration: one module per port, each exporting
 * only its token. Each factory registers its dependency's readiness probe.
 */
@Module({})
export class InfrastructureModule {
  static forRoot(): DynamicModule {
    return {
      module: InfrastructureModule,
      imports: [
        DatabaseModule.forRootAsync({
          inject: [APP_CONFIG, ReadinessRegistry],
          useFactory: async (config: AppConfig, readiness: ReadinessRegistry) => {
            const database = await createDatabase(config);
            readiness.register('database', database.ping);
            return database;
          },
        }),
        QueueModule.forRootAsync({
          inject: [APP_CONFIG, ReadinessRegistry],
          useFactory: async (config: AppConfig, readiness: ReadinessRegistry) => {
            const queue = await createQueue(config);
            readiness.register('queue', queue.ping);
            return queue;
          },
        }),
        RetrievalModule.forRootAsync({
          inject: [APP_CONFIG, ReadinessRegistry],
          useFactory: async (config: AppConfig, readiness: ReadinessRegistry) => {
            const retrieval = await createRetrieval(config);
            readiness.register(
              'vector-store',
              async () => void (await retrieval.store.count('__readiness__')),
            );
            return retrieval;
          },
        }),
        CacheModule.forRootAsync({
          inject: [APP_CONFIG, ReadinessRegistry, EMBEDDER],
          useFactory: async (config: AppConfig, readiness: ReadinessRegistry, embedder: Embedder) => {
            const cache = await createCache(config, embedder);
            readiness.register(config.CACHE_DRIVER === 'redis' ? 'redis' : 'cache', cache.ping);
            return cache;
          },
        }),
        LlmModule.forRootAsync({
          inject: [APP_CONFIG, DATA_SOURCE],
          useFactory: (config: AppConfig, dataSource: DataSource | undefined) =>
            createLlm(config, dataSource),
        }),
      ],
    };
  }
}
