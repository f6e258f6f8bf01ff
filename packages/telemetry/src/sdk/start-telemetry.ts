import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationType,
  InstrumentType,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { parseTelemetryConfig, type ResolvedTelemetryConfig, type TelemetryConfig } from './config';
import { TelemetryAlreadyStartedError } from '../errors';
import { createPrometheusReader, type PrometheusHandler } from './prometheus';

/** A running telemetry SDK. */
export interface TelemetryHandle {
  /** The parsed configuration, defaults applied. */
  readonly config: ResolvedTelemetryConfig;
  /** Present when `prometheus.enabled`: serve `render()` on the app's `/metrics` route. */
  readonly prometheusHandler: PrometheusHandler | undefined;
  /**
   * Flushes pending spans and metrics, stops the exporters, disables the instrumentations and
   * unregisters the OpenTelemetry globals. Idempotent: later calls return the first call's promise.
   */
  shutdown(): Promise<void>;
}

/**
 * Extra processors and readers, next to the configured exporters: tests pass in-memory ones, an
 * app may add its own. These are OpenTelemetry SDK types on purpose: this package is the one
 * place that knows the SDK.
 */
export interface TelemetryExtensions {
  readonly spanProcessors?: readonly SpanProcessor[];
  readonly metricReaders?: readonly IMetricReader[];
}

let running: TelemetryHandle | undefined;

/**
 * Bucket boundaries for every histogram whose unit is seconds. The SDK's defaults (0, 5, 10, …,
 * 10000) suit milliseconds: a seconds histogram would put every request in one bucket.
 */
export const SECONDS_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];

/**
 * The views every meter provider of ai-scale uses: seconds buckets for seconds histograms, and
 * pg's `db.client.connection.count` under its earlier semantic-convention name
 * `db.client.connections.usage`: a Prometheus gauge may not end in `_count` (promtool rejects the
 * scrape), which the newer name would. (Which meter owns a metric family on `/metrics` is decided
 * by the Prometheus renderer, from the catalogue.)
 */
export const METRIC_VIEWS: readonly ViewOptions[] = [
  {
    instrumentType: InstrumentType.HISTOGRAM,
    instrumentUnit: 's',
    aggregation: {
      type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
      options: { boundaries: [...SECONDS_BUCKETS] },
    },
  },
  {
    meterName: '@opentelemetry/instrumentation-pg',
    instrumentName: 'db.client.connection.count',
    name: 'db.client.connections.usage',
  },
];

function buildInstrumentations(config: ResolvedTelemetryConfig): Instrumentation[] {
  const ignored = new Set(config.ignoreIncomingPaths);
  const instrumentations: Instrumentation[] = [];
  if (config.instrumentations.http) {
    instrumentations.push(
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => ignored.has((request.url ?? '').split('?')[0] ?? ''),
      }),
    );
  }
  if (config.instrumentations.undici) instrumentations.push(new UndiciInstrumentation());
  if (config.instrumentations.ioredis) instrumentations.push(new IORedisInstrumentation());
  // Without a parent span, a pg query (pool checks, migrations at boot) would start a trace of its own.
  if (config.instrumentations.pg) instrumentations.push(new PgInstrumentation({ requireParentSpan: true }));
  return instrumentations;
}

/**
 * Starts the OpenTelemetry NodeSDK for this process: resource (`service.name`, `service.version`,
 * `deployment.environment.name`), W3C trace-context + baggage propagation, AsyncLocalStorage
 * context, a parent-based ratio sampler, the http/undici/ioredis/pg instrumentations, a Prometheus
 * reader served by the app (no port of its own), and OTLP/HTTP export only when `otlpEndpoint` is
 * set. Call it before the app imports the libraries it instruments.
 *
 * Throws `InvalidTelemetryConfigError` (every bad field named) or `TelemetryAlreadyStartedError`.
 * Everything the SDK itself reads from `OTEL_*` variables is overridden here, except
 * `OTEL_SDK_DISABLED` and `OTEL_RESOURCE_ATTRIBUTES`, which operators expect to work.
 */
export function startTelemetry(
  config: TelemetryConfig,
  extensions: TelemetryExtensions = {},
): TelemetryHandle {
  const resolved = parseTelemetryConfig(config);
  if (running) throw new TelemetryAlreadyStartedError();

  const spanProcessors: SpanProcessor[] = [...(extensions.spanProcessors ?? [])];
  const metricReaders: IMetricReader[] = [...(extensions.metricReaders ?? [])];
  if (resolved.otlpEndpoint) {
    const base = resolved.otlpEndpoint.replace(/\/+$/, '');
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` })));
    metricReaders.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }),
        exportIntervalMillis: resolved.otlpMetricIntervalMs,
      }),
    );
  }
  let prometheusHandler: PrometheusHandler | undefined;
  if (resolved.prometheus.enabled) {
    const prometheus = createPrometheusReader(resolved.prometheus.prefix);
    metricReaders.push(prometheus.reader);
    prometheusHandler = prometheus.handler;
  }

  const instrumentations = buildInstrumentations(resolved);
  const sdk = new NodeSDK({
    serviceName: resolved.serviceName,
    resource: resourceFromAttributes({
      'service.name': resolved.serviceName,
      'service.version': resolved.serviceVersion,
      'deployment.environment.name': resolved.environment,
    }),
    // Only OTEL_RESOURCE_ATTRIBUTES: host/process detectors add attributes nobody asked for.
    resourceDetectors: [envDetector],
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(resolved.samplingRatio) }),
    // A tracer provider is registered even with nothing to export, so that trace ids exist for
    // logs and for the trace context carried by queued jobs. With no processor NodeSDK would skip it.
    spanProcessors: spanProcessors.length > 0 ? spanProcessors : [new NoopSpanProcessor()],
    metricReaders,
    views: [...METRIC_VIEWS],
    // Explicitly none: otherwise NodeSDK reads OTEL_LOGS_EXPORTER and defaults to OTLP.
    logRecordProcessors: [],
    instrumentations,
  });
  sdk.start();

  let shutdownPromise: Promise<void> | undefined;
  const handle: TelemetryHandle = {
    config: resolved,
    prometheusHandler,
    shutdown() {
      shutdownPromise ??= (async () => {
        try {
          await sdk.shutdown();
        } finally {
          for (const instrumentation of instrumentations) instrumentation.disable();
          trace.disable();
          metrics.disable();
          propagation.disable();
          context.disable();
          if (running === handle) running = undefined;
        }
      })();
      return shutdownPromise;
    },
  };
  running = handle;
  return handle;
}
