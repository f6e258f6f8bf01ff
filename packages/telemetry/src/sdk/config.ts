import { z } from 'zod';
import { InvalidTelemetryConfigError } from '../errors';

/**
 * What `startTelemetry` accepts. The app builds it from its environment (packages never read
 * `process.env`): e.g. `OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_TRACES_SAMPLER_ARG`.
 */
export const TelemetryConfigSchema = z.object({
  serviceName: z.string().min(1),
  serviceVersion: z.string().min(1).default('0.0.0'),
  /** `deployment.environment.name` on every span and metric (e.g. `production`). */
  environment: z.string().min(1).default('development'),
  prometheus: z
    .object({
      /** Keep a Prometheus reader whose text the app serves on its own route (no extra port). */
      enabled: z.boolean().default(true),
      /** Prepended to every metric name (Prometheus text only). */
      prefix: z.string().default(''),
    })
    .prefault({}),
  /**
   * Base URL of an OTLP/HTTP collector (`http://collector:4318`). Only when set are traces and
   * metrics pushed over OTLP; without a collector the exporter would log ECONNREFUSED.
   */
  otlpEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** How often metrics are pushed over OTLP. */
  otlpMetricIntervalMs: z.number().int().positive().default(15_000),
  /** Fraction of new (root) traces sampled; children follow their parent's decision. */
  samplingRatio: z.number().min(0).max(1).default(1),
  instrumentations: z
    .object({
      http: z.boolean().default(true),
      undici: z.boolean().default(true),
      ioredis: z.boolean().default(true),
      pg: z.boolean().default(true),
    })
    .prefault({}),
  /** Incoming HTTP paths not traced (scrapes and probes would drown the real requests). */
  ignoreIncomingPaths: z.array(z.string()).default(['/metrics', '/health/live', '/health/ready']),
});

/** The input shape (defaults optional). */
export type TelemetryConfig = z.input<typeof TelemetryConfigSchema>;
/** The parsed shape (defaults applied). */
export type ResolvedTelemetryConfig = z.output<typeof TelemetryConfigSchema>;

/** Parses a configuration, reporting every bad field at once as an `InvalidTelemetryConfigError`. */
export function parseTelemetryConfig(config: unknown): ResolvedTelemetryConfig {
  const parsed = TelemetryConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new InvalidTelemetryConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}
