/**
 * `@ai-scale/telemetry`: the metric, span and attribute names every package emits, W3C
 * trace-context propagation for queued work, a span helper and a trace-aware pino logger.
 * Packages emit through `@opentelemetry/api`, so everything is a no-op until the app calls
 * `startTelemetry` from `@ai-scale/telemetry/sdk`.
 */
export {
  METRIC,
  METRIC_CATALOG,
  SPAN,
  ATTR,
  metricDefinition,
  metricOptions,
  prometheusMetricName,
  prometheusSeries,
  prometheusUnitSuffix,
  sanitizePrometheusName,
  type AttributeKey,
  type InstrumentKind,
  type MetricDefinition,
  type MetricKey,
  type MetricName,
} from './names';
export { injectTraceContext, extractTraceContext, withTraceContext, type TraceCarrier } from './propagation';
export { withSpan, recordSpanError, errorType, type WithSpanOptions } from './with-span';
export { createLogger, traceLogFields, LOG_REDACT_PATHS, type LoggerOptions, type Logger } from './logger';
export { TelemetryError, InvalidTelemetryConfigError, TelemetryAlreadyStartedError } from './errors';
