import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../../config';
import { type AppConfig } from '../../config/config.schema';
import { type ServerTelemetry, startServerTelemetry } from './server-telemetry';

import { RequestStats } from './request-stats';

export const TELEMETRY = Symbol('TELEMETRY');
export const InjectTelemetry = (): PropertyDecorator & ParameterDecorator => Inject(TELEMETRY);

/** Starts the OpenTelemetry SDK once per process (metrics for `/metrics`, traces over OTLP when configured). */
@Global()
@Module({
  providers: [
    {
      provide: TELEMETRY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): ServerTelemetry =>
        startServerTelemetry({ serviceName: config.OTEL_SERVICE_NAME }),
    },
    { provide: RequestStats, useFactory: () => new RequestStats() },
  ],
  exports: [TELEMETRY, RequestStats],
})
export class TelemetryModule implements OnApplicationShutdown {
  constructor(@Inject(TELEMETRY) private readonly telemetry: ServerTelemetry) {}

  async onApplicationShutdown(): Promise<void> {
    await this.telemetry.shutdown();
  }
}
