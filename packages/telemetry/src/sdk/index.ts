/**
 * `@ai-scale/telemetry/sdk`: starting and stopping the OpenTelemetry NodeSDK, for the app only.
 * A subpath of its own because it loads the SDK, exporters and instrumentations (~200 ms of
 * `require`), which packages that only emit through `@opentelemetry/api` never need.
 */
export {
  startTelemetry,
  SECONDS_BUCKETS,
  METRIC_VIEWS,
  type TelemetryHandle,
  type TelemetryExtensions,
} from './start-telemetry';
export {
  TelemetryConfigSchema,
  parseTelemetryConfig,
  type TelemetryConfig,
  type ResolvedTelemetryConfig,
} from './config';
export {
  PROMETHEUS_CONTENT_TYPE,
  createPrometheusReader,
  toPrometheusFamilies,
  type PrometheusHandler,
} from './prometheus';
export { InvalidTelemetryConfigError, TelemetryAlreadyStartedError, TelemetryError } from '../errors';
