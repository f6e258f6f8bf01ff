/**
 * Test helpers for code that emits OpenTelemetry spans and metrics through `@opentelemetry/api`.
 * Import from `@ai-scale/telemetry/testing` in tests only.
 */
export {
  createInMemoryTelemetry,
  toFinishedSpan,
  type FinishedSpan,
  type InMemoryTelemetry,
  type MetricPoint,
} from './in-memory-telemetry';
