import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';

/**
 * Paths that never reach a log line (values replaced by `[REDACTED]`): credentials in request
 * headers (as pino-http logs them) and API keys or passwords in logged objects, one level deep.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  'authorization',
  'apiKey',
  'api_key',
  'password',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.authorization',
  '*.apiKey',
  '*.api_key',
  '*.password',
];

export interface LoggerOptions {
  /** Logged as `name` on every line (e.g. `ai-scale-server`). */
  readonly name?: string;
  /** Minimum level; `silent` turns logging off. Default `info`. */
  readonly level?: Level | 'silent';
  /** More paths to redact, added to `LOG_REDACT_PATHS`. */
  readonly redactPaths?: readonly string[];
  /** Fields on every line (e.g. `{ role: 'worker' }`). */
  readonly base?: Readonly<Record<string, unknown>>;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

/**
 * `{ trace_id, span_id, trace_flags }` of the active span, or `{}` when there is none: the fields
 * that let a log line be joined with its trace. Usable as a pino `mixin` elsewhere (pino-http).
 */
export function traceLogFields(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: `0${spanContext.traceFlags.toString(16)}`.slice(-2),
  };
}

/**
 * A JSON pino logger. Every line written inside an active span carries its `trace_id` and
 * `span_id` (none outside a span); credentials listed in `LOG_REDACT_PATHS` are replaced.
 * Time is ISO-8601 under `time`, level is the label under `level`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const loggerOptions = {
    level: options.level ?? 'info',
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.base === undefined ? {} : { base: { ...options.base } }),
    mixin: traceLogFields,
    redact: { paths: [...LOG_REDACT_PATHS, ...(options.redactPaths ?? [])], censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(loggerOptions, options.destination) : pino(loggerOptions);
}

export type { Logger };
