/**
 * `@ai-scale/telemetry`: the metric, span and attribute names every package emits, W3C
 * trace-context propagation for queued work, and a span helper. Packages use these through
 * `@opentelemetry/api`, so everything is a no-op until the app starts the SDK.
 */
export { METRIC, SPAN, ATTR, type MetricName } from './names';
export { injectTraceContext, extractTraceContext, withTraceContext, type TraceCarrier } from './propagation';
export { withSpan, recordSpanError, errorType, type WithSpanOptions } from './with-span';
