import { type TelemetryHandle } from '@ai-scale/telemetry/sdk';
import { type AppConfig } from '../config';

let handle: TelemetryHandle | undefined;

/**
 * Starts the OpenTelemetry NodeSDK for this process: traces (OTLP when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set), metrics for `/metrics`, and the http, undici, ioredis and pg
 * instrumentations. `main.ts` calls it BEFORE the application's modules are required, because the
 * instrumentations patch those libraries as they load.
 */
export function startProcessTelemetry(config: AppConfig): TelemetryHandle {
  // Required here, not imported at the top: the SDK must not load before the configuration is valid.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTelemetry } = require('@ai-scale/telemetry/sdk') as typeof import('@ai-scale/telemetry/sdk');
  handle = startTelemetry({
    serviceName: config.OTEL_SERVICE_NAME,
    serviceVersion: '0.1.0',
    environment: config.NODE_ENV ?? 'development',
    prometheus: { enabled: config.METRICS_ENABLED },
    ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
  });
  return handle;
}

/** The SDK started by `main.ts`, or undefined when the app runs without it (in-process tests). */
export function processTelemetry(): TelemetryHandle | undefined {
  return handle;
}
