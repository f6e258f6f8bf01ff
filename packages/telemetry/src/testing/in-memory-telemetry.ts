import {
  context,
  metrics,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type AttributeValue,
  type Attributes,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  hrTimeToMilliseconds,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { sharedForwardingTracerProvider } from './forwarding-tracer-provider';

/** A finished span as plain data, so tests never depend on SDK types. */
export interface FinishedSpan {
  readonly name: string;
  readonly kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  readonly traceId: string;
  readonly spanId: string;
  /** Absent for a root span. */
  readonly parentSpanId: string | undefined;
  readonly attributes: Readonly<Record<string, AttributeValue | undefined>>;
  readonly status: { readonly code: 'unset' | 'ok' | 'error'; readonly message: string | undefined };
  readonly events: readonly { readonly name: string; readonly attributes: Readonly<Attributes> }[];
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
  /** The tracer's name (e.g. `@ai-scale/queue`). */
  readonly scope: string;
  readonly durationMs: number;
}

/** One data point of a collected metric, as plain data. */
export interface MetricPoint {
  readonly attributes: Readonly<Attributes>;
  /**
   * Counters and up-down counters: the running total since creation (or the last `reset()`).
   * Gauges: the last value. Histograms: the number of recordings (see `histogram` for the rest).
   */
  readonly value: number;
  readonly histogram?: {
    readonly count: number;
    readonly sum: number;
    readonly min: number | undefined;
    readonly max: number | undefined;
  };
}

export interface InMemoryTelemetry {
  /** Every span ended since creation (or the last `reset()`), in the order they ended. */
  finishedSpans(): FinishedSpan[];
  /** The spans with this name, in the order they ended. */
  spansNamed(name: string): FinishedSpan[];
  /** Collects every instrument now: metric name → its data points (one per attribute set). */
  collectMetrics(): Promise<Map<string, MetricPoint[]>>;
  /**
   * The value of one metric, summed over the data points whose attributes include every given
   * attribute (all points when none is given); `undefined` when no such point exists.
   * Histograms yield their recording count.
   */
  metricValue(name: string, attributes?: Attributes): Promise<number | undefined>;
  /**
   * Forgets finished spans and makes metric totals count from now on (counters, up-down counters
   * and histogram counts are reported relative to their value at reset; gauges are untouched).
   * Await it before recording what the next assertion is about.
   */
  reset(): Promise<void>;
  /** Shuts the providers down and unregisters the globals (tracer, meter, context, propagator). */
  shutdown(): Promise<void>;
}

const KIND_NAMES: Record<SpanKind, FinishedSpan['kind']> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const STATUS_NAMES: Record<SpanStatusCode, FinishedSpan['status']['code']> = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
};

/** A reader that exports nothing: the test pulls metrics with `collect()` when it wants them. */
class OnDemandMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export function toFinishedSpan(span: ReadableSpan): FinishedSpan {
  const context = span.spanContext();
  return {
    name: span.name,
    kind: KIND_NAMES[span.kind],
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    attributes: { ...span.attributes },
    status: { code: STATUS_NAMES[span.status.code], message: span.status.message },
    events: span.events.map((event) => ({ name: event.name, attributes: { ...event.attributes } })),
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
    })),
    scope: span.instrumentationScope.name,
    durationMs: hrTimeToMilliseconds(span.duration),
  };
}

function pointsOf(metric: MetricData): MetricPoint[] {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
    case DataPointType.GAUGE:
      return metric.dataPoints.map((point) => ({ attributes: { ...point.attributes }, value: point.value }));
    case DataPointType.HISTOGRAM:
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return (
        metric.dataPoints as DataPoint<{ count: number; sum?: number; min?: number; max?: number }>[]
      ).map((point) => ({
        attributes: { ...point.attributes },
        value: point.value.count,
        histogram: {
          count: point.value.count,
          sum: point.value.sum ?? 0,
          min: point.value.min,
          max: point.value.max,
        },
      }));
  }
}

function seriesKey(name: string, attributes: Attributes): string {
  const sorted = Object.keys(attributes)
    .sort()
    .map((key) => [key, attributes[key]]);
  return `${name}\u0000${JSON.stringify(sorted)}`;
}

function includesAttributes(actual: Attributes, expected: Attributes): boolean {
  return Object.entries(expected).every(
    ([key, value]) => JSON.stringify(actual[key]) === JSON.stringify(value),
  );
}

/**
 * Registers a global tracer provider (in-memory exporter, synchronous processor, AsyncLocalStorage
 * context manager, W3C propagators) and a global meter provider read on demand, so a test can
 * assert the spans and metrics that code emits through `@opentelemetry/api`.
 *
 * Tracers may be taken at any time (module load included): they always write to the current
 * instance. Meters may not: `metrics.getMeter()` while no meter provider is registered returns a
 * no-op meter for good, and instruments stay bound to the provider they were created on. So create
 * instruments lazily (in the adapter's constructor), after this call; prefer one instance per test
 * file with `reset()` between tests. Any globals registered before are replaced; `shutdown()`
 * unregisters them again so the next test file (or the next call) starts clean.
 */
export function createInMemoryTelemetry(): InMemoryTelemetry {
  // trace.disable() would orphan tracers taken before this call, so it only runs when another
  // provider is in the way (see below).
  metrics.disable();
  context.disable();
  propagation.disable();

  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new OnDemandMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  const forwarding = sharedForwardingTracerProvider();
  forwarding.setCurrent(tracerProvider);
  if (!trace.setGlobalTracerProvider(forwarding)) {
    trace.disable();
    trace.setGlobalTracerProvider(forwarding);
  }
  metrics.setGlobalMeterProvider(meterProvider);

  // Totals at the last reset(): cumulative series are reported relative to them.
  let baseline = new Map<string, number>();
  let cumulativeNames = new Set<string>();
  let isShutDown = false;

  async function collectRaw(): Promise<Map<string, MetricPoint[]>> {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
    const collected = new Map<string, MetricPoint[]>();
    cumulativeNames = new Set();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.dataPointType !== DataPointType.GAUGE) cumulativeNames.add(metric.descriptor.name);
        const existing = collected.get(metric.descriptor.name) ?? [];
        collected.set(metric.descriptor.name, [...existing, ...pointsOf(metric)]);
      }
    }
    return collected;
  }

  async function collectMetrics(): Promise<Map<string, MetricPoint[]>> {
    const raw = await collectRaw();
    const result = new Map<string, MetricPoint[]>();
    for (const [name, points] of raw) {
      const relative = points
        .map((point) => {
          const before = cumulativeNames.has(name)
            ? baseline.get(seriesKey(name, point.attributes))
            : undefined;
          if (before === undefined) return point;
          return { ...point, value: point.value - before };
        })
        .filter((point) => !(point.value === 0 && baseline.has(seriesKey(name, point.attributes))));
      if (relative.length > 0) result.set(name, relative);
    }
    return result;
  }

  return {
    finishedSpans: () => exporter.getFinishedSpans().map(toFinishedSpan),
    spansNamed: (name) =>
      exporter
        .getFinishedSpans()
        .filter((span) => span.name === name)
        .map(toFinishedSpan),
    collectMetrics,
    async metricValue(name, attributes = {}) {
      const points = (await collectMetrics()).get(name) ?? [];
      const matching = points.filter((point) => includesAttributes(point.attributes, attributes));
      if (matching.length === 0) return undefined;
      return matching.reduce((total, point) => total + point.value, 0);
    },
    async reset() {
      exporter.reset();
      const raw = await collectRaw();
      const next = new Map<string, number>();
      for (const [name, points] of raw) {
        for (const point of points) next.set(seriesKey(name, point.attributes), point.value);
      }
      baseline = next;
    },
    async shutdown() {
      if (isShutDown) return;
      isShutDown = true;
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      forwarding.setCurrent(undefined);
      trace.disable();
      metrics.disable();
      context.disable();
      propagation.disable();
    },
  };
}
