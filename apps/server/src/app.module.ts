import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter';
import { type AppConfig, ConfigModule } from './config';
import { ApiModule } from './api.module';
import { AgentsInfrastructureModule } from './infrastructure/agents/agents.module';
import { DemoModule } from './bootstrap/demo.module';
import { BlobStoreModule } from './infrastructure/blobs/blob-store.module';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { WorkerModule } from './worker.module';
import { LoggingModule } from './infrastructure/logging/logging.module';
import { ReadinessModule } from './infrastructure/readiness/readiness.module';
import { TelemetryModule } from './infrastructure/telemetry/telemetry.module';
import { HealthController } from './modules/health/health.controller';
import { MetricsController } from './modules/metrics/metrics.controller';

/**
 * The root module. Every role shares the same infrastructure and feature providers; `ROLE=api`
 * adds the HTTP controllers, `ROLE=worker` the job processors, `ROLE=all` both.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        TelemetryModule,
        ReadinessModule,
        BlobStoreModule,
        InfrastructureModule.forRoot(),
        AgentsInfrastructureModule,
        ...(config.runsApi ? [ApiModule] : []),
        ...(config.runsWorker ? [WorkerModule] : []),
        ...(config.demoTenant ? [DemoModule] : []),
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
